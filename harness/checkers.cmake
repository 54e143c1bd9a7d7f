# The history format and the checkers that judge a run (docs/checkers.md).
# Included from harness/CMakeLists.txt.

add_library(lockharness_history STATIC
  src/history/names.cc
  src/history/format.cc
  src/history/parser.cc
  src/history/file.cc
)
target_include_directories(lockharness_history PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
target_link_libraries(lockharness_history PRIVATE Threads::Threads)

add_library(lockharness_checkers STATIC
  src/checkers/operations.cc
  src/checkers/registry_schema.cc
  src/checkers/name_groups.cc
  src/checkers/lost_update.cc
  src/checkers/lost_update_names.cc
  src/checkers/lost_update_default.cc
  src/checkers/json_validity.cc
  src/checkers/leftovers.cc
  src/checkers/mutual_exclusion.cc
  src/checkers/progress.cc
  src/checkers/trace_timeline.cc
  src/checkers/kernel_locks.cc
  src/checkers/lock_tenures.cc
  src/checkers/trace_mutual_exclusion.cc
  src/checkers/unlocked_cycles.cc
  src/checkers/protocol_lint.cc
  src/checkers/checker_report.cc
  src/checkers/observed_exclusion.cc
  src/checkers/lock_convention_check.cc
  src/checkers/check_all.cc
  src/checkers/fault_checks.cc
  src/run_dir/load_run.cc
)
target_include_directories(lockharness_checkers PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
# lockharness_interposer only for its trace reader: it does not contain the
# reference implementation.
# lockharness_run_config (runner.cmake): run.json is read through the
# run-configuration codec.
target_link_libraries(lockharness_checkers PUBLIC lockharness_history lockharness_interposer nlohmann_json::nlohmann_json PRIVATE lockharness_run_config Threads::Threads)

# junit.xml and timeline.html, built on the checkers' operation index.
include(${CMAKE_CURRENT_SOURCE_DIR}/report.cmake)

if(LOCKHARNESS_BUILD_TESTS)
  add_executable(lockharness_history_test src/history_test.cc)
  target_link_libraries(lockharness_history_test PRIVATE lockharness_history GTest::gtest_main)
  gtest_discover_tests(lockharness_history_test)

  add_executable(lockharness_checkers_test
    src/checkers/operations_test.cc
    src/checkers/registry_schema_test.cc
    src/checkers/name_groups_test.cc
    src/checkers/lost_update_test.cc
    src/checkers/json_validity_test.cc
    src/checkers/leftovers_test.cc
    src/checkers/mutual_exclusion_test.cc
    src/checkers/fault_checks_test.cc
    src/checkers/progress_test.cc
    src/checkers/trace_timeline_test.cc
    src/checkers/trace_mutual_exclusion_test.cc
    src/checkers/kernel_locks_test.cc
    src/checkers/protocol_lint_test.cc
    src/checkers/observed_exclusion_test.cc
    src/checkers/lock_convention_check_test.cc
    src/checkers/check_all_test.cc
    src/run_dir/load_run_test.cc
  )
  target_link_libraries(lockharness_checkers_test PRIVATE lockharness_checkers GTest::gmock GTest::gtest_main)
  gtest_discover_tests(lockharness_checkers_test)
endif()

# Against the reference client, when it is part of the build.
if(LOCKHARNESS_BUILD_TESTS AND TARGET lockreg)
  add_executable(lockharness_checkers_e2e_test src/checkers/lockreg_e2e_test.cc
    src/checkers/trace_lockreg_e2e_test.cc)
  target_link_libraries(lockharness_checkers_e2e_test PRIVATE lockharness_checkers GTest::gmock GTest::gtest_main Threads::Threads)
  target_compile_definitions(lockharness_checkers_e2e_test PRIVATE LOCKREG_PATH="$<TARGET_FILE:lockreg>")
  add_dependencies(lockharness_checkers_e2e_test lockreg lockharness_interpose)
  gtest_discover_tests(lockharness_checkers_e2e_test)
endif()
