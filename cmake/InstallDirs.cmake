# Where `cmake --install` puts things (GNU layout), and the relative paths
# from the installed bin directory that the installed harness uses to find
# its data (harness/include/lockharness/harness/install/data_locations.h).
include(GNUInstallDirs)

# Debian's multiarch directory whatever the prefix, as Debian packages have it.
if(CMAKE_LIBRARY_ARCHITECTURE)
  set(LOCKHARNESS_INSTALL_LIBDIR "lib/${CMAKE_LIBRARY_ARCHITECTURE}" CACHE STRING
      "Library directory under the prefix (the protocol library, the interposer)")
else()
  set(LOCKHARNESS_INSTALL_LIBDIR "${CMAKE_INSTALL_LIBDIR}" CACHE STRING
      "Library directory under the prefix (the protocol library, the interposer)")
endif()
set(LOCKHARNESS_INSTALL_PKGLIBDIR "${LOCKHARNESS_INSTALL_LIBDIR}/lockharness")
set(LOCKHARNESS_INSTALL_DATADIR "${CMAKE_INSTALL_DATADIR}/lockharness")
set(LOCKHARNESS_INSTALL_CMAKEDIR "${LOCKHARNESS_INSTALL_LIBDIR}/cmake/lockharness_protocol")
foreach(dir CMAKE_INSTALL_BINDIR LOCKHARNESS_INSTALL_LIBDIR CMAKE_INSTALL_DATADIR)
  if(IS_ABSOLUTE "${${dir}}")
    message(FATAL_ERROR "${dir} must be relative to the prefix (the installed harness is relocatable)")
  endif()
endforeach()
file(RELATIVE_PATH LOCKHARNESS_BIN_TO_DATA "/prefix/${CMAKE_INSTALL_BINDIR}"
     "/prefix/${LOCKHARNESS_INSTALL_DATADIR}")
file(RELATIVE_PATH LOCKHARNESS_BIN_TO_PKGLIB "/prefix/${CMAKE_INSTALL_BINDIR}"
     "/prefix/${LOCKHARNESS_INSTALL_PKGLIBDIR}")

# The commit the build was configured from ("unknown" outside a checkout).
execute_process(
  COMMAND git -C "${PROJECT_SOURCE_DIR}" rev-parse --short=12 HEAD
  OUTPUT_VARIABLE LOCKHARNESS_COMMIT OUTPUT_STRIP_TRAILING_WHITESPACE
  RESULT_VARIABLE lockharness_git_status ERROR_QUIET)
if(NOT lockharness_git_status EQUAL 0 OR LOCKHARNESS_COMMIT STREQUAL "")
  set(LOCKHARNESS_COMMIT "unknown")
endif()
