# SPDX-License-Identifier: MIT
mstat_add_unit_test(test_collectors_cgparse
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_collectors_cgparse.c
  LIBS mstat_collectors)
mstat_add_unit_test(test_collectors_pipeline
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_collectors_pipeline.c
  LIBS mstat_collectors m)
# Creates a cgroup beneath its own when run as root; skipped otherwise.
mstat_add_unit_test(test_collectors_live
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_collectors_live.c
  LIBS mstat_collectors)
set_tests_properties(test_collectors_live PROPERTIES TIMEOUT 60)
mstat_add_unit_test(test_collectors_cgfile
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_collectors_cgfile.c
  LIBS mstat_collectors)
