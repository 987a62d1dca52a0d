# SPDX-License-Identifier: MIT
# Runtime tests. test_runtime_spec needs no privileges; the cgroup and spawn
# tests create real cgroups beneath their own cgroup and real containers, and
# exit 77 (skipped) when not run as root.
mstat_add_unit_test(test_runtime_spec
  SOURCES ${CMAKE_SOURCE_DIR}/tests/unit/test_runtime_spec.c
  LIBS mstat_runtime)

add_library(mstat_runtime_testutil STATIC ${CMAKE_SOURCE_DIR}/tests/unit/test_runtime_util.c)
target_link_libraries(mstat_runtime_testutil PUBLIC mstat_runtime)

mstat_add_unit_test(test_runtime_cgroup
  SOURCES ${CMAKE_SOURCE_DIR}/tests/unit/test_runtime_cgroup.c
  LIBS mstat_runtime_testutil)
set_tests_properties(test_runtime_cgroup PROPERTIES TIMEOUT 300 RUN_SERIAL TRUE)

mstat_add_unit_test(test_runtime_spawn
  SOURCES ${CMAKE_SOURCE_DIR}/tests/unit/test_runtime_spawn.c
  LIBS mstat_runtime_testutil)
# The containers run the mstat-init of this build tree.
add_dependencies(test_runtime_spawn mstat-init)
target_compile_definitions(test_runtime_spawn PRIVATE
  MSTAT_TEST_INIT_PATH="$<TARGET_FILE:mstat-init>")
set_tests_properties(test_runtime_spawn PROPERTIES TIMEOUT 600 RUN_SERIAL TRUE)
mstat_add_unit_test(test_runtime_exec_env
  SOURCES ${CMAKE_SOURCE_DIR}/tests/unit/test_runtime_exec_env.c
  LIBS mstat_runtime)
mstat_add_unit_test(test_runtime_user
  SOURCES ${CMAKE_SOURCE_DIR}/tests/unit/test_runtime_user.c
  LIBS mstat_runtime)
