// Every built-in optimizer and learning-rate schedule.
#pragma once

#include "optimizers/adagrad.h"
#include "optimizers/adam.h"
#include "optimizers/adamw.h"
#include "optimizers/nadam.h"
#include "optimizers/optimizer.h"
#include "optimizers/rmsprop.h"
#include "optimizers/schedules.h"
#include "optimizers/sgd.h"
