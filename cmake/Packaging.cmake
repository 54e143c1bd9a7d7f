# The Debian package `lockharness` (CPack DEB): everything cmake --install
# installs, under /usr. Built from the normal build directory by
# ci/run-package.sh:  cpack --config build/CPackConfig.cmake -B build/package
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME lockharness)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "lockharness")
set(CPACK_PACKAGE_CONTACT "lockharness developers <lockharness@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "verification and fault-injection harness for the lock-and-rename protocol")
set(CPACK_PACKAGE_DESCRIPTION
    "lockharness runs many writer processes of any implementation of the
lock-and-rename protocol (mkdir lock, owner record, temp file + fsync +
rename), injects faults, records a history and checks it for lost updates,
torn files, leftovers, two lock holders and stuck locks. Includes the
reference client lockreg, the LD_PRELOAD interposer, the scenario suites,
the adapters for real libraries, and the reference library for C++
(find_package(lockharness_protocol) or pkg-config lockharness_protocol).")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
# Depends: from the shared libraries the programs link (dpkg-shlibdeps).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# What the adapters and the mixed-fleet scenario run (/usr/bin/python3),
# and what building against the protocol library needs.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS
    "python3, nodejs, npm, python3-filelock, python3-portalocker, python3-atomicwrites, lockfile-progs, util-linux")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "nlohmann-json3-dev, libfiu-dev, pkg-config, cmake")
include(CPack)
