/* init/proc.c: child_wait, the bounded wait that package scripts and the
 * NFS mount share: exit statuses, signals, and a child that outlives its
 * bound is killed and reaped; the rescue shell's argv. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "boot.h"
#include "tap.h"

/* SCRIPT under /bin/sh as a child, waited for with child_wait (as the NFS
 * mount and package scripts are): its return and the wait status. */
static void run(const char *script, long timeout_ms, int want_err, int want_exit, int want_sig,
                const char *what)
{
	int status = -1, r;
	pid_t pid = fork();

	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", script, (char *)NULL);
		_exit(126);
	}
	r = pid > 0 ? child_wait(pid, timeout_ms, &status) : -errno;
	if (want_sig)
		ok(r == want_err && WIFSIGNALED(status) && WTERMSIG(status) == want_sig,
		   "%s: child_wait returns %d (want %d), killed by signal %d (want %d)", what, r, want_err,
		   WIFSIGNALED(status) ? WTERMSIG(status) : 0, want_sig);
	else
		ok(r == want_err && WIFEXITED(status) && WEXITSTATUS(status) == want_exit,
		   "%s: child_wait returns %d (want %d), exit status %d (want %d)", what, r, want_err,
		   WIFEXITED(status) ? WEXITSTATUS(status) : -1, want_exit);
	ok(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD, "%s: no child left behind", what);
}

/* The rescue shell in a fixture root: /bin/sh, else /bin/busybox sh. */
static void shell_cases(void)
{
	char root[] = "/tmp/test_init_proc.XXXXXX", p[512], path[512];
	const char *arg1 = "unset";

	if (!mkdtemp(root)) {
		ok(0, "mkdtemp");
		return;
	}
	snprintf(p, sizeof(p), "%s/bin", root);
	mkdir(p, 0755);
	ok(shell_argv(root, path, sizeof(path), &arg1) == -ENOENT, "no /bin/sh, no busybox: -ENOENT");
	snprintf(p, sizeof(p), "%s/bin/busybox", root);
	close(open(p, O_WRONLY | O_CREAT, 0755));
	snprintf(p, sizeof(p), "%s/bin/sh", root);
	close(open(p, O_WRONLY | O_CREAT, 0644));   /* there, but not executable */
	ok(shell_argv(root, path, sizeof(path), &arg1) == 0 && !strcmp(path + strlen(root), "/bin/busybox") &&
	   arg1 && !strcmp(arg1, "sh"), "no executable /bin/sh: /bin/busybox sh (%s %s)", path, arg1 ? arg1 : "-");
	chmod(p, 0755);
	ok(shell_argv(root, path, sizeof(path), &arg1) == 0 && !strcmp(path + strlen(root), "/bin/sh") && !arg1,
	   "/bin/sh when it is there (%s)", path);
	ok(shell_argv(root, path, 8, &arg1) == -ENAMETOOLONG, "a root too long for the buffer: -ENAMETOOLONG");
	snprintf(p, sizeof(p), "rm -rf '%s'", root);
	if (system(p) != 0)
		diag("could not remove %s", root);
}

int main(void)
{
	long long t0;
	int status;

	run("exit 0", 10000, 0, 0, 0, "exit 0");
	run("exit 3", 10000, 0, 3, 0, "exit 3");
	run("kill -TERM $$", 10000, 0, 0, SIGTERM, "killed by SIGTERM");
	t0 = mono_ms();
	run("exec sleep 30", 300, -ETIMEDOUT, 0, SIGKILL, "outlives its 300 ms: killed");
	ok(mono_ms() - t0 < 5000, "the 300 ms bound held (%lld ms)", mono_ms() - t0);
	ok(child_wait(getpid(), 1000, &status) == -ECHILD, "child_wait on a process that is not a child: -ECHILD");
	shell_cases();
	return done_testing();
}
