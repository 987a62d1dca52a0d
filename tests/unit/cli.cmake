# SPDX-License-Identifier: MIT
# Unit tests of cli/: run options, the template engine, docker's human
# formats, the stats output and tabwriter, log frame demultiplexing, the
# HTTP response parser, and the HTTP client against a responder on a private
# unix socket.
foreach(t run_opts template humanize stats_view frames client http_client tty)
  mstat_add_unit_test(test_cli_${t}
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_cli_${t}.c
    LIBS mstat_cli_core)
endforeach()
