#include "core/util/version.h"

namespace sightline {
const char* software_version() {
    return SIGHTLINE_VERSION;
}
}  // namespace sightline
