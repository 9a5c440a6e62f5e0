// The Keras API end to end: models learn, graph fit and eager loops agree, runs reproduce.
#include <doctest/doctest.h>

#include <cmath>

#include "keras_test_data.h"

using namespace nabla;
using namespace nabla::testing;

TEST_CASE("XOR is learned to 100%") {
  set_seed(1);
  auto [x, y] = xor_data();
  Sequential model({Input({2}), Dense(8, "tanh"), Dense(1, "sigmoid")});
  model.compile(Adam(0.05), "binary_crossentropy", {"accuracy"});
  History h = model.fit(x, y, FitOptions().epochs(300).batch_size(4).verbose(0));
  CHECK(h.history.at("accuracy").back() == 1.0);
  const Tensor p = model.predict(x);
  for (int i = 0; i < 4; ++i) CHECK(std::round(p.at(i)) == y.at(i));
}

TEST_CASE("linear regression recovers its true weights within 1e-3") {
  set_seed(2);
  const Tensor x = Tensor::random_uniform({512, 3}, -1, 1, 7);
  const Tensor w_true({0.5f, -1.25f, 2.0f}, {3, 1});
  const Tensor y = matmul(x, w_true) + 0.75f;
  Sequential model({Input({3}), Dense(1)});
  model.compile(SGD(0.1), "mse");
  model.fit(x, y, FitOptions().epochs(60).batch_size(16).verbose(0));
  const auto dense = std::dynamic_pointer_cast<Dense>(model.layers()[1]);
  const Tensor w = dense->kernel().value(), b = dense->bias().value();
  for (int i = 0; i < 3; ++i) CHECK(std::fabs(w.at(i) - w_true.at(i)) < 1e-3);
  CHECK(std::fabs(b.at(0) - 0.75) < 1e-3);
}

TEST_CASE("a 3-class spiral reaches over 95% training accuracy") {
  set_seed(3);
  auto [x, y] = spiral_data();
  Sequential model({Input({2}), Dense(64, "relu"), Dense(64, "relu"), Dense(3)});
  model.compile(
      Adam(0.01),
      SparseCategoricalCrossentropy(SparseCategoricalCrossentropyOptions().from_logits(true)),
      {"accuracy"});
  History h = model.fit(x, y, FitOptions().epochs(150).batch_size(32).verbose(0));
  CHECK(h.history.at("accuracy").back() > 0.95);
  CHECK(sparse_accuracy(model.predict(x), y) > 0.95);
  const Logs eval = model.evaluate(x, y, EvaluateOptions().verbose(0));
  CHECK(eval.at("accuracy") > 0.95);
}

TEST_CASE("graph fit and an eager GradientTape loop train the same model to the same result") {
  auto [x, y] = spiral_data(20);
  auto make = [] {
    set_seed(4);
    return Sequential({Input({2}), Dense(16, "relu"), Dense(3, "softmax")});
  };
  Sequential graph_model = make();
  graph_model.compile(Adam(0.01), "sparse_categorical_crossentropy");
  graph_model.fit(x, y, FitOptions().epochs(3).batch_size(10).shuffle(false).verbose(0));

  Sequential eager_model = make();
  Adam optimizer(0.01);
  SparseCategoricalCrossentropy loss_fn;
  for (int epoch = 0; epoch < 3; ++epoch)
    for (int64_t b = 0; b < 60; b += 10) {
      const Tensor xb = slice(x, {b, 0}, {10, 2}), yb = slice(y, {b}, {10});
      GradientTape tape;
      const Tensor loss = loss_fn(yb, eager_model(xb, true));
      optimizer.apply_gradients(tape.gradient(loss, eager_model.trainable_weights()),
                                eager_model.trainable_weights());
    }
  CHECK(max_abs_diff(graph_model.get_weights(), eager_model.get_weights()) < 1e-5);
}

TEST_CASE("with a seed, two runs give identical weights and histories") {
  auto run = [] {
    set_seed(5);
    auto [x, y] = spiral_data(30);
    Sequential model({Input({2}), Dense(16, "relu"), Dropout(0.3), Dense(3, "softmax")});
    model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
    History h = model.fit(
        x, y, FitOptions().epochs(3).batch_size(16).validation_split(0.2).verbose(0).seed(9));
    return std::make_pair(model.get_weights(), h.history.at("loss"));
  };
  auto [w1, l1] = run();
  auto [w2, l2] = run();
  CHECK(max_abs_diff(w1, w2) == 0.0);
  CHECK(l1 == l2);
}

