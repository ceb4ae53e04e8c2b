#include "core/io/cpu_allocator.h"

#include <c10/core/Allocator.h>
#include <c10/core/CPUAllocator.h>
#include <sys/mman.h>

#include <cstdlib>
#include <cstring>
#include <mutex>

namespace sightline {
namespace {

constexpr std::size_t kHugePage = 2u << 20;
constexpr std::size_t kHugeThreshold = 2 * kHugePage;
constexpr std::size_t kAlignment = 64;  // LibTorch's own CPU alignment (vectorised kernels rely on it)

void free_memory(void* p) {
    std::free(p);
}

class HugePageCpuAllocator final : public c10::Allocator {
  public:
    c10::DataPtr allocate(std::size_t n) const override {
        if (n == 0) return {nullptr, nullptr, &free_memory, c10::Device(c10::DeviceType::CPU)};
        const bool huge = n >= kHugeThreshold;
        void* p = nullptr;
        if (::posix_memalign(&p, huge ? kHugePage : kAlignment, n) != 0 || p == nullptr)
            throw c10::Error({__func__, __FILE__, static_cast<std::uint32_t>(__LINE__)},
                             "DefaultCPUAllocator: not enough memory: you tried to allocate " +
                                 std::to_string(n) + " bytes.");
        if (huge) ::madvise(p, n, MADV_HUGEPAGE);  // a hint: without THP it is ordinary memory
        return {p, p, &free_memory, c10::Device(c10::DeviceType::CPU)};
    }
    c10::DeleterFnPtr raw_deleter() const override { return &free_memory; }
};

}  // namespace

bool install_cpu_allocator() {
    static const bool installed = [] {
        const char* env = std::getenv("SIGHTLINE_HUGE_PAGES");
        if (env != nullptr && std::strcmp(env, "0") == 0) return false;
        static HugePageCpuAllocator allocator;
        c10::SetCPUAllocator(&allocator, /*priority=*/1);
        return c10::GetCPUAllocator() == &allocator;
    }();
    return installed;
}

}  // namespace sightline
