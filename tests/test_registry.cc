// Registry<T>: one shape for every table of names (layers, losses, optimizers, metrics,
// callbacks, initializers, activations, regularizers, schedules) and one error format.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "framework/nabla.h"

using namespace nabla;
using nlohmann::json;

namespace {

struct Thing {
  explicit Thing(int v) : value(v) {}
  int value;
};

using ThingRegistry = Registry<Thing>;

std::shared_ptr<Thing> make(int v) {
  return std::make_shared<Thing>(v);
}

ThingRegistry::EntryType returns(int v) {
  return [v](const json& config) { return make(config.value("plus", 0) + v); };
}

}  // namespace

TEST_CASE("a registry adds, replaces, aliases and lists names in registration order") {
  ThingRegistry r("thing");
  r.add("One", returns(1), {"one", "uno"});
  r.add("Two", returns(2));
  CHECK(r.names() == std::vector<std::string>{"One", "one", "uno", "Two"});
  CHECK(r.contains("uno"));
  CHECK_FALSE(r.contains("ONE"));
  CHECK(r.create("uno", json::object())->value == 1);
  r.add("Two", returns(22));  // replaces, keeps its place
  CHECK(r.create("Two", json::object())->value == 22);
  CHECK(r.names().size() == 4);
  CHECK(r.kind() == "thing");
}

TEST_CASE("a registry makes things from Keras configs or bare names") {
  ThingRegistry r("thing");
  r.add("One", returns(1));
  CHECK(r.from_config("One")->value == 1);
  CHECK(r.from_config({{"class_name", "One"}, {"config", {{"plus", 10}}}})->value == 11);
  CHECK(r.from_config({{"class_name", "One"}})->value == 1);
  CHECK_THROWS_WITH_AS(r.from_config(json::array()),
                       doctest::Contains("a thing config is a name or {\"class_name\""),
                       ValueError);
  CHECK_THROWS_WITH_AS(r.from_config({{"class_name", 3}}),
                       doctest::Contains("got {\"class_name\":3}"), ValueError);
}

TEST_CASE("unknown names are one NotFoundError format, with the nearest name") {
  ThingRegistry r("thing");
  r.add("Alpha", returns(1));
  r.add("Beta", returns(2));
  CHECK_THROWS_WITH_AS(r.get("Alpah"),
                       "unknown thing 'Alpah' (did you mean 'Alpha'?); known: Alpha, Beta",
                       NotFoundError);
  CHECK_THROWS_WITH_AS(r.get("zzzzzz"), "unknown thing 'zzzzzz'; known: Alpha, Beta",
                       NotFoundError);
}

TEST_CASE("a case-insensitive registry matches any case and suggests Keras's lower-case names") {
  ThingRegistry r("thing", NameCase::Insensitive);
  r.add("RMSprop", returns(1));
  CHECK(r.contains("rmsprop"));
  CHECK(r.contains("RMSPROP"));
  CHECK(r.create("rmsProp", json::object())->value == 1);
  CHECK(r.names() == std::vector<std::string>{"RMSprop"});
  r.add("rmsprop", returns(2));  // the same name: replaced
  CHECK(r.names() == std::vector<std::string>{"RMSprop"});
  CHECK(r.create("RMSprop", json::object())->value == 2);
  CHECK_THROWS_WITH_AS(r.get("rmsprp"), doctest::Contains("did you mean 'rmsprop'"), NotFoundError);
}

TEST_CASE("every kind's global registry holds nabla's built-ins") {
  CHECK(LayerRegistry::global().contains("Dense"));
  CHECK(LayerRegistry::global().contains("BatchNormalization"));
  CHECK(LossRegistry::global().contains("mse"));
  CHECK(LossRegistry::global().contains("SparseCategoricalCrossentropy"));
  CHECK(OptimizerRegistry::global().contains("adamw"));
  CHECK(MetricRegistry::global().contains("auc"));
  CHECK(CallbackRegistry::global().contains("TensorBoard"));
  CHECK(InitializerRegistry::global().contains("HeNormal"));
  CHECK(ActivationRegistry::global().contains("gelu"));
  CHECK(RegularizerRegistry::global().contains("L1L2"));
  CHECK(ScheduleRegistry::global().contains("CosineDecay"));
  // The names the older functions list come from the registries.
  CHECK(loss_names() == LossRegistry::global().names());
  CHECK(metric_names() == MetricRegistry::global().names());
  CHECK(ActivationFn::names() == ActivationRegistry::global().names());
}

