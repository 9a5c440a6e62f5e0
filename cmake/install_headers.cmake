# Installs nabla's public headers (run by cmake --install; see cmake/install.cmake): the umbrella
# include/nabla/nabla.h, the umbrella's former path framework/nabla.h, and every header they
# reach through #include "..." or #include <nabla/...>, each under
# ${CMAKE_INSTALL_PREFIX}/${NABLA_HEADERS_DESTINATION} at its path relative to the source root
# (include/nabla/nabla.h as nabla.h). tests/test_public_headers.cc checks that this set holds no
# internal header and no Eigen.
if(NOT NABLA_SOURCE_DIR OR NOT NABLA_HEADERS_DESTINATION)
  message(FATAL_ERROR "install_headers.cmake: NABLA_SOURCE_DIR and NABLA_HEADERS_DESTINATION must be set")
endif()

set(todo "nabla/nabla.h" "framework/nabla.h")
set(seen "")
while(todo)
  list(POP_BACK todo header)
  list(FIND seen "${header}" at)  # (an install script runs without the project's policies)
  if(at GREATER -1)
    continue()
  endif()
  list(APPEND seen ${header})
  # A quoted include is relative to the source root; <nabla/...> to include/.
  if(EXISTS "${NABLA_SOURCE_DIR}/${header}")
    set(file "${NABLA_SOURCE_DIR}/${header}")
  elseif(EXISTS "${NABLA_SOURCE_DIR}/include/${header}")
    set(file "${NABLA_SOURCE_DIR}/include/${header}")
  else()
    message(FATAL_ERROR "nabla: public header ${header} is included but found neither in "
                        "${NABLA_SOURCE_DIR} nor in ${NABLA_SOURCE_DIR}/include")
  endif()
  file(STRINGS "${file}" lines REGEX "^[ \t]*#[ \t]*include[ \t]*[\"<]")
  foreach(line IN LISTS lines)
    # Two ifs: if() evaluates both sides of an OR, and the failing match clears CMAKE_MATCH_1.
    if(line MATCHES "^[ \t]*#[ \t]*include[ \t]*\"([^\"]+)\"")
      list(APPEND todo "${CMAKE_MATCH_1}")
    elseif(line MATCHES "^[ \t]*#[ \t]*include[ \t]*<(nabla/[^>]+)>")
      list(APPEND todo "${CMAKE_MATCH_1}")
    endif()
  endforeach()

  # nabla/nabla.h is the umbrella itself: it goes to include/nabla/nabla.h.
  if(header MATCHES "^nabla/")
    string(REGEX REPLACE "^nabla/" "" header "${header}")
  endif()
  get_filename_component(dir "${header}" DIRECTORY)
  file(INSTALL "${file}" DESTINATION "${CMAKE_INSTALL_PREFIX}/${NABLA_HEADERS_DESTINATION}/${dir}")
endwhile()
