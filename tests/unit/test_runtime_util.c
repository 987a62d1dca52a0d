/* SPDX-License-Identifier: MIT */
/*
 * Test helpers for real cgroups and containers. Cgroups are created only
 * beneath the test's own cgroup (per controller on v1), state only under a
 * fresh /tmp directory, and both are removed at the end.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/unit/test_runtime_util.h"

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool dir_is_repeated(const struct cg_paths *p, int c)
{
	for (int prev = 0; prev < c; prev++) {
		if (p->dir[prev] && strcmp(p->dir[prev], p->dir[c]) == 0)
			return true;
	}
	return false;
}

void rt_test_require_root(void)
{
	struct cg_layout layout;
	struct cg_paths self;
	struct mst_err err = { 0 };

	if (geteuid() != 0) {
		printf("SKIP: these tests create cgroups and namespaces and need root\n");
		exit(77);
	}
	if (cg_layout_detect("/sys/fs/cgroup", "/proc", &layout, &err) < 0 ||
	    cg_paths_of_pid(&layout, 0, &self, &err) < 0) {
		printf("SKIP: no usable cgroup hierarchy: %s\n", err.msg);
		exit(77);
	}
	for (int c = 0; c < _CG_CTRL_MAX; c++) {
		char probe[PATH_MAX];

		if (!self.dir[c] || dir_is_repeated(&self, c))
			continue;
		snprintf(probe, sizeof(probe), "%s/mstat-probe-%d", self.dir[c], (int)getpid());
		if (mkdir(probe, 0755) < 0) {
			printf("SKIP: cannot create cgroups beneath %s: %s\n", self.dir[c],
			       strerror(errno));
			exit(77);
		}
		(void)rmdir(probe);
	}
	cg_paths_free(&self);
}

int rt_test_env_setup(struct rt_test_env *env, bool force_v2)
{
	struct cg_paths self;
	struct mst_err err = { 0 };
	char name[64];
	int r;

	memset(env, 0, sizeof(*env));
	r = cg_layout_detect("/sys/fs/cgroup", "/proc", &env->layout, &err);
	if (r < 0)
		goto fail;
	if (force_v2) {
		if (env->layout.unified[0] == '\0') {
			printf("no cgroup2 mount on this host\n");
			return -ENOENT;
		}
		env->layout.version = CG_V2;
		env->layout.mode = CG_MODE_UNIFIED;
	}
	env->ops = cg_ops_for(&env->layout);
	r = cg_paths_of_pid(&env->layout, 0, &self, &err);
	if (r < 0)
		goto fail;
	snprintf(name, sizeof(name), "mstat-test-%d%s", (int)getpid(), force_v2 ? "-v2" : "");
	r = cg_paths_child(&self, name, &env->parent);
	cg_paths_free(&self);
	if (r < 0)
		return r;
	r = env->ops->prepare_parent(&env->layout, &env->parent, &err);
	if (r < 0)
		goto fail;

	snprintf(env->state_root, sizeof(env->state_root), "/tmp/mstat-rt-test-XXXXXX");
	if (!mkdtemp(env->state_root)) {
		r = -errno;
		printf("mkdtemp: %s\n", strerror(errno));
		return r;
	}
	env->ready = true;
	return 0;
fail:
	printf("test environment: %s\n", err.msg);
	return r;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path) < 0 ? -1 : 0;
	return unlink(path) < 0 ? -1 : 0;
}

void rt_test_env_cleanup(struct rt_test_env *env)
{
	if (env->state_root[0])
		(void)nftw(env->state_root, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
	for (int c = 0; c < _CG_CTRL_MAX; c++) {
		if (env->parent.dir[c] && !dir_is_repeated(&env->parent, c) &&
		    rmdir(env->parent.dir[c]) < 0 && errno != ENOENT)
			printf("cleanup: rmdir %s: %s\n", env->parent.dir[c], strerror(errno));
	}
	cg_paths_free(&env->parent);
	env->ready = false;
}

void rt_test_random_id(char id[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char bytes[32];

	if (getrandom(bytes, sizeof(bytes), 0) != (ssize_t)sizeof(bytes)) {
		for (size_t i = 0; i < sizeof(bytes); i++)
			bytes[i] = (unsigned char)(getpid() * 31 + (int)i * 7 + time(NULL));
	}
	for (size_t i = 0; i < sizeof(bytes); i++) {
		id[2 * i] = hex[bytes[i] >> 4];
		id[2 * i + 1] = hex[bytes[i] & 15];
	}
	id[64] = '\0';
}

int rt_test_state_dir(const struct rt_test_env *env, const char *name, char *ret)
{
	if (snprintf(ret, PATH_MAX, "%s/%s", env->state_root, name) >= PATH_MAX)
		return -ENAMETOOLONG;
	if (mkdir(ret, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* Reads what is available on fd into buf; returns -1 at EOF, 0 otherwise. */
