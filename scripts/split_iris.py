"""Splits configs/data/iris.csv into iris_train.csv and iris_test.csv (every fifth row to test)."""
rows = open("configs/data/iris.csv").read().strip().split("\n")
for name, keep in (("train", lambda i: i % 5 != 4), ("test", lambda i: i % 5 == 4)):
    open(f"configs/data/iris_{name}.csv", "w").write("\n".join([rows[0]] + [r for i, r in enumerate(rows[1:]) if keep(i)]) + "\n")
