// What a test expects to be refused: the message of the error it throws.
#pragma once

#include <string>

namespace nabla::testing {

/// The message of the exception of type E that `f` throws ("" when it throws none). Any other
/// exception propagates, so a wrong kind of error fails the test.
template <class E, class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  return "";
}

}  // namespace nabla::testing
