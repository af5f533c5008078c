/* Child processes with a bound on time (child_wait: the NFS mount, package
 * scripts) and the rescue shell's argv. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "boot.h"

int child_wait(pid_t pid, long timeout_ms, int *status)
{
	long long deadline = mono_ms() + timeout_ms;
	int err = 0, pfd;

	/* pidfd lets us sleep in poll() until the child exits or time runs out. */
	pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);
		long left;

		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			err = -errno;
			break;
		}
		left = (long)(deadline - mono_ms());
		if (left <= 0) {
			kill(pid, SIGKILL);
			waitpid(pid, status, 0);
			err = -ETIMEDOUT;
			break;
		}
		if (pfd >= 0) {
			struct pollfd p = { .fd = pfd, .events = POLLIN };
			poll(&p, 1, (int)(left > 1000 ? 1000 : left));
		} else {
			sleep_ms(left > 20 ? 20 : left);
		}
	}
	if (pfd >= 0)
		close(pfd);
	return err;
}

int shell_argv(const char *root, char *path, size_t size, const char **arg1)
{
	static const char *const cand[][2] = { { "/bin/sh", NULL }, { "/bin/busybox", "sh" } };
	size_t i;

	for (i = 0; i < sizeof(cand) / sizeof(cand[0]); i++) {
		if ((size_t)snprintf(path, size, "%s%s", root, cand[i][0]) >= size)
			return -ENAMETOOLONG;
		if (access(path, X_OK) == 0) {
			*arg1 = cand[i][1];
			return 0;
		}
	}
	return -ENOENT;
}
