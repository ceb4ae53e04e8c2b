# Third-party dependencies (all from Debian bookworm; scripts/setup installs them).
find_package(Threads REQUIRED)
find_package(Torch REQUIRED)
find_package(OpenCV REQUIRED COMPONENTS core imgproc imgcodecs)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(SENTENCEPIECE REQUIRED IMPORTED_TARGET sentencepiece)
pkg_check_modules(PCRE2 REQUIRED IMPORTED_TARGET libpcre2-8)
pkg_check_modules(ICU REQUIRED IMPORTED_TARGET icu-uc)

# LibTorch as an imported interface target with SYSTEM includes so its headers do not trip our warnings.
add_library(sightline_torch INTERFACE)
target_link_libraries(sightline_torch INTERFACE ${TORCH_LIBRARIES})
target_include_directories(sightline_torch SYSTEM INTERFACE ${TORCH_INCLUDE_DIRS})
target_compile_options(sightline_torch INTERFACE ${TORCH_CXX_FLAGS})

# The memory allocator. LibTorch allocates and frees tensors of many MiB every step; glibc's malloc serves
# those with fresh mmap()s, so each training step spent a quarter of its time in the kernel zeroing pages.
# tcmalloc keeps them: measured 1.57x training throughput and half the peak RSS (docs/ARCHITECTURE.md).
# Every target that links sightline_core gets it; sanitizer builds keep the sanitizer's own allocator.
option(SIGHTLINE_TCMALLOC "Link tcmalloc (libgoogle-perftools-dev) as the process allocator" ON)
add_library(sightline_allocator INTERFACE)
set(SIGHTLINE_ALLOCATOR_NAME "glibc malloc")  # what live_allocator() reports (test_cli checks it)
if(SIGHTLINE_TCMALLOC AND NOT SIGHTLINE_SANITIZE)
  find_library(SIGHTLINE_TCMALLOC_LIBRARY NAMES tcmalloc_minimal tcmalloc)
  if(SIGHTLINE_TCMALLOC_LIBRARY)
    # --no-as-needed: nothing calls tcmalloc by name, it replaces malloc/free.
    target_link_libraries(sightline_allocator INTERFACE
                          -Wl,--no-as-needed ${SIGHTLINE_TCMALLOC_LIBRARY} -Wl,--as-needed)
    set(SIGHTLINE_ALLOCATOR_NAME "tcmalloc")
    # Its MallocExtension lets the trainer keep freed pages during training (core/train/freed_memory.h).
    find_path(SIGHTLINE_TCMALLOC_INCLUDE_DIR gperftools/malloc_extension.h)
    if(SIGHTLINE_TCMALLOC_INCLUDE_DIR)
      target_include_directories(sightline_allocator SYSTEM INTERFACE "${SIGHTLINE_TCMALLOC_INCLUDE_DIR}")
      target_compile_definitions(sightline_allocator INTERFACE SIGHTLINE_TCMALLOC_EXTENSION=1)
    endif()
  else()
    message(WARNING "tcmalloc not found (apt package libgoogle-perftools-dev; scripts/setup installs it): "
                    "falling back to glibc malloc, training runs ~1.5x slower")
  endif()
endif()

# Qt Core is always needed (plugin loading in the CLI); the rest for the GUI and the tests.
find_package(Qt6 6.2 REQUIRED COMPONENTS Core Gui Widgets Concurrent PrintSupport Test)
set(CMAKE_AUTOMOC ON)
add_compile_definitions(QT_NO_KEYWORDS)
if(SIGHTLINE_BUILD_GUI)
  # QCustomPlotQt6's package expects Qt6::PrintSupport to be found first (done above).
  find_package(QCustomPlotQt6 REQUIRED)
endif()
