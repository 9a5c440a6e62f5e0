// How many threads run nabla's kernels: the public face of the thread pool (thread_pool.h).
#pragma once

namespace nabla {

/// Threads of the global pool that runs every kernel, the calling thread included:
/// NABLA_NUM_THREADS when set, else available_cores().
int num_threads();
/// Resizes the global pool (1 means everything runs on the calling thread); ValueError below 1.
void set_num_threads(int n);
/// The number of cores this process may run on (its CPU affinity mask).
int available_cores();

}  // namespace nabla
