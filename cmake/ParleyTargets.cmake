# Helpers that give every Parley target the same warnings and include root.

set(PARLEY_WARNINGS -Wall -Wextra -Wpedantic -Werror -Wno-missing-field-initializers)

# parley_library(NAME SOURCES ... DEPS ...)
# Declares the static library parley_NAME with the alias parley::NAME.
function(parley_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(parley_${name} STATIC ${ARG_SOURCES})
  add_library(parley::${name} ALIAS parley_${name})
  target_include_directories(parley_${name} PUBLIC ${CMAKE_SOURCE_DIR}/src)
  target_compile_options(parley_${name} PRIVATE ${PARLEY_WARNINGS})
  target_link_libraries(parley_${name} PUBLIC ${ARG_DEPS})
endfunction()

# parley_executable(NAME SOURCES ... DEPS ...)
function(parley_executable name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/src)
  target_compile_options(${name} PRIVATE ${PARLEY_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
endfunction()

# parley_test(NAME LABEL SOURCES ... DEPS ...)
# Declares a GoogleTest executable registered with ctest under LABEL
# (unit or integration).
function(parley_test name)
  cmake_parse_arguments(ARG "" "LABEL" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/src ${CMAKE_SOURCE_DIR}/tests)
  target_compile_options(${name} PRIVATE ${PARLEY_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS ${ARG_LABEL})
endfunction()
