// The umbrella header's former path; include <nabla/nabla.h>.
#pragma once

#include <nabla/nabla.h>  // IWYU pragma: export
