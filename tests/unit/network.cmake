# SPDX-License-Identifier: MIT
# Bridge networking: the -p parser, the address allocator, the port JSON,
# the netlink counter parser, and live bridge, veth and dump checks that run
# as root inside a private network namespace (skipped otherwise).
mstat_add_unit_test(test_cli_publish
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_cli_publish.c
  LIBS mstat_cli_core)
mstat_add_unit_test(test_runtime_net
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_runtime_net.c
  LIBS mstat_runtime)
mstat_add_unit_test(test_collectors_net_link
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_collectors_net_link.c
  LIBS mstat_collectors)
if(TARGET mstat_agent_core)
  mstat_add_unit_test(test_agent_ports
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_agent_ports.c
    LIBS mstat_agent_core)
endif()
if(TARGET mstat_agent_core)
  mstat_add_unit_test(test_agent_netproxy
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_agent_netproxy.c
    LIBS mstat_agent_core)
  set_tests_properties(test_agent_netproxy PROPERTIES TIMEOUT 60)
endif()
