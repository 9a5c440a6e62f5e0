"""The model builders of the second fixture set (tests/data/keras/functional/).

Functional models (two inputs and two outputs, shared layers, nested models,
every merge layer), the layers beyond Dense/BatchNormalization/LayerNormalization
(one small model each), and the Keras 3 ``.keras`` archives with optimizer state.
``functional_fixtures.py`` writes and checks the files; this file only says what
each model is.

Every builder gets (keras, flavor, rng) and returns a Keras model whose Input
layers and output layers are named. A builder may use ``rng`` (for data it adapts
a layer on) before the weights are drawn. ``CASES`` lists, per case, which
flavors, which files and how the model is compiled and trained.
"""

BOTH = ("tfkeras2", "keras3")
KERAS3 = ("keras3",)


# ---------------------------------------------------------------- Functional

def functional_linear(keras, flavor, rng):
    # A plain stack written with the Functional API: class_name "Functional".
    L = keras.layers
    x = keras.Input((4,), name="x")
    h = L.Dense(5, activation="relu", name="hidden")(x)
    y = L.Dense(3, name="y")(h)
    return keras.Model(x, y, name="linear_stack")


def functional_two_in_two_out(keras, flavor, rng):
    L = keras.layers
    features = keras.Input((5,), name="features")
    extra = keras.Input((3,), name="extra")
    a = L.Dense(6, activation="relu", name="features_dense")(features)
    b = L.Dense(4, activation="tanh", name="extra_dense")(extra)
    h = L.Concatenate(name="joined")([a, b])
    h = L.Dense(8, activation="relu", name="trunk")(h)
    cls = L.Dense(3, activation="softmax", name="class_out")(h)
    val = L.Dense(1, name="value_out")(h)
    return keras.Model([features, extra], [cls, val], name="two_in_two_out")


def functional_dict_io(keras, flavor, rng):
    # Inputs and outputs given as dicts: input_layers / output_layers are
    # dicts in the config, and predict takes and returns dicts.
    L = keras.layers
    a = keras.Input((3,), name="left")
    b = keras.Input((2,), name="right")
    h = L.Concatenate(name="both")([L.Dense(4, name="left_dense")(a),
                                    L.Dense(4, name="right_dense")(b)])
    out_sum = L.Dense(2, name="sum_out")(h)
    out_prob = L.Dense(2, activation="sigmoid", name="prob_out")(h)
    return keras.Model({"left": a, "right": b},
                       {"sum_out": out_sum, "prob_out": out_prob},
                       name="dict_io")


def functional_shared_layer(keras, flavor, rng):
    # One Dense called on two inputs: two inbound nodes, and a consumer that
    # reads the shared layer's node 1.
    L = keras.layers
    a = keras.Input((4,), name="a")
    b = keras.Input((4,), name="b")
    shared = L.Dense(3, activation="tanh", name="shared")
    h = L.Concatenate(name="joined")([shared(a), shared(b)])
    y = L.Dense(2, name="y")(h)
    return keras.Model([a, b], y, name="shared_layer")


def functional_nested_sequential(keras, flavor, rng):
    L = keras.layers
    block = keras.Sequential([keras.Input((5,)),
                              L.Dense(4, activation="relu", name="block_dense_1"),
                              L.Dense(3, name="block_dense_2")], name="block")
    x = keras.Input((4,), name="x")
    h = L.Dense(5, activation="tanh", name="before")(x)
    y = L.Dense(2, name="after")(block(h))
    return keras.Model(x, y, name="outer")


def functional_nested_functional(keras, flavor, rng):
    L = keras.layers
    ix = keras.Input((5,), name="inner_x")
    inner = keras.Model(ix, L.Dense(3, activation="relu", name="inner_dense")(ix),
                        name="inner_model")
    x = keras.Input((4,), name="x")
    h = L.Dense(5, name="before")(x)
    y = L.Dense(2, name="after")(inner(h))
    return keras.Model(x, y, name="outer")


def merge(layer_class, n_inputs=2, **kwargs):
    def build(keras, flavor, rng):
        L = keras.layers
        ins = [keras.Input((4,), name="x%d" % (i + 1)) for i in range(n_inputs)]
        hs = [L.Dense(3, name="dense_x%d" % (i + 1))(t)
              for i, t in enumerate(ins)]
        m = getattr(L, layer_class)(name="merge", **kwargs)(hs)
        y = L.Dense(2, name="y")(m)
        return keras.Model(ins, y, name="merge_" + layer_class.lower())
    return build


