/* Child processes of unit tests that run real servers: every child dies with
 * the test (PR_SET_PDEATHSIG, cleanup at exit, and a SIGALRM bound), and the
 * test's temporary directory goes with it. Define KIDS_TEST_NAME first. */
#ifndef NB_KIDS_H
#define NB_KIDS_H

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t kids[32];
static int nkids;
static char tmpdir[64];

static void reap(pid_t pid)
{
	int i;

	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	for (i = 0; i < nkids; i++)
		if (kids[i] == pid)
			kids[i] = 0;
}

static void kill_kids(void)
{
	int i;

	for (i = 0; i < nkids; i++)
		reap(kids[i]);
}

static void rm_tree(const char *path)
{
	char sub[512];
	struct dirent *e;
	DIR *d = opendir(path);

	if (d) {
		while ((e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
			rm_tree(sub);
		}
		closedir(d);
		rmdir(path);
	} else {
		unlink(path);
	}
}

static void cleanup(void)
{
	kill_kids();
	if (tmpdir[0])
		rm_tree(tmpdir);
}

static void on_alarm(int sig)
{
	static const char msg[] = "Bail out! " KIDS_TEST_NAME " ran out of time\n";
	int i;

	for (i = 0; i < nkids; i++)
		if (kids[i] > 0)
			kill(kids[i], SIGKILL);
	if (write(1, msg, sizeof(msg) - 1) < 0)
		_exit(2);
	_exit(1);
}

static void bail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn, unused));
static void bail(const char *fmt, ...)
{
	va_list ap;

	printf("Bail out! ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	exit(1);
}

/* Fork a child that is killed when we die: its pid here, 0 in the child. */
static pid_t fork_kid(void)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		bail("fork: %s", strerror(errno));
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		signal(SIGALRM, SIG_DFL);
		return 0;
	}
	if (nkids < (int)(sizeof(kids) / sizeof(kids[0])))
		kids[nkids++] = pid;
	return pid;
}

#endif
