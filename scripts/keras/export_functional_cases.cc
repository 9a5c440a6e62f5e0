// The Functional models nabla_export_models saves: built with nabla's Functional API, so that
// real Keras reads back what Model(inputs, outputs) writes (configs in Keras 2's list form in
// .h5, Keras 3's in .keras, and both weight layouts).
#include "export_case.h"

namespace nabla::keras_export {
namespace {

// A Functional case with one input of `shape`: `body` maps the input tensor to the output.
Case one_input(std::string name, Shape shape, std::function<Tensor(const Tensor&)> body) {
  Case c;
  c.name = name;
  c.input_shapes = {shape};
  c.build = [name, shape, body] {
    Tensor x = Input(shape, "x");
    return Model(x, body(x), name);
  };
  return c;
}

// Two inputs of 4 merged by `merge` (whose result feeds a Dense head).
template <class M>
Case merged(std::string name, M merge) {
  Case c;
  c.name = name;
  c.input_shapes = {{4}, {4}};
  c.build = [name, merge] {
    Tensor a = Input({4}, "a"), b = Input({4}, "b");
    Tensor left = Dense(3, "tanh", "left")(a), right = Dense(3, "linear", "right")(b);
    M layer = merge;
    return Model(TensorList{a, b}, TensorList{Dense(2, "linear", "head")(layer({left, right}))},
                 name);
  };
  return c;
}

// features (5) and extra (3) -> a 3-class softmax head and a regression head, compiled with a
// loss, a metric and a loss weight per output and trained two epochs (so the optimizer has
// state to save).
Case two_in_two_out() {
  Case c;
  c.name = "functional_two_in_two_out";
  c.input_shapes = {{5}, {3}};
  c.build = [] {
    Tensor features = Input({5}, "features"), extra = Input({3}, "extra");
    Tensor f = Dense(6, "relu", "features_dense")(features);
    Tensor e = Dense(4, "relu", "extra_dense")(extra);
    Tensor trunk = Dense(8, "relu", "trunk")(Concatenate(-1, "joined")({f, e}));
    return Model({features, extra},
                 {Dense(3, "softmax", "class_out")(trunk), Dense(1, "linear", "value_out")(trunk)},
                 "two_heads");
  };
  c.train = [](Model& model, uint64_t seed) {
    model.compile(Adam(1e-2),
                  {{"class_out", "sparse_categorical_crossentropy"}, {"value_out", "mse"}},
                  {{"class_out", {"accuracy"}}, {"value_out", {"mae"}}}, {{"value_out", 0.5}});
    const int64_t n = 16;
    const NamedTensors x{{"features", Tensor::random_normal({n, 5}, 0, 1, seed + 2000)},
                         {"extra", Tensor::random_normal({n, 3}, 0, 1, seed + 2001)}};
    const NamedTensors y{
        {"class_out", cast(floor(Tensor::random_uniform({n}, 0, 3, seed + 2002)), DType::Int32)},
        {"value_out", Tensor::random_normal({n, 1}, 0, 1, seed + 2003)}};
    model.fit(x, y, FitOptions().epochs(2).batch_size(8).seed(seed).verbose(0));
  };
  c.train_epochs = 2;
  return c;
}

}  // namespace

std::vector<Case> functional_cases() {
  std::vector<Case> out;
  out.push_back(two_in_two_out());
  {
    Case c;
    c.name = "functional_shared_layer";
    c.input_shapes = {{3}, {3}};
    c.build = [] {
      Tensor left = Input({3}, "left"), right = Input({3}, "right");
      Dense shared(4, "tanh", "shared");
      Tensor sum = Add("sum")({shared(left), shared(right)});
      return Model(TensorList{left, right}, TensorList{Dense(2, "linear", "head")(sum)}, "siamese");
    };
    out.push_back(c);
  }
  out.push_back(merged("merge_add", Add("merge")));
  out.push_back(merged("merge_subtract", Subtract("merge")));
  out.push_back(merged("merge_multiply", Multiply("merge")));
  out.push_back(merged("merge_average", Average("merge")));
  out.push_back(merged("merge_maximum", Maximum("merge")));
  out.push_back(merged("merge_minimum", Minimum("merge")));
  out.push_back(merged("merge_concatenate", Concatenate(-1, "merge")));
  out.push_back(one_input("functional_nested_sequential", {4}, [](const Tensor& x) {
    Sequential block(
        {Input({4}), Dense(5, "relu", "block_dense_1"), Dense(3, "linear", "block_dense_2")},
        "block");
    return Dense(2, "linear", "after")(block(Dense(4, "tanh", "before")(x)));
  }));
  out.push_back(one_input("functional_nested_functional", {4}, [](const Tensor& x) {
    Tensor inner_in = Input({5}, "inner_in");
    Model inner(inner_in, Dense(3, "relu", "inner_dense")(inner_in), "inner");
    return Dense(2, "linear", "after")(inner(Dense(5, "tanh", "before")(x)));
  }));

  // One model per layer of the Dense family, between two Dense layers so that the weights
  // around it are checked too.
  auto around = [](std::string name, Shape shape, std::function<Tensor(const Tensor&)> layer) {
    return one_input(std::move(name), shape, [shape, layer](const Tensor& x) {
      Tensor h = Dense(shape.dim(-1), "linear", "before")(x);
      Tensor y = layer(h);
      if (y.rank() > 2) y = Flatten("flat")(y);
      return Dense(2, "linear", "after")(y);
    });
  };
  out.push_back(around("layer_unit_normalization", {4},
                       [](const Tensor& h) { return UnitNormalization(-1, "unit")(h); }));
  out.push_back(one_input("layer_normalization_adapted", {4}, [](const Tensor& x) {
    Normalization norm(NormalizationOptions(), "norm");
    norm.adapt(Tensor::random_normal({32, 4}, 3, 2, 77));
    return Dense(2, "linear", "after")(norm(x));
  }));
  out.push_back(around("layer_rescaling", {4},
                       [](const Tensor& h) { return Rescaling(0.5, -0.25, "rescale")(h); }));
  out.push_back(around("layer_reshape_permute", {6}, [](const Tensor& h) {
    return Permute({2, 1}, "permute")(Reshape({2, 3}, "reshape")(h));
  }));
  out.push_back(around("layer_repeat_vector", {4},
                       [](const Tensor& h) { return RepeatVector(3, "repeat")(h); }));
  out.push_back(around("layer_relu", {4}, [](const Tensor& h) {
    return ReLU(ReLUOptions().max_value(0.8).negative_slope(0.1).threshold(0.1), "relu")(h);
  }));
  out.push_back(around("layer_prelu", {4}, [](const Tensor& h) { return PReLU({}, "prelu")(h); }));
  out.push_back(around("layer_prelu_shared_axes", {6}, [](const Tensor& h) {
    return PReLU(PReLUOptions().shared_axes({1}), "prelu")(Reshape({2, 3}, "reshape")(h));
  }));
  out.push_back(around("layer_elu", {4}, [](const Tensor& h) { return ELU(0.7, "elu")(h); }));
  out.push_back(
      around("layer_softmax", {4}, [](const Tensor& h) { return Softmax(-1, "softmax")(h); }));
  out.push_back(around("layer_gaussian_noise", {4},
                       [](const Tensor& h) { return GaussianNoise(0.3, 11, "noise")(h); }));
  out.push_back(around("layer_gaussian_dropout", {4},
                       [](const Tensor& h) { return GaussianDropout(0.3, 12, "gdrop")(h); }));
  out.push_back(around("layer_alpha_dropout", {4},
                       [](const Tensor& h) { return AlphaDropout(0.3, 13, "adrop")(h); }));
  out.push_back(around("layer_activity_regularization", {4}, [](const Tensor& h) {
    return ActivityRegularization(0.01, 0.02, "actreg")(h);
  }));
  return out;
}

}  // namespace nabla::keras_export
