// EventFileWriter: builds Event and Summary messages with the generated protobuf classes and
// frames them with RecordWriter.
#include "framework/tensorboard/event_writer.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <climits>
#include <cstdio>
#include <filesystem>

#include "framework/core/errors.h"
#include "framework/tensorboard/proto/summary.pb.h"
#include "framework/tensorboard/record_writer.h"

namespace nabla::tensorboard {
namespace {

namespace fs = std::filesystem;

// Numbers the files this process makes, as TensorFlow's writers do, so two writers started in
// the same second get different names.
std::atomic<int64_t> file_counter{0};

std::string host_name() {
  char name[HOST_NAME_MAX + 1] = {};
  if (gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

std::string event_file_name() {
  char seconds[32];
  std::snprintf(seconds, sizeof(seconds), "%010lld",
                static_cast<long long>(std::chrono::duration_cast<std::chrono::seconds>(
                                           std::chrono::system_clock::now().time_since_epoch())
                                           .count()));
  return std::string("events.out.tfevents.") + seconds + "." + host_name() + "." +
         std::to_string(getpid()) + "." + std::to_string(file_counter++) + ".v2";
}

tbproto::Summary::Value* new_value(tbproto::Event& event, int64_t step, const std::string& tag,
                                   const char* plugin, tbproto::DataClass data_class) {
  event.set_wall_time(wall_time_now());
  event.set_step(step);
  tbproto::Summary::Value* v = event.mutable_summary()->add_value();
  v->set_tag(tag);
  v->mutable_metadata()->mutable_plugin_data()->set_plugin_name(plugin);
  v->mutable_metadata()->set_data_class(data_class);
  return v;
}

// Little-endian bytes of trivially copyable numbers (nabla builds only for little-endian hosts).
template <class T>
std::string raw_bytes(const T* data, size_t count) {
  return std::string(reinterpret_cast<const char*>(data), count * sizeof(T));
}

}  // namespace

double wall_time_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

EventFileWriter::EventFileWriter(const std::string& log_dir) {
  std::error_code ec;
  fs::create_directories(log_dir, ec);
  if (ec || !fs::is_directory(log_dir))
    throw IOError("cannot create log directory '" + log_dir +
                  "': " + (ec ? ec.message() : std::string("it is not a directory")));
  for (int attempt = 0; !records_; ++attempt) {
    try {
      records_ = std::make_unique<RecordWriter>((fs::path(log_dir) / event_file_name()).string(),
                                                /*must_be_new=*/true);
    } catch (const RecordWriter::FileExistsError&) {
      // Another process with our pid (a container, a reused pid) wrote this name: take the next.
      if (attempt > 1000) throw IOError("cannot find a new event file name in '" + log_dir + "'");
    }
  }
  tbproto::Event event;
  event.set_wall_time(wall_time_now());
  event.set_file_version("brain.Event:2");
  write_event(event.SerializeAsString());
  flush();
}

EventFileWriter::~EventFileWriter() = default;  // RecordWriter's destructor flushes and closes

void EventFileWriter::add_scalar(const std::string& tag, double value, int64_t step) {
  tbproto::Event event;
  tbproto::Summary::Value* v = new_value(event, step, tag, "scalars", tbproto::DATA_CLASS_SCALAR);
  const float f = static_cast<float>(value);
  v->mutable_tensor()->set_dtype(tbproto::DT_FLOAT);
  v->mutable_tensor()->mutable_tensor_shape();  // present and empty: rank 0
  v->mutable_tensor()->set_tensor_content(raw_bytes(&f, 1));
  write_event(event.SerializeAsString());
}

void EventFileWriter::add_histogram(const std::string& tag, std::span<const double> values,
                                    int64_t step, int buckets) {
  const std::vector<HistogramBucket> rows = histogram_buckets(values, buckets);
  std::vector<double> flat;
  flat.reserve(rows.size() * 3);
  for (const HistogramBucket& b : rows) flat.insert(flat.end(), {b.left, b.right, b.count});
  tbproto::Event event;
  tbproto::Summary::Value* v =
      new_value(event, step, tag, "histograms", tbproto::DATA_CLASS_TENSOR);
  tbproto::TensorProto* t = v->mutable_tensor();
  t->set_dtype(tbproto::DT_DOUBLE);
  t->mutable_tensor_shape()->add_dim()->set_size(static_cast<int64_t>(rows.size()));
  t->mutable_tensor_shape()->add_dim()->set_size(3);
  t->set_tensor_content(raw_bytes(flat.data(), flat.size()));
  write_event(event.SerializeAsString());
}

void EventFileWriter::add_graph(const std::string& graph_def, int64_t step) {
  tbproto::Event event;
  event.set_wall_time(wall_time_now());
  event.set_step(step);
  event.set_graph_def(graph_def);
  write_event(event.SerializeAsString());
}

void EventFileWriter::add_keras_model(const std::string& tag, const std::string& model_json,
                                      int64_t step) {
  tbproto::Event event;
  // Keras marks this series with plugin content "1" (the graph plugin's format version) and
  // leaves the data class unset.
  tbproto::Summary::Value* v =
      new_value(event, step, tag, "graph_keras_model", tbproto::DATA_CLASS_UNKNOWN);
  v->mutable_metadata()->mutable_plugin_data()->set_content("1");
  v->mutable_tensor()->set_dtype(tbproto::DT_STRING);
  v->mutable_tensor()->mutable_tensor_shape();
  v->mutable_tensor()->add_string_val(model_json);
  write_event(event.SerializeAsString());
}

void EventFileWriter::write_event(const std::string& serialized_event) {
  records_->write(serialized_event);
}

void EventFileWriter::flush() {
  records_->flush();
}
void EventFileWriter::close() {
  records_->close();
}
const std::string& EventFileWriter::path() const {
  return records_->path();
}

}  // namespace nabla::tensorboard