TEST_CASE("history holds loss, metrics, validation values, learning rate and epoch times") {
  set_seed(6);
  auto [x, y] = spiral_data(30);
  Sequential model({Input({2}), Dense(8, "relu"), Dense(3, "softmax")});
  model.compile(Adam(0.002), "sparse_categorical_crossentropy", {"accuracy"});
  History h =
      model.fit(x, y, FitOptions().epochs(2).batch_size(16).validation_split(0.25).verbose(0));
  for (const char* key : {"loss", "accuracy", "val_loss", "val_accuracy", "lr", "epoch_seconds"}) {
    CAPTURE(key);
    REQUIRE(h.history.count(key));
    CHECK(h.history.at(key).size() == 2);
  }
  CHECK(h.history.at("lr")[0] == doctest::Approx(0.002));
  CHECK(h.epoch == std::vector<int>{0, 1});
}

TEST_CASE("an epoch's loss and metrics are exact over all samples, including the partial batch") {
  set_seed(7);
  auto [x, y] = spiral_data(10);  // 30 samples: batches of 8, 8, 8, 6
  Sequential model({Input({2}), Dense(3, "softmax")});
  model.compile(SGD(0.0), "sparse_categorical_crossentropy", {"accuracy"});  // lr 0: weights fixed
  History h = model.fit(x, y, FitOptions().epochs(1).batch_size(8).verbose(0));
  const Logs whole = model.evaluate(x, y, EvaluateOptions().batch_size(30).verbose(0));
  CHECK(h.history.at("loss")[0] == doctest::Approx(whole.at("loss")).epsilon(1e-6));
  CHECK(h.history.at("accuracy")[0] == doctest::Approx(whole.at("accuracy")));
}

TEST_CASE("predict and evaluate give the same at every batch size, read in place or gathered") {
  // Batches in the data's own order are read where they lie when they start on a 64-byte
  // boundary (rows of 3 floats: every 16th row) and copied into the plan's feed otherwise.
  set_seed(9);
  const Tensor x = Tensor::random_normal({37, 3}, 0, 1, 4);
  const Tensor y = Tensor::random_normal({37, 2}, 0, 1, 5);
  Sequential model({Input({3}), Dense(8, "tanh"), Dense(2)});
  model.compile(SGD(0.1), "mse");
  const std::vector<float> whole =
      model.predict(x, PredictOptions().batch_size(37)).to_vector<float>();
  const double loss = model.evaluate(x, y, EvaluateOptions().batch_size(37).verbose(0)).at("loss");
  for (int64_t batch : {1, 5, 16, 32}) {
    INFO("batch size " << batch);
    const std::vector<float> got =
        model.predict(x, PredictOptions().batch_size(batch)).to_vector<float>();
    REQUIRE(got.size() == whole.size());
    for (size_t i = 0; i < got.size(); ++i)
      CHECK(got[i] == doctest::Approx(whole[i]).epsilon(1e-6));
    CHECK(model.evaluate(x, y, EvaluateOptions().batch_size(batch).verbose(0)).at("loss") ==
          doctest::Approx(loss).epsilon(1e-6));
  }
  // An unshuffled fit reads its batches in place too: the same as one train_on_batch per batch.
  auto fresh = [] {
    set_seed(10);
    Sequential m({Input({3}), Dense(8, "tanh"), Dense(2)});
    m.compile(SGD(0.1), "mse");
    return m;
  };
  Sequential fitted = fresh(), by_hand = fresh();
  fitted.fit(x, y, FitOptions().epochs(1).batch_size(5).shuffle(false).verbose(0));
  for (int64_t begin = 0; begin < 37; begin += 5) {
    const int64_t end = std::min<int64_t>(begin + 5, 37);
    by_hand.train_on_batch(x.rows(begin, end), y.rows(begin, end));
  }
  const std::vector<float> p = fitted.predict(x).to_vector<float>();
  const std::vector<float> q = by_hand.predict(x).to_vector<float>();
  for (size_t i = 0; i < p.size(); ++i) CHECK(p[i] == doctest::Approx(q[i]).epsilon(1e-6));
}

TEST_CASE("sample weights and class weights weight the loss as in Keras") {
  set_seed(8);
  const Tensor x = Tensor::random_uniform({8, 2}, -1, 1, 3);
  const Tensor y = Tensor::from_vector<int32_t>({0, 1, 0, 1, 0, 1, 0, 1}, {8});
  Sequential model({Input({2}), Dense(2, "softmax")});
  model.compile(SGD(0.0), "sparse_categorical_crossentropy");
  const Tensor per_sample = SparseCategoricalCrossentropy().call(y, model.predict(x));
  const Tensor w({1, 2, 0, 1, 3, 1, 1, 0.5}, {8});
  double expected = 0;
  for (int i = 0; i < 8; ++i) expected += per_sample.at(i) * w.at(i) / 8;
  CHECK(model.evaluate(x, y, EvaluateOptions().sample_weight(w).verbose(0)).at("loss") ==
        doctest::Approx(expected).epsilon(1e-5));
  History h =
      model.fit(x, y, FitOptions().class_weight({{0, 2.0}, {1, 0.5}}).batch_size(8).verbose(0));
  double weighted = 0;
  for (int i = 0; i < 8; ++i) weighted += per_sample.at(i) * (i % 2 ? 0.5 : 2.0) / 8;
  CHECK(h.history.at("loss")[0] == doctest::Approx(weighted).epsilon(1e-5));
}

