#include "core/train/freed_memory.h"

#if defined(SIGHTLINE_TCMALLOC_EXTENSION)
#include <gperftools/malloc_extension.h>
#endif

namespace sightline {

double allocator_release_rate() {
#if defined(SIGHTLINE_TCMALLOC_EXTENSION)
    return MallocExtension::instance()->GetMemoryReleaseRate();
#else
    return -1;
#endif
}

KeepFreedMemory::KeepFreedMemory() {
#if defined(SIGHTLINE_TCMALLOC_EXTENSION)
    previous_rate_ = MallocExtension::instance()->GetMemoryReleaseRate();
    MallocExtension::instance()->SetMemoryReleaseRate(0);
#endif
}

KeepFreedMemory::~KeepFreedMemory() {
#if defined(SIGHTLINE_TCMALLOC_EXTENSION)
    if (active()) {
        MallocExtension::instance()->SetMemoryReleaseRate(previous_rate_);
        MallocExtension::instance()->ReleaseFreeMemory();
    }
#endif
}

}  // namespace sightline
