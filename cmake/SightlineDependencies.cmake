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

# Qt Core is always needed (plugin loading in the CLI); the rest for the GUI and the tests.
find_package(Qt6 6.2 REQUIRED COMPONENTS Core Gui Widgets Concurrent PrintSupport Test)
set(CMAKE_AUTOMOC ON)
add_compile_definitions(QT_NO_KEYWORDS)
if(SIGHTLINE_BUILD_GUI)
  # QCustomPlotQt6's package expects Qt6::PrintSupport to be found first (done above).
  find_package(QCustomPlotQt6 REQUIRED)
endif()
