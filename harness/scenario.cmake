# Scenario files, suites and shards (docs/scenarios.md).
# Included from harness/CMakeLists.txt after runner.cmake.

if(TARGET lockharness_runner)
  add_library(lockharness_scenario STATIC
    src/scenario/toml_reader.cc
    src/scenario/scenario.cc
    src/scenario/suite.cc
  )
  target_include_directories(lockharness_scenario
    PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include
    PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
  # Values are checked by the run-configuration codec (run_config.h); a
  # crash scenario's by the crash options' bounds and model names
  # (lockharness_crash, defined in crash.cmake).
  target_link_libraries(lockharness_scenario
    PUBLIC lockharness_runner lockharness_run_config lockharness_crash
    PRIVATE PkgConfig::TOMLPP)

  if(LOCKHARNESS_BUILD_TESTS)
    add_executable(lockharness_scenario_test
      src/scenario/toml_reader_test.cc
      src/scenario/scenario_test.cc
      src/scenario/suite_test.cc
      src/scenario/scenario_files_test.cc
    )
    target_include_directories(lockharness_scenario_test PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
    # The checked-in scenarios/ tree, which the tests load in full.
    target_compile_definitions(lockharness_scenario_test PRIVATE
      LOCKHARNESS_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
    target_link_libraries(lockharness_scenario_test PRIVATE
      lockharness_scenario PkgConfig::TOMLPP GTest::gmock GTest::gtest_main)
    gtest_discover_tests(lockharness_scenario_test)
  endif()
endif()