def merge_concatenate_axis1(keras, flavor, rng):
    # Concatenate along a non-last axis of rank-3 tensors: (2,3)+(2,3) -> (4,3).
    L = keras.layers
    a = keras.Input((6,), name="x1")
    b = keras.Input((6,), name="x2")
    ra = L.Reshape((2, 3), name="reshape_x1")(L.Dense(6, name="dense_x1")(a))
    rb = L.Reshape((2, 3), name="reshape_x2")(L.Dense(6, name="dense_x2")(b))
    m = L.Concatenate(axis=1, name="merge")([ra, rb])
    y = L.Dense(2, name="y")(L.Flatten(name="flat")(m))
    return keras.Model([a, b], y, name="merge_concatenate_axis1")


# ---------------------------------------------------------------- layers

def seq(keras, in_shape, *layers):
    return keras.Sequential([keras.Input(in_shape, name="x")] + list(layers))


def around(make_layer, n_in=4, hidden=5):
    """Dense(hidden) -> the layer -> Dense(2), as a Sequential model."""
    def build(keras, flavor, rng):
        L = keras.layers
        return seq(keras, (n_in,), L.Dense(hidden, name="dense_in"),
                   make_layer(keras, flavor), L.Dense(2, name="dense_out"))
    return build


def layer_unit_normalization(keras, flavor, rng):
    return around(lambda k, f: k.layers.UnitNormalization(axis=-1))(
        keras, flavor, rng)


def layer_normalization_adapt(keras, flavor, rng):
    L = keras.layers
    norm = L.Normalization(axis=-1, name="norm")
    data = (rng.normal(size=(32, 4)) * [1.0, 2.0, 0.5, 3.0]
            + [0.5, -1.0, 2.0, 0.0]).astype("float32")
    norm.adapt(data)  # mean, variance, count become the layer's weights
    return seq(keras, (4,), norm, L.Dense(3, activation="relu", name="d1"),
               L.Dense(2, name="d2"))


def layer_normalization_given(keras, flavor, rng):
    # mean/variance given as arguments: they live in the config, and the
    # weights hold the same values.
    L = keras.layers
    return seq(keras, (3,),
               L.Normalization(mean=[0.5, -1.0, 2.0], variance=[1.0, 4.0, 0.25],
                               name="norm"),
               L.Dense(2, name="d"))


def layer_rescaling(keras, flavor, rng):
    L = keras.layers
    return seq(keras, (4,), L.Rescaling(scale=0.25, offset=-0.5, name="rescale"),
               L.Dense(2, name="d"))


def reshape_model(target_shape):
    def build(keras, flavor, rng):
        # Dense after the Reshape works on the last axis, so a wrong reshape
        # changes the output.
        L = keras.layers
        return seq(keras, (6,), L.Dense(6, name="d1"),
                   L.Reshape(target_shape, name="reshape"),
                   L.Dense(2, name="d2"), L.Flatten(name="flat"))
    return build


def layer_permute(keras, flavor, rng):
    L = keras.layers
    return seq(keras, (6,), L.Dense(6, name="d1"), L.Reshape((2, 3), name="reshape"),
               L.Permute((2, 1), name="permute"), L.Dense(2, name="d2"),
               L.Flatten(name="flat"))


def layer_repeat_vector(keras, flavor, rng):
    L = keras.layers
    return seq(keras, (4,), L.Dense(3, name="d1"), L.RepeatVector(2, name="repeat"),
               L.Dense(2, name="d2"), L.Flatten(name="flat"))


def layer_relu(keras, flavor, rng):
    return around(lambda k, f: k.layers.ReLU(max_value=1.5, negative_slope=0.1,
                                             threshold=0.2, name="relu"))(
        keras, flavor, rng)


def layer_prelu(keras, flavor, rng):
    return around(lambda k, f: k.layers.PReLU(name="prelu"))(keras, flavor, rng)


