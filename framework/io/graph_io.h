// Portability of graphs: JSON export/import (same results after a round trip) and Graphviz DOT.
#pragma once

#include <memory>
#include <string>

#include "framework/graph/graph.h"

namespace nabla {

/// The graph as JSON: every node with its op, inputs, control inputs, attributes, dtype and
/// static shape; constants with their values; variables with their names, trainable flags and,
/// when `with_variable_values` and initialised, their current values.
std::string graph_to_json(const Graph& graph, bool with_variable_values = true);
/// Only the nodes `fetches` need (their ancestors), e.g. a model's forward pass.
std::string graph_to_json(const Graph& graph, const TensorList& fetches,
                          bool with_variable_values = true);

/// Rebuilds a graph from graph_to_json() text. Node names are kept, so
/// `g->node("dense/MatMul")` finds the same node. Variables come back with their saved values
/// (initialised) or uninitialised when none were saved. Throws ValueError naming the node and
/// field on malformed input.
std::unique_ptr<Graph> graph_from_json(const std::string& json);

/// The graph in Graphviz DOT for viewing (`dot -Tsvg`): placeholders, variables, constants and
/// operations drawn differently, edges labelled with shapes.
std::string graph_to_dot(const Graph& graph, const std::string& title = "nabla");
/// Only the nodes `fetches` need.
std::string graph_to_dot(const Graph& graph, const TensorList& fetches,
                         const std::string& title = "nabla");

}  // namespace nabla