TEST_CASE("summary prints Keras's table") {
  reset_layer_names();
  Sequential model({Input({784}), Dense(256, "relu"), Dropout(0.2), Dense(10)}, "mlp");
  const std::string s = model.summary();
  CHECK(s.find("Model: \"mlp\"") != std::string::npos);
  CHECK(s.find("Layer (type)") != std::string::npos);
  CHECK(s.find("dense (Dense)               (None, 256)               200,960") !=
        std::string::npos);
  CHECK(s.find("dropout (Dropout)           (None, 256)               0") != std::string::npos);
  CHECK(s.find("Total params: 203,530") != std::string::npos);
  CHECK(s.find("Trainable params: 203,530") != std::string::npos);
  CHECK(s.find("Non-trainable params: 0") != std::string::npos);
}

TEST_CASE("layers get Keras's default names and weight names") {
  reset_layer_names();
  Sequential model({Input({4}), Dense(3), Dense(2), BatchNormalization(), LayerNormalization()});
  CHECK(model.layers()[1]->name() == "dense");
  CHECK(model.layers()[2]->name() == "dense_1");
  VariableList w = model.weights();
  std::vector<std::string> names;
  for (const Variable& v : w) names.push_back(v.name());
  CHECK(names == std::vector<std::string>{
                     "dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias",
                     "batch_normalization/gamma", "batch_normalization/beta",
                     "layer_normalization/gamma", "layer_normalization/beta",
                     "batch_normalization/moving_mean", "batch_normalization/moving_variance"});
}

TEST_CASE("a compiled model reads its variables when it runs, not when its graph was built") {
  set_seed(12);
  auto [x, y] = spiral_data(10);
  Sequential model({Input({2}), Dense(4), BatchNormalization(), Dense(3, "softmax", "out")});
  model.compile("adam", "sparse_categorical_crossentropy");
  model.fit(x, y, FitOptions().epochs(2).batch_size(8).verbose(0));  // moves the moving statistics
  const Tensor compiled = model.predict(x);
  const Tensor eager = model(x);
  for (int64_t i = 0; i < eager.numel(); ++i)
    REQUIRE(compiled.at(i) == doctest::Approx(eager.at(i)).epsilon(1e-6));
  // Regularization penalties too: the loss depends on the current weights.
  Sequential reg({Input({2}), Dense(DenseOptions(3).kernel_regularizer(regularizers::l2(0.5)))});
  reg.compile(SGD(0.0), "mse");
  const Tensor targets = Tensor::zeros({30, 3});
  const double before = reg.evaluate(x, targets, EvaluateOptions().verbose(0)).at("loss");
  reg.set_weights({Tensor::zeros({2, 3}), Tensor::zeros({3})});
  CHECK(reg.evaluate(x, targets, EvaluateOptions().verbose(0)).at("loss") == 0.0);
  CHECK(before > 0.0);
}

TEST_CASE(
    "an uncompiled model predicts through a compiled inference plan that follows its weights") {
  set_seed(13);
  auto [x, y] = spiral_data(10);
  Sequential model({Dense(8, "relu"), Dropout(0.5), Dense(3, "softmax", "out")});  // no Input
  const Tensor first = model.predict(x, PredictOptions().batch_size(7));           // builds from x
  const Tensor eager = model(x);  // inference mode: dropout off
  REQUIRE(first.shape() == eager.shape());
  for (int64_t i = 0; i < eager.numel(); ++i)
    REQUIRE(first.at(i) == doctest::Approx(eager.at(i)).epsilon(1e-6));
  // New weights, then training after compile(): each prediction reads the weights of the moment.
  std::vector<Tensor> w = model.get_weights();
  for (Tensor& t : w) t = t * 0.5f;
  model.set_weights(w);
  const Tensor halved = model.predict(x);
  double change = 0;
  for (int64_t i = 0; i < eager.numel(); ++i) change += std::abs(halved.at(i) - first.at(i));
  CHECK(change > 1e-3);
  const Tensor eager_halved = model(x);
  for (int64_t i = 0; i < eager.numel(); ++i)
    REQUIRE(halved.at(i) == doctest::Approx(eager_halved.at(i)).epsilon(1e-6));
  model.compile("adam", "sparse_categorical_crossentropy");
  model.fit(x, y, FitOptions().epochs(2).batch_size(8).verbose(0));
  const Tensor trained = model.predict(x);
  const Tensor eager_trained = model(x);
  for (int64_t i = 0; i < eager.numel(); ++i)
    REQUIRE(trained.at(i) == doctest::Approx(eager_trained.at(i)).epsilon(1e-6));
}