def layer_prelu_shared_axes(keras, flavor, rng):
    L = keras.layers
    return seq(keras, (6,), L.Dense(6, name="d1"), L.Reshape((2, 3), name="reshape"),
               L.PReLU(shared_axes=[1], name="prelu"), L.Flatten(name="flat"),
               L.Dense(2, name="d2"))


def layer_elu(keras, flavor, rng):
    return around(lambda k, f: k.layers.ELU(alpha=0.7, name="elu"))(keras, flavor, rng)


def layer_softmax(keras, flavor, rng):
    L = keras.layers
    return seq(keras, (4,), L.Dense(3, name="d1"), L.Softmax(name="softmax"))


def layer_softmax_axis(keras, flavor, rng):
    L = keras.layers
    return seq(keras, (6,), L.Dense(6, name="d1"), L.Reshape((2, 3), name="reshape"),
               L.Softmax(axis=1, name="softmax"), L.Flatten(name="flat"))


def layer_gaussian_noise(keras, flavor, rng):
    return around(lambda k, f: k.layers.GaussianNoise(0.3, name="noise"))(
        keras, flavor, rng)


def layer_gaussian_dropout(keras, flavor, rng):
    return around(lambda k, f: k.layers.GaussianDropout(0.25, name="noise"))(
        keras, flavor, rng)


def layer_alpha_dropout(keras, flavor, rng):
    return around(lambda k, f: k.layers.AlphaDropout(0.2, name="noise"))(
        keras, flavor, rng)


def layer_activity_regularization(keras, flavor, rng):
    return around(lambda k, f: k.layers.ActivityRegularization(
        l1=0.01, l2=0.002, name="act_reg"))(keras, flavor, rng)


# ---------------------------------------------------------------- .keras archives

def archive_functional(keras, flavor, rng):
    # A Functional model with a nested Sequential: layers/<name>/... nests, and
    # the optimizer's slots follow the nested model's variables.
    L = keras.layers
    block = keras.Sequential([keras.Input((8,)),
                              L.Dense(6, activation="tanh", name="block_dense_1"),
                              L.Dense(5, name="block_dense_2")], name="block")
    x = keras.Input((4,), name="x")
    h = L.Dense(8, activation="relu", name="hidden")(x)
    y = L.Dense(3, activation="softmax", name="probs")(block(h))
    return keras.Model(x, y, name="archive_model")


def archive_sequential(keras, flavor, rng):
    L = keras.layers
    return keras.Sequential([keras.Input((4,)),
                             L.Dense(6, activation="relu", name="hidden"),
                             L.Dense(2, name="out")], name="regressor")


# ---------------------------------------------------------------- compile specs

def adam_mse(keras):
    return dict(optimizer=keras.optimizers.Adam(learning_rate=1e-3), loss="mse",
                metrics=["mae"])


def two_heads(keras):
    return dict(optimizer=keras.optimizers.Adam(learning_rate=1e-3),
                loss={"class_out": "categorical_crossentropy",
                      "value_out": "mse"},
                loss_weights={"class_out": 1.0, "value_out": 0.5},
                metrics={"class_out": ["accuracy"], "value_out": ["mae"]})


def adam_cce(keras):
    return dict(optimizer=keras.optimizers.Adam(learning_rate=0.01),
                loss="categorical_crossentropy", metrics=["accuracy"])


def sgd_momentum_mse(keras):
    return dict(optimizer=keras.optimizers.SGD(learning_rate=0.05, momentum=0.9),
                loss="mse", metrics=["mae"])


def case(name, build, flavors=BOTH, compile=None, epochs_before=0, steps_after=0,
         archive=False, legacy=True, next_step=False, identity=None, notes=""):
    """One fixture case.

    compile: a function keras -> compile kwargs, or None (not compiled).
    epochs_before: epochs of fit on random data before the weights are drawn
      (so the files hold optimizer state).
    steps_after: train_on_batch steps after the weights are drawn (the
      archive cases: the saved weights are trained weights).
    archive: also write <case>.keras3.keras (Keras 3 only; the functional_*
      and keras_* cases: the layer cases' Keras 3 layout is in their
      .weights.h5 already).
    legacy: write <case>.<flavor>.model.h5 and the weights file.
    next_step: record one more train_on_batch step (batch, loss, weights after).
    identity: the name of a layer that is the identity at inference (checked).
    """
    return dict(name=name, build=build, flavors=flavors, compile=compile,
                epochs_before=epochs_before, steps_after=steps_after,
                archive=archive, legacy=legacy,
                next_step=next_step, identity=identity, notes=notes)


