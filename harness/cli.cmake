# The `lockharness` command: the subcommands as a library (src/cli/), and
# main.cc alone in the binary. Included from harness/CMakeLists.txt after
# scenario.cmake.

if(TARGET lockharness_runner AND TARGET lockharness_scenario)
  add_library(lockharness_cli STATIC
    src/cli/common.cc
    src/cli/run_flags.cc
    src/cli/run_once.cc
    src/cli/scenario_adapter.cc
    src/cli/suite_runner.cc
    src/cli/mutants_command.cc
    src/cli/conformance_command.cc
    src/cli/conformance_results.cc
    src/cli/merge_command.cc
    src/cli/shared_flags.cc
  )
  target_include_directories(lockharness_cli PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
  target_link_libraries(lockharness_cli PUBLIC
    lockharness_runner lockharness_run_config lockharness_scenario lockharness_catalog
    lockharness_install CLI11::CLI11)

  add_executable(lockharness src/main.cc)
  target_link_libraries(lockharness PRIVATE lockharness_cli)

  if(LOCKHARNESS_BUILD_TESTS)
    add_executable(lockharness_cli_test
      src/cli/run_flags_test.cc
      src/cli/scenario_adapter_test.cc
      src/cli/suite_runner_test.cc
      src/cli/conformance_command_test.cc
      src/cli/merge_command_test.cc
    )
    # The checked-in scenarios/ tree: every file's replay line is parsed back.
    target_compile_definitions(lockharness_cli_test PRIVATE
      LOCKHARNESS_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
    target_link_libraries(lockharness_cli_test PRIVATE
      lockharness_cli GTest::gmock GTest::gtest_main)
    gtest_discover_tests(lockharness_cli_test)
  endif()
endif()
