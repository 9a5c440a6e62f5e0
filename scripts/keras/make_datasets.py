#!/usr/bin/env python3
"""Write configs/data/{iris,diabetes,xor}.csv from scikit-learn's bundled
copies (iris, diabetes) and by hand (xor). Run with a Python that has
scikit-learn installed (see scripts/keras/README.md)."""
import os

import numpy as np
import sklearn
from sklearn.datasets import load_diabetes, load_iris

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "configs", "data")


def num(v):
    # shortest text that round-trips, without a trailing ".0" on integers
    return np.format_float_positional(float(v), trim="-")


def main():
    os.makedirs(OUT, exist_ok=True)
    print("scikit-learn", sklearn.__version__)

    iris = load_iris()
    assert iris.data.shape == (150, 4)
    with open(os.path.join(OUT, "iris.csv"), "w", newline="\n") as f:
        f.write("sepal_length,sepal_width,petal_length,petal_width,species\n")
        for row, t in zip(iris.data, iris.target):
            # keep one decimal as in the source table (e.g. 5.0, not 5)
            f.write(",".join("%.1f" % v for v in row)
                    + "," + str(iris.target_names[t]) + "\n")

    diab = load_diabetes(scaled=False)  # raw, unscaled (sklearn >= 1.1)
    assert diab.data.shape == (442, 10)
    cols = ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"]
    assert list(diab.feature_names) == cols, diab.feature_names
    with open(os.path.join(OUT, "diabetes.csv"), "w", newline="\n") as f:
        f.write(",".join(cols + ["target"]) + "\n")
        for row, t in zip(diab.data, diab.target):
            f.write(",".join(num(v) for v in row) + "," + num(t) + "\n")

    with open(os.path.join(OUT, "xor.csv"), "w", newline="\n") as f:
        f.write("x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n")


if __name__ == "__main__":
    main()
