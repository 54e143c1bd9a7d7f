# `cmake --install build --prefix P` (docs: README "Installing"):
#   P/bin                              lockharness, lockreg
#   P/lib/<multiarch>/lockharness/     the interposer's preload library and
#                                      lockharness-placer
#   P/share/lockharness/               scenarios/ and adapters/ (with catalog.json)
#   P/include/lockharness/protocol/    the reference library's headers,
#   P/lib/<multiarch>/                 liblockharness_protocol.a, its CMake
#                                      package (cmake/lockharness_protocol/)
#                                      and pkg-config file (pkgconfig/)
# The installed harness finds its data relative to its own executable
# (harness/include/lockharness/harness/install/data_locations.h), so the
# tree can be installed under any prefix or moved.
include(CMakePackageConfigHelpers)

if(TARGET lockharness)
  install(TARGETS lockharness RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  install(TARGETS lockharness_interpose LIBRARY DESTINATION ${LOCKHARNESS_INSTALL_PKGLIBDIR})
  # The exec wrapper that places writers in namespaces (runner/placement.h).
  install(TARGETS lockharness-placer RUNTIME DESTINATION ${LOCKHARNESS_INSTALL_PKGLIBDIR})
  install(DIRECTORY scenarios/ DESTINATION ${LOCKHARNESS_INSTALL_DATADIR}/scenarios
          FILES_MATCHING PATTERN "*.toml")
  install(DIRECTORY harness/adapters/ DESTINATION ${LOCKHARNESS_INSTALL_DATADIR}/adapters
          USE_SOURCE_PERMISSIONS
          PATTERN node_modules EXCLUDE
          PATTERN __pycache__ EXCLUDE)
endif()

if(TARGET lockreg)
  install(TARGETS lockreg RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

  # The reference library: find_package(lockharness_protocol CONFIG) gives
  # lockharness::protocol; pkg-config --cflags --libs lockharness_protocol.
  install(TARGETS lockharness_protocol EXPORT lockharness_protocol_targets
          ARCHIVE DESTINATION ${LOCKHARNESS_INSTALL_LIBDIR}
          INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(DIRECTORY protocol/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(EXPORT lockharness_protocol_targets NAMESPACE lockharness::
          FILE lockharness_protocol-targets.cmake DESTINATION ${LOCKHARNESS_INSTALL_CMAKEDIR})
  configure_package_config_file(cmake/lockharness_protocol-config.cmake.in
    ${PROJECT_BINARY_DIR}/lockharness_protocol-config.cmake
    INSTALL_DESTINATION ${LOCKHARNESS_INSTALL_CMAKEDIR})
  write_basic_package_version_file(${PROJECT_BINARY_DIR}/lockharness_protocol-config-version.cmake
    COMPATIBILITY SameMinorVersion)
  install(FILES ${PROJECT_BINARY_DIR}/lockharness_protocol-config.cmake
                ${PROJECT_BINARY_DIR}/lockharness_protocol-config-version.cmake
          DESTINATION ${LOCKHARNESS_INSTALL_CMAKEDIR})

  # The .pc file finds the prefix from its own directory, like the harness.
  file(RELATIVE_PATH LOCKHARNESS_PC_TO_PREFIX "/prefix/${LOCKHARNESS_INSTALL_LIBDIR}/pkgconfig" "/prefix")
  set(LOCKHARNESS_PC_REQUIRES "nlohmann_json >= 3.11")
  if(LOCKHARNESS_FAULT_POINTS)
    string(APPEND LOCKHARNESS_PC_REQUIRES ", libfiu")
  endif()
  configure_file(cmake/lockharness_protocol.pc.in ${PROJECT_BINARY_DIR}/lockharness_protocol.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/lockharness_protocol.pc
          DESTINATION ${LOCKHARNESS_INSTALL_LIBDIR}/pkgconfig)
endif()
