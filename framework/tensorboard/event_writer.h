// EventFileWriter: TensorBoard event files (scalars, histograms, graphs), as TensorFlow 2 writes
// them.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "framework/tensorboard/histogram.h"

namespace nabla::tensorboard {

class RecordWriter;

/// Writes one new event file into a directory that TensorBoard reads as one run:
///
///     EventFileWriter train("logs/train");
///     train.add_scalar("epoch_loss", 0.42, /*step=*/0);
///     train.flush();
///
/// Summaries take TensorFlow 2's form, which TensorBoard shows as it shows tf.summary's: a
/// tensor plus metadata naming the plugin ("scalars", "histograms"). Each writer makes its own
/// file and never opens an existing one, so earlier runs in the same directory are kept (and
/// TensorBoard shows them together). Records are buffered: call flush() to make them visible.
/// Failures are IOError naming the file (or directory) and the system's reason.
class EventFileWriter {
 public:
  /// Creates `log_dir` (and its parents) and a new file in it named as TensorFlow names them,
  /// "events.out.tfevents.<unix seconds>.<hostname>.<pid>.<n>.v2"; its first record is the
  /// event with file_version "brain.Event:2".
  explicit EventFileWriter(const std::string& log_dir);
  /// Flushes and closes (errors are swallowed here; call close() to see them).
  ~EventFileWriter();
  EventFileWriter(const EventFileWriter&) = delete;
  EventFileWriter& operator=(const EventFileWriter&) = delete;

  /// A scalar as tf.summary.scalar writes it: a float32 rank-0 tensor, plugin "scalars".
  void add_scalar(const std::string& tag, double value, int64_t step);
  /// A histogram of `values` as tf.summary.histogram writes it: a float64 [buckets, 3] tensor of
  /// (left edge, right edge, count) rows, plugin "histograms". See histogram_buckets().
  void add_histogram(const std::string& tag, std::span<const double> values, int64_t step,
                     int buckets = kDefaultHistogramBuckets);
  /// A serialized GraphDef (see graph_def.h), drawn by the Graphs tab.
  void add_graph(const std::string& graph_def, int64_t step = 0);
  /// A Keras model config (to_json()) as Keras's TensorBoard callback writes it (plugin
  /// "graph_keras_model"): the Graphs tab's "conceptual graph" of layers.
  void add_keras_model(const std::string& tag, const std::string& model_json, int64_t step = 0);

  /// Writes the buffered events to the file.
  void flush();
  /// Flushes and closes the file; later adds are a StateError.
  void close();
  /// The event file's path.
  const std::string& path() const;

 private:
  void write_event(const std::string& serialized_event);
  std::unique_ptr<RecordWriter> records_;
};

/// Seconds since the Unix epoch, as event files record time.
double wall_time_now();

}  // namespace nabla::tensorboard
