# cmake --install BUILD --prefix P puts a usable nabla under P:
#   lib/libnabla.so.X.Y.Z (SONAME libnabla.so.X.Y) and, where built, lib/libnabla_cuda.so beside it,
#   bin/nabla, include/nabla/ (the public headers: the umbrella and everything it reaches),
#   lib/cmake/nabla/ (find_package(nabla 0.2 CONFIG) and the target nabla::nabla),
#   lib/pkgconfig/nabla.pc (pkg-config --cflags --libs nabla).
# Everything is component "nabla" but the CUDA plugin, component "cuda" (cmake/packaging.cmake
# makes one Debian package of each).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# While nabla is 0.x every minor version may change the ABI: the SONAME carries MAJOR.MINOR.
set(NABLA_SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR})
set_target_properties(nabla PROPERTIES VERSION ${PROJECT_VERSION} SOVERSION ${NABLA_SOVERSION})
# The headers need C++20: a program linking nabla::nabla gets it too.
target_compile_features(nabla PUBLIC cxx_std_20)
# The public headers include each other as "framework/...", "layers/..." (relative to
# include/nabla) and the umbrella as <nabla/nabla.h>: both folders are on the include path.
target_include_directories(nabla PUBLIC $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>
                                        $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/nabla>)
# The command finds libnabla relative to itself, wherever the prefix is.
file(RELATIVE_PATH nabla_bin_to_lib /${CMAKE_INSTALL_BINDIR} /${CMAKE_INSTALL_LIBDIR})
set_target_properties(nabla_cli PROPERTIES INSTALL_RPATH "$ORIGIN/${nabla_bin_to_lib}")

install(TARGETS nabla EXPORT nablaTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT nabla NAMELINK_COMPONENT nabla)
install(TARGETS nabla_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT nabla)
if(TARGET nabla_cuda)
  # Next to libnabla, where framework/backend/backend.cc looks for it first. cuBLAS and cuDNN
  # are often outside the loader's search path (/usr/local/cuda): their folders stay in RUNPATH.
  set_target_properties(nabla_cuda PROPERTIES INSTALL_RPATH "$ORIGIN"
                                              INSTALL_RPATH_USE_LINK_PATH ON)
  install(TARGETS nabla_cuda LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT cuda)
endif()

# The public headers are found when installing, not listed: every header the umbrella reaches
# (and the umbrella's former path), so the set follows the headers as they change.
install(CODE "set(NABLA_SOURCE_DIR \"${PROJECT_SOURCE_DIR}\")
set(NABLA_HEADERS_DESTINATION \"${CMAKE_INSTALL_INCLUDEDIR}/nabla\")" COMPONENT nabla)
install(SCRIPT ${PROJECT_SOURCE_DIR}/cmake/install_headers.cmake COMPONENT nabla)

# CMake package: nablaConfig.cmake (finds what the public interface needs), its version file
# and the exported target nabla::nabla.
set(NABLA_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/nabla)
install(EXPORT nablaTargets NAMESPACE nabla:: DESTINATION ${NABLA_CMAKE_DIR} COMPONENT nabla)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/nablaConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/package/nablaConfig.cmake
                              INSTALL_DESTINATION ${NABLA_CMAKE_DIR})
# 0.x: a newer minor version is not compatible (find_package(nabla 0.2) takes any 0.2.z).
write_basic_package_version_file(${PROJECT_BINARY_DIR}/package/nablaConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/package/nablaConfig.cmake
              ${PROJECT_BINARY_DIR}/package/nablaConfigVersion.cmake
        DESTINATION ${NABLA_CMAKE_DIR} COMPONENT nabla)

# pkg-config: written when installing, so that prefix= is the prefix installed to
# (cmake --install --prefix P, or /usr inside the Debian package), straight into the destination
# (never into this build folder, which an install by another user may not be able to write).
set(NABLA_PC_PREFIX "@CMAKE_INSTALL_PREFIX@")  # left for the install step to fill in
configure_file(${PROJECT_SOURCE_DIR}/cmake/nabla.pc.in ${PROJECT_BINARY_DIR}/package/nabla.pc.in
               @ONLY)
install(CODE "set(nabla_pc \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/pkgconfig/nabla.pc\")
message(STATUS \"Installing: \$ENV{DESTDIR}\${nabla_pc}\")
configure_file(\"${PROJECT_BINARY_DIR}/package/nabla.pc.in\" \"\$ENV{DESTDIR}\${nabla_pc}\" @ONLY)
list(APPEND CMAKE_INSTALL_MANIFEST_FILES \"\${nabla_pc}\")" COMPONENT nabla)
