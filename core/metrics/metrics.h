#pragma once
// sightline_metrics: every metric of METHODS.md section 9 (torch-free, Qt-free).
#include "core/metrics/consistency.h"
#include "core/metrics/faithfulness.h"
#include "core/metrics/grid_map.h"
#include "core/metrics/localisation.h"
#include "core/metrics/otsu.h"
