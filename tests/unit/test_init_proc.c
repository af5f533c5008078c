/* init/proc.c: the bounded wait that udhcpc, package scripts and the NFS
 * mount share: exit statuses, signals, and a child that outlives its bound
 * is killed and reaped. */
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

static void run(const char *script, long timeout_ms, int want, const char *what)
{
	char *argv[] = { "/bin/sh", "-c", (char *)script, NULL };
	int r = run_wait(argv, NULL, NULL, timeout_ms);

	ok(r == want, "%s: run_wait returns %d (want %d)", what, r, want);
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
	int status;
	pid_t pid;

	run("exit 0", 10000, 0, "exit 0");
	run("exit 3", 10000, 3, "exit 3");
	run("kill -TERM $$", 10000, 128 + SIGTERM, "killed by SIGTERM");
	run("exec sleep 30", 300, -ETIMEDOUT, "outlives its 300 ms");
	{
		char *argv[] = { "/nonexistent/prog", NULL };
		ok(run_wait(argv, NULL, NULL, 10000) == 127, "a program that cannot be executed: 127");
	}

	pid = fork();
	if (pid == 0)
		_exit(5);
	ok(pid > 0 && child_wait(pid, 10000, &status) == 0 && child_status(status) == 5,
	   "child_wait on a child that exits 5: its status");
	shell_cases();
	return done_testing();
}
