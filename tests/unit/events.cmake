# SPDX-License-Identifier: MIT
# Unit tests of container events: the event JSON, the ring, filters, the
# journald fields and the /dev/kmsg parser. They build the sources directly,
# so they do not wait for the rest of the agent.
find_package(Threads REQUIRED)
mstat_add_unit_test(test_agent_events
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_agent_events.c
          ${CMAKE_SOURCE_DIR}/agent/events.c
          ${CMAKE_SOURCE_DIR}/agent/journal.c
          ${CMAKE_SOURCE_DIR}/agent/kmsg.c
  LIBS mstat_common PkgConfig::JANSSON PkgConfig::SYSTEMD Threads::Threads)
