// A custom training loop across the ranks of an MPI job, as Horovod's DistributedOptimizer does
// it: every rank computes the gradient of its share of each global batch under a GradientTape,
// all_reduce() averages the gradients, and every rank applies the same update. Run it with
//
//     mpirun -np 2 build/examples/distributed_loop
//
// or alone (a world of one: the collectives return at once). See docs/distributed.md.
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <nabla/nabla.h>
using namespace nabla;
namespace dist = nabla::distributed;

namespace {

// Two noisy rings, inner one class 0, outer one class 1: the same rows on every rank.
std::pair<Tensor, Tensor> rings(int rows) {
  Tensor x = Tensor::empty({rows, 2});
  Tensor y = Tensor::empty({rows}, DType::Int32);
  Tensor noise = Tensor::random_normal({rows}, 0, 0.1, /*seed=*/7);
  for (int i = 0; i < rows; ++i) {
    const double angle = 0.61 * i, radius = (i % 2 ? 2.0 : 1.0) + noise.at(i);
    x.data<float>()[2 * i] = static_cast<float>(radius * std::cos(angle));
    x.data<float>()[2 * i + 1] = static_cast<float>(radius * std::sin(angle));
    y.data<int32_t>()[i] = i % 2;
  }
  return {x, y};
}

}  // namespace

int main() {
  // An exception on one rank ends every rank at once ("rank R failed: ..."), instead of leaving
  // the others waiting in an all-reduce.
  return dist::run_or_abort([] {
    const auto [x, y] = rings(480);
    set_seed(3);
    Sequential model({Input({2}), Dense(16, "relu"), Dense(2)});
    dist::broadcast_variables(model.weights());  // rank 0's initial weights on every rank
    Adam optimizer(0.02);
    SparseCategoricalCrossentropy loss_fn(SparseCategoricalCrossentropyOptions().from_logits(true));

    // The global batch is what one process would use; each rank takes its rows of it (48
    // divides by 1, 2, 3, 4, 6, 8 ... ranks; Strategy::shard says which sizes do).
    const int64_t global_batch = 48, per_rank = global_batch / dist::world_size();
    double last_loss = 0;
    for (int epoch = 0; epoch < 20; ++epoch)
      for (int64_t b = 0; b < x.shape()[0]; b += global_batch) {
        const int64_t from = b + dist::rank() * per_rank, to = from + per_rank;
        GradientTape tape;
        Tensor loss = loss_fn(y.rows(from, to), model(x.rows(from, to), /*training=*/true));
        TensorList grads = tape.gradient(loss, model.trainable_weights());
        dist::all_reduce(grads);  // the mean over the ranks: the global batch's gradient
        optimizer.apply_gradients(grads, model.trainable_weights());
        dist::all_reduce(loss);  // for the log: the mean loss of the global batch
        last_loss = loss.at(0);
      }

    // The weights are the same on every rank: each applied the same updates.
    std::string bytes;
    for (const Tensor& w : model.get_weights())
      bytes.append(static_cast<const char*>(w.raw_data()), static_cast<size_t>(w.numel()) * 4);
    const std::vector<std::string> on_ranks = dist::world().all_gather(dist::fingerprint(bytes));
    for (const std::string& f : on_ranks)
      if (f != on_ranks[0]) throw StateError("the ranks' weights differ after training");
    if (dist::is_chief()) {
      std::printf("ranks: %d, last batch loss %.4f, weights the same on every rank\n",
                  dist::world_size(), last_loss);
      model.save("distributed_loop.h5");  // one rank writes
    }
    return 0;
  });
}