static int read_some(int fd, char *buf, size_t size, size_t *len)
{
	char scratch[512];
	char *dst = *len + 1 < size ? buf + *len : scratch;
	size_t room = *len + 1 < size ? size - 1 - *len : sizeof(scratch);
	ssize_t n = read(fd, dst, room);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0)
		return -1;
	if (dst == buf + *len) {
		*len += (size_t)n;
		buf[*len] = '\0';
	}
	return 0;
}

int rt_test_read_all(int fd, char *buf, size_t size, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	size_t len = 0;

	buf[0] = '\0';
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		long long left = deadline - now_ms();

		if (left <= 0 || poll(&pfd, 1, (int)left) == 0)
			return -ETIMEDOUT;
		if (read_some(fd, buf, size, &len) < 0)
			return (int)len;
	}
}

int rt_test_read_line(int fd, char *buf, size_t size, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	size_t len = 0;

	buf[0] = '\0';
	while (!strchr(buf, '\n')) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		long long left = deadline - now_ms();
		char c;

		if (left <= 0 || poll(&pfd, 1, (int)left) == 0)
			return -ETIMEDOUT;
		if (read(fd, &c, 1) != 1)
			return -EIO;
		if (len + 1 < size) {
			buf[len++] = c;
			buf[len] = '\0';
		}
	}
	return (int)len;
}

int rt_test_wait(struct rt_process *proc, int timeout_ms)
{
	struct pollfd pfd = { .fd = proc->pidfd, .events = POLLIN };
	siginfo_t info;
	int timed_out = 0;

	if (poll(&pfd, 1, timeout_ms) == 0) {
		timed_out = 1;
		(void)pidfd_send_signal(proc->pidfd, SIGKILL, NULL, 0);
	}
	memset(&info, 0, sizeof(info));
	while (waitid(P_PIDFD, (id_t)proc->pidfd, &info, WEXITED) < 0) {
		if (errno != EINTR) {
			(void)close(proc->pidfd);
			return -errno;
		}
	}
	(void)close(proc->pidfd);
	proc->pidfd = -1;
	if (timed_out)
		return -ETIMEDOUT;
	if (info.si_code == CLD_EXITED)
		return info.si_status;
	return 128 + info.si_status;
}

/* Collects stdout and stderr of a container until both reach EOF. */
static int collect_output(int out_fd, int err_fd, struct rt_test_run *run, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	size_t out_len = 0, err_len = 0;
	struct pollfd pfd[2] = { { .fd = out_fd, .events = POLLIN },
				 { .fd = err_fd, .events = POLLIN } };

	run->out[0] = run->err[0] = '\0';
	while (pfd[0].fd >= 0 || pfd[1].fd >= 0) {
		long long left = deadline - now_ms();

		if (left <= 0 || poll(pfd, 2, (int)left) == 0)
			return -ETIMEDOUT;
		if (pfd[0].revents && read_some(out_fd, run->out, sizeof(run->out), &out_len) < 0)
			pfd[0].fd = -1;
		if (pfd[1].revents && read_some(err_fd, run->err, sizeof(run->err), &err_len) < 0)
			pfd[1].fd = -1;
	}
	return 0;
}

static void close_pair(int p[2])
{
	for (int i = 0; i < 2; i++) {
		if (p[i] >= 0)
			(void)close(p[i]);
		p[i] = -1;
	}
}

