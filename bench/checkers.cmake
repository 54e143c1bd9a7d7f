# Benchmark of history parsing + all checkers on a 1,000,000-operation
# history (target: well under 2 s). Included from bench/CMakeLists.txt.
add_executable(checkers_bench ${CMAKE_CURRENT_LIST_DIR}/checkers_bench.cc)
target_link_libraries(checkers_bench PRIVATE lockharness_checkers benchmark::benchmark)
