#include "framework/core/errors.h"

#include <algorithm>
#include <cctype>

namespace nabla {
namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string did_you_mean(const std::string& name, const std::vector<std::string>& candidates) {
  const std::string key = lower(name);
  size_t best = std::string::npos;
  const std::string* best_name = nullptr;
  for (const auto& c : candidates) {
    size_t d = edit_distance(key, lower(c));
    if (d < best) best = d, best_name = &c;
  }
  // Close enough to be a typo: at most a third of the letters differ.
  if (best_name && best <= std::max<size_t>(2, key.size() / 3))
    return " (did you mean '" + *best_name + "'?)";
  return "";
}

void throw_unknown(const std::string& what, const std::string& name,
                   const std::vector<std::string>& candidates) {
  std::string known;
  for (const auto& c : candidates) known += (known.empty() ? "" : ", ") + c;
  throw NotFoundError("unknown " + what + " '" + name + "'" + did_you_mean(name, candidates) +
                      "; known: " + known);
}

void rethrow_with_context(const std::string& prefix) {
  try {
    throw;
  } catch (const ShapeError& e) {
    throw ShapeError(prefix + e.what());
  } catch (const TypeError& e) {
    throw TypeError(prefix + e.what());
  } catch (const ValueError& e) {
    throw ValueError(prefix + e.what());
  } catch (const NotFoundError& e) {
    throw NotFoundError(prefix + e.what());
  } catch (const StateError& e) {
    throw StateError(prefix + e.what());
  } catch (const OutOfMemoryError& e) {
    throw OutOfMemoryError(prefix + e.what());
  } catch (const IOError& e) {
    throw IOError(prefix + e.what());
  } catch (const UnimplementedError& e) {
    throw UnimplementedError(prefix + e.what());
  } catch (const Error& e) {
    throw Error(prefix + e.what());
  }
}

}  // namespace nabla
