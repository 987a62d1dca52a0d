# SPDX-License-Identifier: MIT
# Unit tests of the live view (`mstat top`): its model and stream decoder,
# and its layout, sorting, filtering and cell formats.
foreach(t top_model top_layout)
  mstat_add_unit_test(test_cli_${t}
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_cli_${t}.c
    LIBS mstat_cli_core)
endforeach()