int rt_test_start(struct rt_test_env *env, struct rt_spec *spec, bool stdin_pipe,
		  struct rt_test_live *ret, struct mst_err *err)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, errp[2] = { -1, -1 };
	struct rt_cgroup *cg = NULL;
	int r;

	memset(ret, 0, sizeof(*ret));
	r = env->ops->create(&env->layout, &env->parent, spec->name, &cg, err);
	if (r < 0)
		return r;
	r = env->ops->set_limits(cg, &spec->limits, err);
	if (r < 0)
		goto fail;
	r = rt_test_state_dir(env, spec->name, ret->state);
	if (r < 0)
		goto fail;
	if ((stdin_pipe && pipe2(in, O_CLOEXEC) < 0) || pipe2(out, O_CLOEXEC) < 0 ||
	    pipe2(errp, O_CLOEXEC) < 0) {
		r = -errno;
		goto fail;
	}

	struct rt_stdio stdio = { .in_fd = in[0], .out_fd = out[1], .err_fd = errp[1] };
	r = rt_spawn(spec, cg, &stdio, ret->state, &ret->proc, err);
	if (r < 0)
		goto fail;
	(void)close(out[1]);
	(void)close(errp[1]);
	if (in[0] >= 0)
		(void)close(in[0]);
	ret->cg = cg;
	ret->in_fd = in[1];
	ret->out_fd = out[0];
	ret->err_fd = errp[0];
	return 0;
fail:
	close_pair(in);
	close_pair(out);
	close_pair(errp);
	struct mst_err remove_err = { 0 };
	(void)env->ops->remove(cg, &remove_err);
	rt_cgroup_free(cg);
	return r;
}

void rt_test_finish(struct rt_test_live *live, int timeout_ms, struct rt_test_run *ret)
{
	int file_code;

	if (live->in_fd >= 0)
		(void)close(live->in_fd);
	live->in_fd = -1;
	int collected = collect_output(live->out_fd, live->err_fd, ret, timeout_ms);
	(void)close(live->out_fd);
	(void)close(live->err_fd);
	live->out_fd = live->err_fd = -1;

	ret->code = rt_test_wait(&live->proc, collected < 0 ? 0 : timeout_ms);
	ret->file_code = rt_read_exit(live->state, &file_code);
	if (ret->file_code == 0)
		ret->file_code = file_code;
}

int rt_test_remove(struct rt_test_env *env, struct rt_test_live *live)
{
	struct mst_err err = { 0 };
	int r = env->ops->remove(live->cg, &err);

	if (r < 0)
		printf("remove cgroup: %s\n", err.msg);
	rt_cgroup_free(live->cg);
	live->cg = NULL;
	return r;
}

int rt_test_run_container(struct rt_test_env *env, struct rt_spec *spec, int timeout_ms,
			  struct rt_test_run *ret, struct mst_err *err)
{
	struct rt_test_live live;
	int r = rt_test_start(env, spec, false, &live, err);

	if (r < 0)
		return r;
	rt_test_finish(&live, timeout_ms, ret);
	return rt_test_remove(env, &live);
}

static char self_copy_dir[] = "/var/tmp/mstat-rt-exe-XXXXXX";
static char self_copy[PATH_MAX];

static void remove_self_copy(void)
{
	(void)unlink(self_copy);
	(void)rmdir(self_copy_dir);
}

/* Copies the test binary to src_path's name in a fresh /var/tmp directory:
 * containers get a private /tmp, so a build tree under /tmp would hide the
 * binary from the helper commands run inside them. */
static int copy_self(const char *src_path)
{
	char buf[65536];
	ssize_t n;
	int in, out, r = 0;

	if (!mkdtemp(self_copy_dir) || chmod(self_copy_dir, 0755) < 0)
		return -errno;
	snprintf(self_copy, sizeof(self_copy), "%s/test-helper", self_copy_dir);
	in = open(src_path, O_RDONLY | O_CLOEXEC);
	out = open(self_copy, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
	if (in < 0 || out < 0)
		r = -errno;
	while (r == 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			r = -EIO;
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) < 0 && r == 0)
		r = -errno;
	atexit(remove_self_copy);
	return r;
}

const char *rt_test_self_exe(void)
{
	static char path[PATH_MAX];

	if (path[0] == '\0') {
		ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);

		path[n > 0 ? n : 0] = '\0';
		if (strncmp(path, "/tmp/", 5) == 0 && copy_self(path) == 0)
			snprintf(path, sizeof(path), "%s", self_copy);
	}
	return path;
}
