# SPDX-License-Identifier: MIT
# Unit tests of the agent: flag parsing, API JSON, state files, lookup,
# output frames, and one start of the real mstatd.
if(NOT TARGET mstat_agent_core)
  message(STATUS "agent: unit tests wait for mstat_agent_core")
  return()
endif()

foreach(t config api_json state record frame logfile terminal_json)
  mstat_add_unit_test(test_agent_${t}
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_agent_${t}.c
    LIBS mstat_agent_core)
endforeach()

mstat_add_unit_test(test_agent_daemon
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_agent_daemon.c
  LIBS mstat_common)
add_dependencies(test_agent_daemon mstatd)
set_property(TEST test_agent_daemon APPEND PROPERTY ENVIRONMENT "MSTATD=$<TARGET_FILE:mstatd>")
