# sightline_tam_math: the torch-free arithmetic of the Token Activation Map (METHODS.md section 3):
# rank Gaussian filter, estimated causal inference, joint min-max normalisation, and the token level
# (tam_context: which earlier tokens are the context and where their weights are read).
# Included from core/explain/CMakeLists.txt (and, until that includes it, from tests/core/metrics);
# the guard makes a second include harmless.
if(NOT TARGET sightline_tam_math)
  add_library(sightline_tam_math STATIC "${CMAKE_CURRENT_LIST_DIR}/tam_math.cpp"
              "${CMAKE_CURRENT_LIST_DIR}/tam_context.cpp")
  target_include_directories(sightline_tam_math PUBLIC "${PROJECT_SOURCE_DIR}")
  target_link_libraries(sightline_tam_math PUBLIC sightline_util PRIVATE sightline_warnings)
endif()
