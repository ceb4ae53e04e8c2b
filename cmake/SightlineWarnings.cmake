# sightline_warnings: an interface target every project target links to get the warning set.
add_library(sightline_warnings INTERFACE)
target_compile_options(sightline_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow=local -Wnon-virtual-dtor -Wcast-align -Wunused
  -Woverloaded-virtual -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough)
if(SIGHTLINE_WERROR)
  target_compile_options(sightline_warnings INTERFACE -Werror)
endif()