TEST_CASE("every kind reports unknown names in the one format") {
  CHECK_THROWS_WITH_AS(LayerRegistry::global().from_config({{"class_name", "Densse"}}),
                       doctest::Contains("unknown layer class 'Densse' (did you mean 'Dense'?)"),
                       NotFoundError);
  CHECK_THROWS_WITH_AS(get_loss("msee"), doctest::Contains("unknown loss 'msee' (did you mean"),
                       NotFoundError);
  CHECK_THROWS_WITH_AS(get_optimizer("adamm"),
                       doctest::Contains("unknown optimizer 'adamm' (did you mean 'adam'?)"),
                       NotFoundError);
  CHECK_THROWS_WITH_AS(get_metric("precison"),
                       doctest::Contains("unknown metric 'precison' (did you mean 'precision'?)"),
                       NotFoundError);
  CHECK_THROWS_WITH_AS(
      callback_from_config({{"class_name", "EarlyStoping"}}),
      doctest::Contains("unknown callback 'EarlyStoping' (did you mean 'EarlyStopping'?)"),
      NotFoundError);
  CHECK_THROWS_WITH_AS(Initializer("he_normall"),
                       doctest::Contains("unknown initializer 'he_normall' (did you mean"),
                       NotFoundError);
  CHECK_THROWS_WITH_AS(ActivationFn("rleu"),
                       doctest::Contains("unknown activation 'rleu' (did you mean 'relu'?)"),
                       NotFoundError);
  CHECK_THROWS_WITH_AS(Regularizer::from_config("l3"),
                       doctest::Contains("unknown regularizer 'l3' (did you mean"), NotFoundError);
  CHECK_THROWS_WITH_AS(
      schedule_from_config({{"class_name", "CosinDecay"}}),
      doctest::Contains(
          "unknown learning-rate schedule 'CosinDecay' (did you mean 'CosineDecay'?)"),
      NotFoundError);
}

TEST_CASE("users register their own of every kind and configs find them") {
  // Names unique to this test: the registries are global.
  OptimizerRegistry::global().add("TestRegistrySGD", [](const json& config) -> OptimizerPtr {
    return std::make_shared<SGD>(SGDOptions(config.value("learning_rate", 0.5)));
  });
  CHECK(optimizer_from_config(
            {{"class_name", "testregistrysgd"}, {"config", {{"learning_rate", 0.25}}}})
            ->learning_rate() == doctest::Approx(0.25));

  LossRegistry::global().add("test_registry_loss",
                             [](const json&) -> LossPtr { return get_loss("mae"); });
  CHECK(loss_from_config("test_registry_loss")->class_name() == "MeanAbsoluteError");

  MetricRegistry::global().add("test_registry_metric",
                               [](const std::string& name, const Loss*, int64_t) -> MetricPtr {
                                 return std::make_shared<AUC>(10, name);
                               });
  CHECK(get_metric("test_registry_metric")->name() == "test_registry_metric");

  LayerRegistry::global().add("TestRegistryDense", [](const json& config) -> LayerPtr {
    return std::make_shared<Dense>(config.value("units", 2));
  });
  CHECK(LayerRegistry::global()
            .from_config({{"class_name", "TestRegistryDense"}, {"config", {{"units", 3}}}})
            ->class_name() == "Dense");

  CallbackRegistry::global().add("TestRegistryCallback",
                                 [](const json&, const CallbackConfigOptions&) -> CallbackPtr {
                                   return std::make_shared<TerminateOnNaN>();
                                 });
  CHECK(std::dynamic_pointer_cast<TerminateOnNaN>(
            callback_from_config({{"class_name", "TestRegistryCallback"}})) != nullptr);

  InitializerRegistry::global().add("test_registry_sevens", [](const json& config) {
    return Initializer(
        "TestRegistrySevens",
        [](const Shape& shape, DType dtype, uint64_t) { return Tensor::full(shape, 7.0, dtype); },
        config);
  });
  const Initializer sevens("test_registry_sevens");
  CHECK(sevens({2}).at(1) == 7.0);
  CHECK(sevens.get_config() ==
        json{{"class_name", "TestRegistrySevens"}, {"config", json::object()}});

  ActivationRegistry::global().add("test_registry_double",
                                   {[](const Tensor& x, double) { return x * 2.f; }});
  CHECK(ActivationFn("test_registry_double")(Tensor({1.5f})).at(0) == 3.0);

  RegularizerRegistry::global().add("TestRegistryL2", [](const json& config) -> RegularizerPtr {
    return regularizers::l2(config.value("factor", 1.0));
  });
  CHECK(Regularizer::from_config({{"class_name", "TestRegistryL2"}, {"config", {{"factor", 3}}}})
            ->l2() == 3.0);

  ScheduleRegistry::global().add("TestRegistryDecay", [](const json& config) -> SchedulePtr {
    return std::make_shared<ExponentialDecay>(config.value("lr", 1.0), 1, 0.5);
  });
  CHECK((*schedule_from_config({{"class_name", "TestRegistryDecay"}, {"config", {{"lr", 2.0}}}}))(
            1) == doctest::Approx(1.0));
}
