# The history format and the checkers that judge a run (docs/checkers.md).
# Included from harness/CMakeLists.txt.

add_library(lockharness_history STATIC src/history.cc)
target_include_directories(lockharness_history PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)

set(LOCKHARNESS_CHECKER_SOURCES
  src/checkers/operations.cc
  src/checkers/registry_schema.cc
  src/checkers/lost_update.cc
  src/checkers/json_validity.cc
  src/checkers/leftovers.cc
  src/checkers/mutual_exclusion.cc
  src/checkers/progress.cc
  src/checkers/check_all.cc
  src/checkers/report_format.cc
  src/load_run.cc
)
set(LOCKHARNESS_CHECKER_EXISTING_SOURCES "")
foreach(source ${LOCKHARNESS_CHECKER_SOURCES})
  if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${source})
    list(APPEND LOCKHARNESS_CHECKER_EXISTING_SOURCES ${source})
  endif()
endforeach()
if(LOCKHARNESS_CHECKER_EXISTING_SOURCES)
add_library(lockharness_checkers STATIC ${LOCKHARNESS_CHECKER_EXISTING_SOURCES})
target_include_directories(lockharness_checkers PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
target_link_libraries(lockharness_checkers PUBLIC lockharness_history nlohmann_json::nlohmann_json)
endif()

if(LOCKHARNESS_BUILD_TESTS)
  add_executable(lockharness_history_test src/history_test.cc)
  target_link_libraries(lockharness_history_test PRIVATE lockharness_history GTest::gtest_main)
  gtest_discover_tests(lockharness_history_test)

  set(LOCKHARNESS_CHECKER_TESTS "")
  foreach(source ${LOCKHARNESS_CHECKER_EXISTING_SOURCES})
    string(REGEX REPLACE "\\.cc$" "_test.cc" test_source ${source})
    if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${test_source})
      list(APPEND LOCKHARNESS_CHECKER_TESTS ${test_source})
    endif()
  endforeach()
  if(LOCKHARNESS_CHECKER_TESTS)
    add_executable(lockharness_checkers_test ${LOCKHARNESS_CHECKER_TESTS})
    target_link_libraries(lockharness_checkers_test PRIVATE lockharness_checkers GTest::gmock GTest::gtest_main)
    gtest_discover_tests(lockharness_checkers_test)
  endif()
endif()
