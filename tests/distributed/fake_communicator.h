// A communicator that pretends to be one rank of a larger world, for testing the distributed
// layer in one process: every peer is taken to hold the same data as this rank, so a sum is
// size() times the value; non-blocking all-reduces complete on their second test() and are
// logged in the order they were started.
#pragma once

#include <string>
#include <vector>

#include "framework/core/errors.h"
#include "framework/distributed/communicator.h"
#include "framework/distributed/single_process.h"

namespace nabla::testing {

class FakeCommunicator final : public distributed::Communicator {
 public:
  FakeCommunicator(int rank, int size) : rank_(rank), size_(size) {}

  struct Started {
    void* data;
    int64_t count;
    DType dtype;
  };
  /// The non-blocking all-reduces started, in order.
  std::vector<Started> started;
  /// What the other ranks contribute to all_gather (this rank's own entry is ignored); when
  /// empty, every peer contributes what this rank does.
  std::vector<std::string> peers_gather;

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  int local_rank() const override { return rank_; }
  int local_size() const override { return size_; }
  std::string name() const override { return "fake"; }

  void all_reduce_sum(void* data, int64_t count, DType dtype) override {
    distributed::check_buffer(data, count, dtype, "all_reduce");
    multiply(data, count, dtype);
  }
  void broadcast(void* data, int64_t bytes, int root) override { check_root(root, "broadcast"); }
  std::vector<std::string> all_gather(const std::string& bytes) override {
    std::vector<std::string> out = peers_gather;
    if (out.empty()) out.assign(static_cast<size_t>(size_), bytes);
    out.resize(static_cast<size_t>(size_));
    out[static_cast<size_t>(rank_)] = bytes;
    return out;
  }
  void barrier() override {}
  void start_all_reduce_sum(void* data, int64_t count, DType dtype,
                            distributed::Request& request) override {
    distributed::check_buffer(data, count, dtype, "all_reduce");
    started.push_back({data, count, dtype});
    request.handle = started.size() - 1;
    request.active = true;
    tests_.push_back(0);
  }
  bool test(distributed::Request& request) override {
    if (!request.active) return true;
    if (++tests_[request.handle] < 2) return false;
    complete(request);
    return true;
  }
  void wait(distributed::Request& request) override {
    if (request.active) complete(request);
  }
  [[noreturn]] void abort(const std::string& message) override {
    throw Error("abort: " + message);  // a test sees it as an exception
  }

  using Communicator::all_reduce_sum;

 private:
  void complete(distributed::Request& request) {
    const Started& s = started[request.handle];
    multiply(s.data, s.count, s.dtype);
    request.active = false;
  }
  void multiply(void* data, int64_t count, DType dtype) {
    for (int64_t i = 0; i < count; ++i) {
      switch (dtype) {
        case DType::Float32:
          static_cast<float*>(data)[i] *= static_cast<float>(size_);
          break;
        case DType::Float64:
          static_cast<double*>(data)[i] *= size_;
          break;
        case DType::Int32:
          static_cast<int32_t*>(data)[i] *= size_;
          break;
        case DType::Int64:
          static_cast<int64_t*>(data)[i] *= size_;
          break;
        case DType::Bool:
          break;
      }
    }
  }

  int rank_, size_;
  std::vector<int> tests_;
};

}  // namespace nabla::testing
