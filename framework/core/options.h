// NABLA_ARG: a field of an options struct with a fluent setter, as libtorch's TORCH_ARG.
//
//     struct DenseOptions {
//       NABLA_ARG(int64_t, units) = 0;
//     };
//     DenseOptions().units(64).use_bias(false);   // set
//     options.units();                            // get
#pragma once

#define NABLA_ARG(T, name)         \
 public:                           \
  auto& name(const T& new_value) { \
    this->name##_ = new_value;     \
    return *this;                  \
  }                                \
  const T& name() const noexcept { \
    return name##_;                \
  }                                \
                                   \
 private:                          \
  T name##_
