# Project-prefixed options and build defaults.
option(SIGHTLINE_BUILD_GUI "Build the Qt desktop application and its plugins" ON)
option(SIGHTLINE_BUILD_TESTS "Build the Qt Test suites (run with ctest)" ON)
option(SIGHTLINE_SANITIZE "Build with AddressSanitizer + UndefinedBehaviorSanitizer" OFF)
option(SIGHTLINE_WERROR "Treat compiler warnings as errors" OFF)
set(SIGHTLINE_FIXTURES_DIR "${CMAKE_CURRENT_SOURCE_DIR}/../shared/fixtures" CACHE PATH
    "Default location of the shared external fixtures (tests read SIGHTLINE_FIXTURES first)")

if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
  set(CMAKE_BUILD_TYPE Release CACHE STRING "Build type" FORCE)
endif()

set(CMAKE_CXX_STANDARD 17)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_CXX_EXTENSIONS OFF)
set(CMAKE_EXPORT_COMPILE_COMMANDS ON)
set(CMAKE_POSITION_INDEPENDENT_CODE ON)

find_program(SIGHTLINE_CCACHE ccache)
if(SIGHTLINE_CCACHE)
  set(CMAKE_CXX_COMPILER_LAUNCHER "${SIGHTLINE_CCACHE}")
endif()

if(SIGHTLINE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

include(GNUInstallDirs)
set(CMAKE_RUNTIME_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/bin")
set(CMAKE_LIBRARY_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/lib")
