# Report files of a run directory: junit.xml and timeline.html, and checker
# reports as JSON and text (harness/include/lockharness/harness/report/; the
# run's results.json and report.txt, report/run_report.h, are built into the
# runner library). Included from checkers.cmake.

add_library(lockharness_report STATIC
  src/report/report_format.cc
  src/report/xml_text.cc
  src/report/junit.cc
  src/report/timeline.cc
  src/report/timeline_page.cc
)
target_include_directories(lockharness_report PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
target_link_libraries(lockharness_report PUBLIC lockharness_checkers nlohmann_json::nlohmann_json)

if(LOCKHARNESS_BUILD_TESTS)
  add_executable(lockharness_report_test
    src/report/report_format_test.cc
    src/report/xml_text_test.cc
    src/report/junit_test.cc
    src/report/timeline_test.cc
  )
  target_link_libraries(lockharness_report_test PRIVATE lockharness_report GTest::gmock GTest::gtest_main)
  gtest_discover_tests(lockharness_report_test)
endif()
