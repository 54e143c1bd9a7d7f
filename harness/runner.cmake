# The harness runner and the `lockharness` command (docs/adapter-contract.md).
# Included from harness/CMakeLists.txt after checkers.cmake.

# Process control and command templates: no dependency on the history format.
add_library(lockharness_process STATIC
  src/runner/command.cc
  src/runner/process.cc
  src/runner/signals.cc
  src/runner/run_namespace.cc
  src/runner/safe_files.cc
)
target_include_directories(lockharness_process PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
target_link_libraries(lockharness_process PUBLIC Threads::Threads)

set(LOCKHARNESS_RUNNER_TESTS
  src/runner/command_test.cc
  src/runner/process_test.cc
  src/runner/safe_files_test.cc
)

if(TARGET lockharness_history)
  # Workload generation and history recording.
  add_library(lockharness_workload STATIC
    src/runner/workload.cc
    src/runner/recorder.cc
    src/runner/nemesis.cc
    src/runner/lock_convention.cc
    src/runner/answers.cc
  )
  target_include_directories(lockharness_workload PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
  target_link_libraries(lockharness_workload PUBLIC lockharness_history nlohmann_json::nlohmann_json)
  list(APPEND LOCKHARNESS_RUNNER_TESTS
    src/runner/workload_test.cc
    src/runner/recorder_test.cc
    src/runner/answers_test.cc
  )

  # The run-configuration codec (run_config.h): scenario files, flags,
  # run.json and the replay line. The checkers read run.json through it.
  add_library(lockharness_run_config STATIC src/runner/run_config.cc)
  target_include_directories(lockharness_run_config PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
  target_link_libraries(lockharness_run_config PUBLIC
    lockharness_workload lockharness_process lockharness_interposer nlohmann_json::nlohmann_json)
  list(APPEND LOCKHARNESS_RUNNER_TESTS src/runner/run_config_test.cc)
endif()

if(TARGET lockharness_workload AND TARGET lockharness_checkers)
  add_library(lockharness_runner STATIC
    src/runner/writer_context.cc
    src/runner/per_op_writer.cc
    src/runner/worker_writer.cc
    src/runner/reader.cc
    src/runner/holder.cc
    src/runner/holder_oracle.cc
    src/runner/forge.cc
    src/runner/nemesis_runner.cc
    src/runner/placement.cc
    src/runner/run.cc
    src/report/run_report.cc
  )
  target_include_directories(lockharness_runner
    PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include
    PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
  target_link_libraries(lockharness_runner PUBLIC
    lockharness_process lockharness_workload lockharness_run_config lockharness_checkers
    lockharness_interposer lockharness_report lockharness_install nlohmann_json::nlohmann_json)
  # Writer placement (placement.h): the exec wrapper that makes namespaces.
  add_executable(lockharness-placer src/placer/placer.cc)
  add_dependencies(lockharness_runner lockharness-placer)

  # The adapter catalog reader, a library of its own for the fuzz target.
  add_library(lockharness_catalog STATIC src/cli/catalog.cc)
  target_include_directories(lockharness_catalog
    PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
  target_link_libraries(lockharness_catalog PUBLIC nlohmann_json::nlohmann_json
    PRIVATE lockharness_install lockharness_workload)

  list(APPEND LOCKHARNESS_RUNNER_TESTS src/report/run_report_test.cc src/runner/run_test.cc
    src/runner/holder_oracle_test.cc src/runner/placement_test.cc)
endif()

if(LOCKHARNESS_BUILD_TESTS)
  set(LOCKHARNESS_RUNNER_EXISTING_TESTS "")
  foreach(test_source ${LOCKHARNESS_RUNNER_TESTS})
    if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${test_source})
      list(APPEND LOCKHARNESS_RUNNER_EXISTING_TESTS ${test_source})
    endif()
  endforeach()
  add_executable(lockharness_runner_test ${LOCKHARNESS_RUNNER_EXISTING_TESTS})
  target_include_directories(lockharness_runner_test PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
  target_link_libraries(lockharness_runner_test PRIVATE lockharness_process GTest::gmock GTest::gtest_main)
  foreach(lib lockharness_workload lockharness_run_config lockharness_runner)
    if(TARGET ${lib})
      target_link_libraries(lockharness_runner_test PRIVATE ${lib})
    endif()
  endforeach()
  gtest_discover_tests(lockharness_runner_test)
endif()