MERGES = [("add", "Add", 2, {}), ("add_three", "Add", 3, {}),
          ("subtract", "Subtract", 2, {}), ("multiply", "Multiply", 2, {}),
          ("average", "Average", 2, {}), ("maximum", "Maximum", 2, {}),
          ("minimum", "Minimum", 2, {}), ("concatenate", "Concatenate", 2, {})]

CASES = [
    case("functional_linear", functional_linear, archive=True, compile=adam_mse,
         notes="compiled, never trained: the optimizer has only iteration and "
               "learning_rate"),
    case("functional_two_in_two_out", functional_two_in_two_out, archive=True,
         compile=two_heads, epochs_before=1, next_step=True,
         notes="per-output losses as a dict, loss_weights 1.0/0.5, per-output "
               "metrics; trained one epoch before the weights were drawn"),
    case("functional_dict_io", functional_dict_io, archive=True),
    case("functional_shared_layer", functional_shared_layer, archive=True,
         compile=adam_mse),
    case("functional_nested_sequential", functional_nested_sequential,
         archive=True, compile=adam_mse),
    case("functional_nested_functional", functional_nested_functional,
         archive=True),
]
CASES += [case("merge_" + n, merge(cls, k, **kw),
               compile=adam_mse if k == 2 else None)
          for n, cls, k, kw in MERGES]
CASES += [
    case("merge_concatenate_axis1", merge_concatenate_axis1, compile=adam_mse),
    case("layer_unit_normalization", layer_unit_normalization, compile=adam_mse),
    case("layer_normalization_adapt", layer_normalization_adapt, compile=adam_mse,
         notes="Normalization adapted on 32 rows; its mean/variance/count are "
               "the adapted ones, not random"),
    case("layer_normalization_given", layer_normalization_given,
         notes="Normalization(mean=[0.5,-1,2], variance=[1,4,0.25])"),
    case("layer_rescaling", layer_rescaling, compile=adam_mse),
    case("layer_reshape", reshape_model((2, 3))),
    case("layer_reshape_infer", reshape_model((-1, 2)),
         notes="Reshape target_shape (-1, 2): the -1 is inferred (3)"),
    case("layer_permute", layer_permute, compile=adam_mse),
    case("layer_repeat_vector", layer_repeat_vector),
    case("layer_relu", layer_relu, compile=adam_mse),
    case("layer_prelu", layer_prelu, compile=adam_mse),
    case("layer_prelu_shared_axes", layer_prelu_shared_axes),
    case("layer_elu", layer_elu, compile=adam_mse),
    case("layer_softmax", layer_softmax),
    case("layer_softmax_axis", layer_softmax_axis, compile=adam_mse),
    case("layer_gaussian_noise", layer_gaussian_noise, compile=adam_mse,
         identity="noise"),
    case("layer_gaussian_dropout", layer_gaussian_dropout, compile=adam_mse,
         identity="noise"),
    case("layer_alpha_dropout", layer_alpha_dropout, compile=adam_mse,
         identity="noise"),
    case("layer_activity_regularization", layer_activity_regularization,
         compile=adam_mse, identity="act_reg"),
    case("keras_adam", archive_functional, archive=True, flavors=KERAS3,
         compile=adam_cce, steps_after=3, legacy=False, next_step=True,
         notes="Adam(learning_rate=0.01); 3 train_on_batch steps of 8 rows after "
               "the weights were drawn, then saved with its optimizer state"),
    case("keras_sgd_momentum", archive_sequential, archive=True, flavors=KERAS3,
         compile=sgd_momentum_mse, steps_after=3, legacy=False, next_step=True,
         notes="SGD(learning_rate=0.05, momentum=0.9); 3 train_on_batch steps "
               "of 8 rows, then saved with its optimizer state"),
    case("keras_uncompiled", archive_functional, archive=True, flavors=KERAS3,
         legacy=False,
         notes="never compiled: the archive has no optimizer/ group and "
               "config.json no compile_config"),
]
