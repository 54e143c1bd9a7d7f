# Where the harness finds its data (build tree or installed tree), whether
# the interposer library loads, and the version (harness/src/install/).
# Included from harness/CMakeLists.txt after runner.cmake.

add_library(lockharness_install STATIC
  src/install/data_locations.cc
  src/install/interposer_library.cc
  src/install/build_info.cc
)
target_include_directories(lockharness_install PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
target_link_libraries(lockharness_install PUBLIC lockharness_process)
target_compile_definitions(lockharness_install PRIVATE
  LOCKHARNESS_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
  LOCKHARNESS_BINARY_DIR="${PROJECT_BINARY_DIR}"
  LOCKHARNESS_BUILD_INTERPOSER="$<TARGET_FILE:lockharness_interpose>"
  LOCKHARNESS_BUILD_PLACER="$<TARGET_FILE:lockharness-placer>"
  LOCKHARNESS_BIN_TO_DATA="${LOCKHARNESS_BIN_TO_DATA}"
  LOCKHARNESS_BIN_TO_PKGLIB="${LOCKHARNESS_BIN_TO_PKGLIB}"
  LOCKHARNESS_VERSION="${PROJECT_VERSION}"
  LOCKHARNESS_COMMIT="${LOCKHARNESS_COMMIT}"
  $<$<BOOL:${LOCKHARNESS_FAULT_POINTS}>:LOCKHARNESS_FAULT_POINTS_BUILT>)
add_dependencies(lockharness_install lockharness_interpose lockharness-placer)

if(LOCKHARNESS_BUILD_TESTS)
  add_executable(lockharness_install_test
    src/install/data_locations_test.cc
    src/install/interposer_library_test.cc
  )
  target_link_libraries(lockharness_install_test PRIVATE lockharness_install GTest::gmock GTest::gtest_main)
  target_compile_definitions(lockharness_install_test PRIVATE
    LH_BUILD_INTERPOSER="$<TARGET_FILE:lockharness_interpose>")
  gtest_discover_tests(lockharness_install_test PROPERTIES LABELS install)
endif()
