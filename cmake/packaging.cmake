# cpack -G DEB (run in the build folder) makes the Debian package nabla_VERSION_ARCH.deb: libnabla,
# the headers, the nabla command, the CMake and pkg-config files, installed under /usr; and, where
# the CUDA backend was built, nabla-cuda_VERSION_ARCH.deb with the plugin. Depends comes from
# dpkg-shlibdeps over the shared libraries (libhdf5, libzip, zlib, protobuf-lite, Open MPI, the
# C++ runtime) plus nlohmann-json3-dev, whose header the public headers include.
set(CPACK_PACKAGE_NAME nabla)
set(CPACK_PACKAGE_VENDOR "nabla")
if(NOT CPACK_PACKAGE_CONTACT)
  set(CPACK_PACKAGE_CONTACT "nabla developers")
endif()
# Each package's Description: this line, then its component's description.
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Keras-style deep-learning training framework in C++")
string(CONCAT CPACK_COMPONENT_NABLA_DESCRIPTION
  "The library, its headers and the nabla command. Sequential and functional models of Keras "
  "layers are compiled to a computational graph with reverse-mode autodiff and run by a session "
  "on the CPU (on NVIDIA GPUs with nabla-cuda). Models and weights are read and written in "
  "Keras's HDF5 layout. The nabla command trains, evaluates and predicts from JSON configs. C++ "
  "programs use find_package(nabla) or pkg-config nabla.")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)

set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # name_version_arch.deb
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)
set(CPACK_DEBIAN_NABLA_PACKAGE_NAME nabla)
set(CPACK_DEBIAN_NABLA_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_NABLA_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_NABLA_PACKAGE_DEPENDS "nlohmann-json3-dev (>= 3)")
set(CPACK_COMPONENTS_ALL nabla)
if(TARGET nabla_cuda)
  list(APPEND CPACK_COMPONENTS_ALL cuda)
  set(CPACK_COMPONENT_CUDA_DEPENDS nabla)  # Depends: nabla (= VERSION)
  set(CPACK_DEBIAN_CUDA_PACKAGE_NAME nabla-cuda)
  set(CPACK_DEBIAN_CUDA_PACKAGE_SECTION science)
  # cuBLAS and cuDNN usually come from NVIDIA's installers, not from Debian packages, and the
  # plugin needs the libnabla of the other package: dpkg-shlibdeps can resolve neither.
  set(CPACK_DEBIAN_CUDA_PACKAGE_SHLIBDEPS OFF)
  string(CONCAT CPACK_COMPONENT_CUDA_DESCRIPTION
    "The CUDA backend of nabla (cuBLAS, cuDNN), a plugin libnabla loads when a program asks "
    "for a GPU. It needs cuBLAS and cuDNN on the loader's path (NVIDIA's CUDA toolkit).")
endif()
include(CPack)
