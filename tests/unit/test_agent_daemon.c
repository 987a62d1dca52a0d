/* SPDX-License-Identifier: MIT */
/*
 * Starts the real mstatd on a temporary socket and state directory with
 * --listen 127.0.0.1:0, reads the bound port from its log, sends HTTP
 * requests over both listeners, then stops it with SIGTERM and checks that
 * it removed its socket and its parent cgroup. Needs root and cgroups.
 */
#include <CUnit/Basic.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SKIP		 77
#define START_TIMEOUT_MS 10000
#define STOP_TIMEOUT_MS	 15000

static char tmpdir[] = "/tmp/mstat-test-daemon-XXXXXX";
static char socket_path[PATH_MAX], log_path[PATH_MAX], parent_name[64];
static pid_t daemon_pid = -1;
static unsigned tcp_port;

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Waits for "listening on 127.0.0.1:PORT" in the log and for the socket. */
static int wait_for_start(void)
{
	char buf[8192];

	for (unsigned waited = 0; waited < START_TIMEOUT_MS; waited += 50) {
		FILE *f = fopen(log_path, "re");
		size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
		const char *p;

		if (f)
			fclose(f);
		buf[n] = '\0';
		p = strstr(buf, "listening on 127.0.0.1:");
		if (p && access(socket_path, F_OK) == 0) {
			tcp_port =
			    (unsigned)strtoul(p + strlen("listening on 127.0.0.1:"), NULL, 10);
			return tcp_port > 0 ? 0 : -1;
		}
		if (waitpid(daemon_pid, NULL, WNOHANG) == daemon_pid) {
			daemon_pid = -1;
			fprintf(stderr, "mstatd exited early; its log:\n%s\n", buf);
			return -1;
		}
		sleep_ms(50);
	}
	return -1;
}

/* Sends one HTTP/1.0 request and reads the whole response into out. */
static int http_exchange(int fd, const char *method, const char *path, char *out, size_t size)
{
	struct timeval tv = { .tv_sec = 5 };
	char req[256];
	size_t have = 0;
	int len = snprintf(req, sizeof(req), "%s %s HTTP/1.0\r\nHost: test\r\n\r\n", method, path);

	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (write(fd, req, (size_t)len) != len)
		return -1;
	while (have + 1 < size) {
		ssize_t n = read(fd, out + have, size - 1 - have);

		if (n <= 0)
			break;
		have += (size_t)n;
	}
	out[have] = '\0';
	return 0;
}

static int request_unix(const char *method, const char *path, char *out, size_t size)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), r = -1;

	if (snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", socket_path) >=
	    (int)sizeof(addr.sun_path)) {
		close(fd);
		return -1;
	}
	if (fd >= 0 && connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0)
		r = http_exchange(fd, method, path, out, size);
	if (fd >= 0)
		close(fd);
	return r;
}

static int request_tcp(const char *method, const char *path, char *out, size_t size)
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((uint16_t)tcp_port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), r = -1;

	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0)
		r = http_exchange(fd, method, path, out, size);
	if (fd >= 0)
		close(fd);
	return r;
}

static void test_healthz_unix(void)
{
	char resp[4096];

	CU_ASSERT_EQUAL_FATAL(request_unix("GET", "/healthz", resp, sizeof(resp)), 0);
	CU_ASSERT_EQUAL(
	    strncmp(resp, "HTTP/1.0 200", 12) == 0 || strncmp(resp, "HTTP/1.1 200", 12) == 0, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(resp, "\r\n\r\nok\n"));
}

