// Every built-in layer.
#pragma once

#include "layers/activation.h"
#include "layers/activations.h"
#include "layers/dense.h"
#include "layers/dropout.h"
#include "layers/initializers.h"
#include "layers/input_layer.h"
#include "layers/layer.h"
#include "layers/normalization.h"
#include "layers/regularizers.h"
