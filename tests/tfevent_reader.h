// The tests' independent reader of TensorBoard event files: TensorFlow's Event, Summary,
// TensorProto and GraphDef messages decoded by field number over tfrecord_reader.h.
#pragma once

#include <algorithm>
#include <map>

#include "tfrecord_reader.h"

namespace tfevents {

// TensorShapeProto: dim = 2 { size = 1 }.
inline std::vector<int64_t> shape_dims(const std::string& shape) {
  std::vector<int64_t> dims;
  for (const Field& d : fields(shape))
    if (d.number == 2) {
      const std::vector<Field> dim = fields(d.bytes);
      const Field* size = find(dim, 1);
      dims.push_back(size ? static_cast<int64_t>(size->value) : 0);
    }
  return dims;
}

// A Summary.Value: tag = 1, metadata = 9 {plugin_data = 1 {plugin_name = 1, content = 2},
// data_class = 4}, tensor = 8 {dtype = 1, tensor_shape = 2, tensor_content = 4, string_val = 8},
// simple_value = 2.
struct Value {
  std::string tag, plugin, plugin_content;
  int data_class = 0, dtype = 0;
  std::vector<int64_t> shape;
  std::string content;
  std::vector<std::string> strings;

  // The numbers of the tensor (DT_FLOAT = 1 or DT_DOUBLE = 2), from its raw little-endian bytes.
  std::vector<double> numbers() const {
    std::vector<double> out;
    const size_t width = dtype == 1 ? 4 : 8;
    for (size_t at = 0; at + width <= content.size(); at += width)
      out.push_back(dtype == 1 ? as_float(le(content, at, 4)) : as_double(le(content, at, 8)));
    return out;
  }
};

// An Event: wall_time = 1, step = 2, file_version = 3, graph_def = 4, summary = 5 {value = 1}.
struct Event {
  double wall_time = 0;
  int64_t step = 0;
  std::string file_version, graph_def;
  std::vector<Value> values;
};

inline Event parse_event(const std::string& record) {
  Event e;
  for (const Field& f : fields(record)) {
    if (f.number == 1) e.wall_time = as_double(f.value);
    if (f.number == 2) e.step = static_cast<int64_t>(f.value);
    if (f.number == 3) e.file_version = f.bytes;
    if (f.number == 4) e.graph_def = f.bytes;
    if (f.number != 5) continue;
    for (const Field& vf : fields(f.bytes)) {
      if (vf.number != 1) continue;
      Value v;
      const std::vector<Field> value = fields(vf.bytes);
      v.tag = bytes_of(value, 1);
      const std::vector<Field> meta = fields(bytes_of(value, 9));
      const std::vector<Field> plugin = fields(bytes_of(meta, 1));
      v.plugin = bytes_of(plugin, 1);
      v.plugin_content = bytes_of(plugin, 2);
      if (const Field* dc = find(meta, 4)) v.data_class = static_cast<int>(dc->value);
      const std::vector<Field> tensor = fields(bytes_of(value, 8));
      if (const Field* dt = find(tensor, 1)) v.dtype = static_cast<int>(dt->value);
      v.shape = shape_dims(bytes_of(tensor, 2));
      v.content = bytes_of(tensor, 4);
      for (const Field& s : tensor)
        if (s.number == 8) v.strings.push_back(s.bytes);
      e.values.push_back(v);
    }
  }
  return e;
}

inline std::vector<Event> read_events(const std::filesystem::path& path) {
  std::vector<Event> out;
  for (const std::string& r : read_records(path)) out.push_back(parse_event(r));
  return out;
}

// The scalar series of `tag` in `events`: step -> value.
inline std::map<int64_t, double> scalars(const std::vector<Event>& events, const std::string& tag) {
  std::map<int64_t, double> out;
  for (const Event& e : events)
    for (const Value& v : e.values)
      if (v.tag == tag && v.plugin == "scalars" && !v.numbers().empty())
        out[e.step] = v.numbers()[0];
  return out;
}

// A NodeDef: name = 1, op = 2, input = 3, attr = 5 (map entries {key = 1, value = 2}).
struct Node {
  std::string name, op;
  std::vector<std::string> inputs;
  std::map<std::string, std::string> attrs;  // AttrValue bytes by key

  // AttrValue.type = 6, or -1 when the attribute is missing or of another kind.
  int attr_type(const std::string& key) const {
    auto it = attrs.find(key);
    if (it == attrs.end()) return -1;
    const std::vector<Field> value = fields(it->second);
    const Field* t = find(value, 6);
    return t ? static_cast<int>(t->value) : -1;
  }
  // AttrValue.list = 1 { shape = 7 }: the dims of each listed shape.
  std::vector<std::vector<int64_t>> output_shapes() const {
    std::vector<std::vector<int64_t>> out;
    auto it = attrs.find("_output_shapes");
    if (it == attrs.end()) return out;
    for (const Field& s : fields(bytes_of(fields(it->second), 1)))
      if (s.number == 7) out.push_back(shape_dims(s.bytes));
    return out;
  }
};

// A GraphDef: node = 1.
inline std::vector<Node> parse_graph(const std::string& graph_def) {
  std::vector<Node> nodes;
  for (const Field& nf : fields(graph_def)) {
    if (nf.number != 1) continue;
    Node n;
    for (const Field& f : fields(nf.bytes)) {
      if (f.number == 1) n.name = f.bytes;
      if (f.number == 2) n.op = f.bytes;
      if (f.number == 3) n.inputs.push_back(f.bytes);
      if (f.number == 5) {
        const std::vector<Field> entry = fields(f.bytes);
        n.attrs[bytes_of(entry, 1)] = bytes_of(entry, 2);
      }
    }
    nodes.push_back(n);
  }
  return nodes;
}

// The event files of a run directory, in name order.
inline std::vector<std::filesystem::path> event_files(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> out;
  if (!std::filesystem::is_directory(dir)) return out;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (entry.path().filename().string().rfind("events.out.tfevents.", 0) == 0)
      out.push_back(entry.path());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace tfevents
