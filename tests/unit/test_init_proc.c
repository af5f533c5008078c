/* init/proc.c: the bounded wait that udhcpc, package scripts and the NFS
 * mount share: exit statuses, signals, and a child that outlives its bound
 * is killed and reaped. */
#include <errno.h>
#include <signal.h>
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
	return done_testing();
}
