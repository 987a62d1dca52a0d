# SPDX-License-Identifier: MIT
mstat_add_unit_test(test_common_parse
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_common_parse.c
  LIBS mstat_common)
mstat_add_unit_test(test_common_cglayout
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_common_cglayout.c
  LIBS mstat_common)
mstat_add_unit_test(test_common_restart
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_common_restart.c
  LIBS mstat_common)
