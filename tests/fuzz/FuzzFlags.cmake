# Compiler flags of the libFuzzer build (SIGHTLINE_FUZZ=ON), included by the top-level CMakeLists.txt
# before any target is defined, so every library the harnesses link is coverage-instrumented and
# sanitized. The harness executables add -fsanitize=fuzzer at link time (tests/fuzz/CMakeLists.txt).
if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "SIGHTLINE_FUZZ=ON needs clang++ with libFuzzer (configure with CXX=clang++; "
                      "scripts/fuzz does)")
endif()
add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
                    -fno-omit-frame-pointer -g -Wno-unknown-warning-option)
add_link_options(-fsanitize=address,undefined)
