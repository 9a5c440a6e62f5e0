// The exception types nabla throws. Every message names what was wrong and where: the node or
// layer, the shapes, the config key, the file and the HDF5 path.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace nabla {

/// Base of every nabla error.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Shapes that do not fit together (static inference at graph construction, feeds, weights).
class ShapeError : public Error {
 public:
  using Error::Error;
};

/// An element type an op or a feed does not accept.
class TypeError : public Error {
 public:
  using Error::Error;
};

/// A bad argument value: a rate outside [0, 1), a negative batch size, a label out of range.
class ValueError : public Error {
 public:
  using Error::Error;
};

/// An unknown name: op, layer, loss, optimizer, activation, node.
class NotFoundError : public Error {
 public:
  using Error::Error;
};

/// Something used in the wrong state: a variable read before initialisation, fit before compile.
class StateError : public Error {
 public:
  using Error::Error;
};

/// A tensor or buffer that does not fit in memory.
class OutOfMemoryError : public Error {
 public:
  using Error::Error;
};

/// A file that cannot be read or written, or whose content is not what was expected.
class IOError : public Error {
 public:
  using Error::Error;
};

/// A feature this build or backend does not have.
class UnimplementedError : public Error {
 public:
  using Error::Error;
};

/// " (did you mean 'relu'?)" for the candidate nearest to `name` by edit distance, or "" when
/// nothing is close. Used by every registry lookup that fails.
std::string did_you_mean(const std::string& name, const std::vector<std::string>& candidates);

/// Throws NotFoundError("unknown <what> 'name' (did you mean ...?); known: a, b, c").
[[noreturn]] void throw_unknown(const std::string& what, const std::string& name,
                                const std::vector<std::string>& candidates);

/// Inside a catch block: throws the current nabla error again, of the same type, with `prefix`
/// put before its message ("layer 2 of the model config: " + "unknown activation ..."). Other
/// exceptions are rethrown unchanged.
[[noreturn]] void rethrow_with_context(const std::string& prefix);

}  // namespace nabla
