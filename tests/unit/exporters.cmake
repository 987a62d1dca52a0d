# SPDX-License-Identifier: MIT
# Unit tests of exporters/: Prometheus text, Docker stats JSON and the
# docker-stats figures and formats. Both use the hand-built fixture snapshot.
mstat_add_unit_test(test_exporters_prom
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_exporters_prom.c
          ${CMAKE_CURRENT_LIST_DIR}/test_exporters_fixture.c
  LIBS mstat_exporters)
mstat_add_unit_test(test_exporters_stats
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_exporters_stats.c
          ${CMAKE_CURRENT_LIST_DIR}/test_exporters_fixture.c
  LIBS mstat_exporters m)
mstat_add_unit_test(test_exporters_formats
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_exporters_formats.c
          ${CMAKE_CURRENT_LIST_DIR}/test_exporters_fixture.c
  LIBS mstat_exporters mstat_collectors PkgConfig::ZLIB m)
