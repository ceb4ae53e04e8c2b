#pragma once
// LibTorch's CPU allocator, replaced so that tensors of 4 MiB and more live in memory marked for
// transparent huge pages (MADV_HUGEPAGE, 2 MiB aligned). Without it every fresh 4 KiB page of a large
// tensor costs a page fault; on virtual machines a fault costs some 10 us, which made a 7B model's forward
// pass with a gradient graph (6.8 GB of fresh activations) 13 s slower than the same pass without one.
// Smaller tensors are allocated as LibTorch does (64-byte aligned); all memory is freed with free(), so
// tensors made before the switch stay valid. SIGHTLINE_HUGE_PAGES=0 leaves LibTorch's allocator in place.
namespace sightline {

// Installs the allocator once per process (idempotent, thread-safe); returns whether it is in use.
bool install_cpu_allocator();

}  // namespace sightline
