# Power-loss testing: crash states from the interposer's crash record
# (docs/crash-consistency.md) and the `lockharness crash` subcommand.
# Included from harness/CMakeLists.txt after cli.cmake.

if(TARGET lockharness_runner)
  add_library(lockharness_crash STATIC
    src/crash/crash_record.cc
    src/crash/persistence_model.cc
    src/crash/crash_checks.cc
    src/crash/crash_run.cc
  )
  target_include_directories(lockharness_crash PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include
    PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
  target_include_directories(lockharness_crash PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
  target_link_libraries(lockharness_crash PUBLIC lockharness_runner nlohmann_json::nlohmann_json)

  target_sources(lockharness_cli PRIVATE src/cli/crash_command.cc)
  target_link_libraries(lockharness_cli PUBLIC lockharness_crash)

  if(LOCKHARNESS_BUILD_TESTS)
    add_executable(lockharness_crash_test
      src/crash/crash_checks_test.cc
      src/crash/crash_record_test.cc
      src/crash/persistence_model_test.cc
    )
    target_link_libraries(lockharness_crash_test PRIVATE lockharness_crash GTest::gmock GTest::gtest_main)
    gtest_discover_tests(lockharness_crash_test)
  endif()
endif()
