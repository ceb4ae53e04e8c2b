#pragma once
// Facts about the running process and machine: memory, threads, the live BLAS library.
#include <cstdint>
#include <string>

namespace sightline {

// Bytes the kernel reports as available for new allocations (MemAvailable), or 0 if unknown.
std::uint64_t available_memory_bytes();
// Peak resident set size of this process (VmHWM) in bytes, or 0 if unknown.
std::uint64_t peak_rss_bytes();
// Current resident set size (VmRSS) in bytes, or 0 if unknown.
std::uint64_t current_rss_bytes();
// Current anonymous resident memory (RssAnon: heap, not file mappings) in bytes, or 0 if unknown.
std::uint64_t current_anon_rss_bytes();
// Hands the allocator's free lists back to the kernel (tcmalloc keeps freed pages, which MemAvailable does
// not count); false when the allocator offers no such call. ensure_memory_available does this before it
// refuses.
bool release_allocator_free_memory();
// True when the CPU has BF16 dot-product instructions (AVX512_BF16 or AMX-BF16), where oneDNN computes
// bfloat16 matrix products natively.
bool cpu_has_bf16();
// Throws OutOfMemoryRisk when `bytes` (plus a safety margin) exceed what the machine can give.
void ensure_memory_available(std::uint64_t bytes, const std::string& what);
// The shared BLAS/LAPACK libraries mapped into this process (e.g. "openblas-openmp/libblas.so.3").
std::string live_blas_library();
// The malloc implementation serving this process: "tcmalloc", "jemalloc" or "glibc malloc".
std::string live_allocator();
// Human-readable byte count ("1.5 GiB").
std::string format_bytes(std::uint64_t bytes);

}  // namespace sightline
