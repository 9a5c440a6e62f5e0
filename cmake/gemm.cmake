# GEMM providers of the CPU backend (framework/cpu/gemm_provider.h). NABLA_GEMM_LIBS lists the
# libraries to build in when found; Eigen (always) and nabla's AVX-512 kernel (on CPUs with
# AVX-512) need nothing. The default, OpenBLAS, measured fastest among the libraries that do not
# allocate per call (bench/README.md); BLIS and oneDNN can be added to compare with NABLA_GEMM.
# BLIS and OpenBLAS export the same CBLAS symbols: nabla calls BLIS only by its own API.
set(NABLA_GEMM_LIBS "openblas" CACHE STRING "GEMM libraries to use when found: openblas;blis;dnnl")
set(NABLA_GEMM_FOUND "")

if("openblas" IN_LIST NABLA_GEMM_LIBS)
  pkg_check_modules(OPENBLAS IMPORTED_TARGET openblas)
  if(OPENBLAS_FOUND)
    target_sources(nabla PRIVATE framework/cpu/gemm_openblas.cc)
    target_link_libraries(nabla PRIVATE PkgConfig::OPENBLAS)
    list(APPEND NABLA_GEMM_FOUND openblas)
  endif()
endif()
if("blis" IN_LIST NABLA_GEMM_LIBS)
  find_path(BLIS_INCLUDE_DIR blis.h PATH_SUFFIXES blis)
  find_library(BLIS_LIBRARY blis)
  if(BLIS_INCLUDE_DIR AND BLIS_LIBRARY)
    target_sources(nabla PRIVATE framework/cpu/gemm_blis.cc)
    set_source_files_properties(framework/cpu/gemm_blis.cc PROPERTIES INCLUDE_DIRECTORIES
                                ${BLIS_INCLUDE_DIR})
    target_link_libraries(nabla PRIVATE ${BLIS_LIBRARY})
    list(APPEND NABLA_GEMM_FOUND blis)
  endif()
endif()
if("dnnl" IN_LIST NABLA_GEMM_LIBS)
  find_package(dnnl CONFIG QUIET)
  find_package(OpenMP COMPONENTS CXX)
  if(dnnl_FOUND AND OpenMP_CXX_FOUND)
    target_sources(nabla PRIVATE framework/cpu/gemm_dnnl.cc)
    target_link_libraries(nabla PRIVATE DNNL::dnnl OpenMP::OpenMP_CXX)
    list(APPEND NABLA_GEMM_FOUND dnnl)
  endif()
endif()

# One definition per provider, on the one file that lists them (a definition on every file would
# recompile everything when the list changes).
set(_gemm_defs "")
foreach(lib openblas blis dnnl)
  string(TOUPPER ${lib} _up)
  if(lib IN_LIST NABLA_GEMM_FOUND)
    list(APPEND _gemm_defs NABLA_GEMM_${_up}=1)
  endif()
endforeach()
set_source_files_properties(framework/cpu/gemm_provider.cc PROPERTIES COMPILE_DEFINITIONS
                            "${_gemm_defs}")
message(STATUS "GEMM providers: native (with AVX-512), ${NABLA_GEMM_FOUND}, eigen")
