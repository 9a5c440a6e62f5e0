// nabla: a Keras-style deep-learning framework in C++. `#include <nabla/nabla.h>` gives the whole
// public API; the engine's internals (apply_op, plans, backends, the thread pool, the training
// step) are not part of it, and a program that needs one includes its header by name.
#pragma once

// The engine: tensors, graphs, ops, autodiff, sessions, threads; nabla's version.
#include "framework/autodiff/gradient_tape.h"
#include "framework/autodiff/gradients.h"
#include "framework/core/device.h"
#include "framework/core/errors.h"
#include "framework/core/random.h"
#include "framework/core/registry.h"
#include "framework/core/tensor.h"
#include "framework/core/version.h"
#include "framework/graph/graph.h"
#include "framework/graph/variable.h"
#include "framework/io/graph_io.h"
#include "framework/ops/ops.h"
#include "framework/runtime/session.h"
#include "framework/runtime/threads.h"

// The Keras API: layers, losses, optimizers, metrics, callbacks, models, checkpoints.
#include "framework/keras/callback_config.h"
#include "framework/keras/callbacks.h"
#include "framework/keras/checkpoint.h"
#include "framework/keras/metrics.h"
#include "framework/keras/model.h"
#include "framework/keras/sequential.h"
#include "framework/keras/tensorboard.h"
#include "layers/layers.h"
#include "losses/losses.h"
#include "optimizers/optimizers.h"

// Files: data sets, and the all-or-nothing writer every saved file goes through.
#include "framework/data/loaders.h"
#include "framework/io/atomic_file.h"

// Several processes and machines: the communicator and the data-parallel strategy.
#include "framework/distributed/distributed.h"
#include "framework/distributed/strategy.h"
