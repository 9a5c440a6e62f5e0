# TensorBoard event files: C++ classes generated from framework/tensorboard/proto/*.proto into the
# build folder, compiled into libnabla, which links protobuf's lite runtime privately (the
# messages need serialization only: no descriptors, reflection or text format).
find_package(Protobuf REQUIRED)
set(NABLA_PROTO_OUT ${PROJECT_BINARY_DIR}/generated)
file(MAKE_DIRECTORY ${NABLA_PROTO_OUT})
set(NABLA_PROTOS
  ${PROJECT_SOURCE_DIR}/framework/tensorboard/proto/tensor.proto
  ${PROJECT_SOURCE_DIR}/framework/tensorboard/proto/summary.proto
  ${PROJECT_SOURCE_DIR}/framework/tensorboard/proto/graph.proto)
protobuf_generate(LANGUAGE cpp OUT_VAR NABLA_PROTO_SOURCES PROTOS ${NABLA_PROTOS}
                  IMPORT_DIRS ${PROJECT_SOURCE_DIR} PROTOC_OUT_DIR ${NABLA_PROTO_OUT})
# Generated code is not ours to warn about.
set_source_files_properties(${NABLA_PROTO_SOURCES} PROPERTIES COMPILE_OPTIONS "-w")
target_sources(nabla PRIVATE ${NABLA_PROTO_SOURCES})
target_include_directories(nabla PRIVATE ${NABLA_PROTO_OUT})
target_link_libraries(nabla PRIVATE protobuf::libprotobuf-lite)