static void test_api_unix(void)
{
	char resp[8192];

	CU_ASSERT_EQUAL_FATAL(request_unix("GET", "/v1/containers?all=1", resp, sizeof(resp)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(resp, " 200 "));
	CU_ASSERT_PTR_NOT_NULL(strstr(resp, "\r\n\r\n[]"));

	CU_ASSERT_EQUAL_FATAL(
	    request_unix("POST", "/v1/containers/nothere/start", resp, sizeof(resp)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(resp, " 404 "));
	CU_ASSERT_PTR_NOT_NULL(strstr(resp, "No such container: nothere"));
}

static void test_tcp_listener(void)
{
	char resp[65536];

	CU_ASSERT_EQUAL_FATAL(request_tcp("GET", "/healthz", resp, sizeof(resp)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(resp, " 200 "));

	CU_ASSERT_EQUAL_FATAL(request_tcp("GET", "/metrics", resp, sizeof(resp)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(resp, " 200 "));
	CU_ASSERT_PTR_NOT_NULL(strstr(resp, "text/plain; version=0.0.4"));

	CU_ASSERT_EQUAL_FATAL(request_tcp("GET", "/v1/containers", resp, sizeof(resp)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(resp, " 404 "));

	CU_ASSERT_EQUAL_FATAL(request_tcp("DELETE", "/metrics", resp, sizeof(resp)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(resp, " 405 "));
}

/* True when any v1 hierarchy, or the unified one, still has our parent. */
static bool parent_cgroup_left(void)
{
	FILE *f = fopen("/proc/self/cgroup", "re");
	char line[1024], dir[PATH_MAX * 2];
	bool left = false;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		char *ctrl = strchr(line, ':'), *path;

		if (!ctrl || !(path = strchr(ctrl + 1, ':')))
			continue;
		*path++ = '\0';
		ctrl++;
		path[strcspn(path, "\n")] = '\0';
		if (ctrl[0] == '\0' || strchr(ctrl, '='))
			continue;
		snprintf(dir, sizeof(dir), "/sys/fs/cgroup/%s%s/%s", ctrl,
			 strcmp(path, "/") ? path : "", parent_name);
		if (access(dir, F_OK) == 0) {
			fprintf(stderr, "left behind: %s\n", dir);
			(void)rmdir(dir);
			left = true;
		}
	}
	fclose(f);
	return left;
}

static void test_sigterm_shutdown(void)
{
	int status = -1;
	unsigned waited;

	CU_ASSERT_EQUAL_FATAL(kill(daemon_pid, SIGTERM), 0);
	for (waited = 0; waited < STOP_TIMEOUT_MS; waited += 50) {
		if (waitpid(daemon_pid, &status, WNOHANG) == daemon_pid)
			break;
		sleep_ms(50);
	}
	if (waited >= STOP_TIMEOUT_MS) {
		kill(daemon_pid, SIGKILL);
		waitpid(daemon_pid, &status, 0);
		CU_FAIL("mstatd did not exit within the stop timeout after SIGTERM");
	}
	daemon_pid = -1;
	CU_ASSERT_TRUE(WIFEXITED(status));
	CU_ASSERT_EQUAL(WEXITSTATUS(status), 0);
	CU_ASSERT_NOT_EQUAL(access(socket_path, F_OK), 0);
	CU_ASSERT_FALSE(parent_cgroup_left());
}

static int start_daemon(const char *mstatd)
{
	char state_dir[PATH_MAX];

	snprintf(socket_path, sizeof(socket_path), "%s/run/mstat.sock", tmpdir);
	snprintf(state_dir, sizeof(state_dir), "%s/state", tmpdir);
	snprintf(log_path, sizeof(log_path), "%s/mstatd.log", tmpdir);
	snprintf(parent_name, sizeof(parent_name), "mstat-unit-%d", (int)getpid());

	daemon_pid = fork();
	if (daemon_pid < 0)
		return -1;
	if (daemon_pid == 0) {
		int fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

		if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0)
			_exit(127);
		execl(mstatd, "mstatd", "--socket", socket_path, "--state-dir", state_dir,
		      "--listen", "127.0.0.1:0", "--cgroup-parent", parent_name, "--interval",
		      "0.2", "--stop-timeout", "1", (char *)NULL);
		_exit(127);
	}
	return wait_for_start();
}

int main(void)
{
	const char *mstatd = getenv("MSTATD");
	CU_pSuite suite;
	unsigned failures;
	char cmd[PATH_MAX + 16];

	if (geteuid() != 0) {
		printf("skipped: mstatd needs root to create cgroups\n");
		return SKIP;
	}
	if (!mstatd || access(mstatd, X_OK) != 0) {
		printf("skipped: set MSTATD to the mstatd binary\n");
		return SKIP;
	}
	if (access("/sys/fs/cgroup", W_OK) != 0) {
		printf("skipped: /sys/fs/cgroup is not writable\n");
		return SKIP;
	}
	if (!mkdtemp(tmpdir))
		return 1;
	if (start_daemon(mstatd) < 0) {
		fprintf(stderr, "mstatd did not start; see %s\n", log_path);
		if (daemon_pid > 0) {
			kill(daemon_pid, SIGKILL);
			waitpid(daemon_pid, NULL, 0);
		}
		return 1;
	}

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("agent_daemon", NULL, NULL);
	CU_add_test(suite, "healthz over unix socket", test_healthz_unix);
	CU_add_test(suite, "API over unix socket", test_api_unix);
	CU_add_test(suite, "TCP listener paths", test_tcp_listener);
	CU_add_test(suite, "SIGTERM shutdown cleans up", test_sigterm_shutdown);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures();
	CU_cleanup_registry();

	if (daemon_pid > 0) {
		kill(daemon_pid, SIGKILL);
		waitpid(daemon_pid, NULL, 0);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (failures == 0 && system(cmd) != 0)
		fprintf(stderr, "removing %s failed\n", tmpdir);
	return failures ? 1 : 0;
}
