# All third-party dependencies come from Debian 12 packages; nothing is
# downloaded at build time. ci/install-deps.sh installs the packages.
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(Boost 1.81 REQUIRED COMPONENTS filesystem)
pkg_check_modules(FIU REQUIRED IMPORTED_TARGET libfiu)
pkg_check_modules(TOMLPP REQUIRED IMPORTED_TARGET tomlplusplus)
if(LOCKHARNESS_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(LOCKHARNESS_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()

# Boost.Process v2 in Boost 1.81 is not header-only: every user defines
# BOOST_PROCESS_V2_SEPARATE_COMPILATION and links the one object library that
# includes <boost/process/v2/src.hpp> (see harness/src/boost_process_impl.cc).
add_library(lockharness_boost_process INTERFACE)
target_compile_definitions(lockharness_boost_process INTERFACE BOOST_PROCESS_V2_SEPARATE_COMPILATION)
target_link_libraries(lockharness_boost_process INTERFACE Boost::headers Boost::filesystem Threads::Threads)
