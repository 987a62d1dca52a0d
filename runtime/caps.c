/* SPDX-License-Identifier: MIT */
/*
 * Capabilities and no_new_privs. The parent resolves docker's default set by
 * name with libcap. The child applies it with raw prctl(2) and capset(2)
 * because libcap allocates, which the child must not do.
 */
#include <errno.h>
#include <linux/capability.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runtime/spawn_child.h"

/* Docker's default capabilities (defaultCapabilities in moby oci/defaults.go), the set
 * `docker run` grants without --cap-add or --privileged. */
static const char *const docker_default_caps[] = {
	"cap_chown",   "cap_dac_override", "cap_fsetid",	   "cap_fowner",
	"cap_mknod",   "cap_net_raw",	   "cap_setgid",	   "cap_setuid",
	"cap_setfcap", "cap_setpcap",	   "cap_net_bind_service", "cap_sys_chroot",
	"cap_kill",    "cap_audit_write",
};

int rt_caps_docker_default(struct rt_caps *ret, struct mst_err *err)
{
	struct rt_caps caps = { 0 };
	int bits = cap_max_bits();

	if (bits <= 0 || bits > 64)
		return err_setx(err, ENOTSUP,
				"the kernel reports %d capabilities; mstat handles 1 to 64", bits);
	caps.last_cap = (unsigned)bits - 1;

	for (size_t i = 0; i < sizeof(docker_default_caps) / sizeof(docker_default_caps[0]); i++) {
		cap_value_t value;

		if (cap_from_name(docker_default_caps[i], &value) < 0)
			return err_set(err, errno, "resolve capability %s", docker_default_caps[i]);
		if (value < 0 || (unsigned)value > caps.last_cap)
			continue;
		caps.keep |= UINT64_C(1) << value;
	}
	*ret = caps;
	return 0;
}

int rt_caps_apply(const struct rt_caps *caps, struct rt_child_error *e)
{
	struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { 0 };

	for (unsigned cap = 0; cap <= caps->last_cap; cap++) {
		if (caps->keep & (UINT64_C(1) << cap))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
			return rt_child_fail(e, errno, "drop capability from the bounding set",
					     NULL);
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		return rt_child_fail(e, errno, "clear the ambient capabilities", NULL);

	data[0].effective = data[0].permitted = (uint32_t)caps->keep;
	data[1].effective = data[1].permitted = (uint32_t)(caps->keep >> 32);
	if (syscall(SYS_capset, &header, data) < 0)
		return rt_child_fail(e, errno, "set capabilities", NULL);

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return rt_child_fail(e, errno, "set no_new_privs", NULL);
	return 0;
}
