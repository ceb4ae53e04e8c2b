#pragma once
// SHA-256 (FIPS 180-4), for review records: the image and the model files a result was made with.
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sightline {

class Sha256 {
  public:
    Sha256();
    void update(const void* data, std::size_t size);
    void update(std::string_view bytes) { update(bytes.data(), bytes.size()); }
    // The digest as 64 lowercase hex digits; the object must not be updated afterwards.
    std::string hex();
    std::array<std::uint8_t, 32> digest();

  private:
    void block(const std::uint8_t* p);
    std::array<std::uint32_t, 8> h_;
    std::array<std::uint8_t, 64> buf_{};
    std::size_t used_ = 0;
    std::uint64_t total_ = 0;
    bool done_ = false;
};

std::string sha256_hex(std::string_view bytes);

// Hashes a regular file (checked first, like every file Sightline reads) in 1 MiB reads.
// `cancelled`, when given, is polled between reads; a raised flag throws CancelledError.
std::string sha256_file(const std::string& path, const std::atomic<bool>* cancelled = nullptr);

}  // namespace sightline
