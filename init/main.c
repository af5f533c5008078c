/* nbinit: a static /init that netboots Alpine Linux diskless.
 * main() only runs the phases in order and decides what a failure means:
 * a rescue shell on the console, or with panic= an exit that makes the
 * kernel reboot. PID 1 never exits otherwise. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <unistd.h>

#include "boot.h"
#include "fileio.h"

static struct boot boot;

static void early_mounts(void)
{
	mkdir("/proc", 0555);
	mkdir("/sys", 0555);
	mkdir("/dev", 0755);
	mkdir("/run", 0755);
	mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	if (mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755") < 0 && errno != EBUSY)
		mount("tmpfs", "/dev", "tmpfs", MS_NOSUID, "mode=0755");
	mkdir("/dev/pts", 0755);
	mkdir("/dev/shm", 01777);
	mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "gid=5,mode=0620");
	mount("shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
	/* Without /dev/console in the cpio the kernel gave us no stdio. */
	if (fcntl(STDERR_FILENO, F_GETFD) < 0) {
		int fd = open("/dev/console", O_RDWR | O_NOCTTY);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
			if (fd > 2)
				close(fd);
		}
	}
	setenv("PATH", "/usr/bin:/bin:/usr/sbin:/sbin", 1);
}

static void reap(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

/* The policy line right after the failure line, then the report (bounded,
 * only with nbinit.report=): the admin reads cause and consequence together. */
static void announce(struct boot *b, const char *line)
{
	log_fail_line(line);
	report_outcome(b, false);
}

/* The rescue shell: /bin/sh, else busybox's own (an initrd that mkinitfs
 * packed from features naming only /bin/busybox has no /bin/sh). Returns
 * false when there is none. */
static bool rescue_shell(struct boot *b)
{
	char path[BOOT_PATH];
	const char *arg1 = NULL;
	char *argv[3] = { path, NULL, NULL };
	pid_t pid;

	if (shell_argv("", path, sizeof(path), &arg1) < 0) {
		announce(b, "no rescue shell (neither /bin/sh nor /bin/busybox); rebooting in 10 s");
		return false;
	}
	argv[1] = (char *)arg1;
	announce(b, arg1 ? "starting rescue shell (busybox sh; exit it to reboot)" :
	                   "starting rescue shell (exit it to reboot)");
	pid = fork();
	if (pid == 0) {
		setsid();
		ioctl(STDIN_FILENO, TIOCSCTTY, 1);
		execv(argv[0], argv);
		_exit(127);
	}
	if (pid > 0)
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	return true;
}

/* The configured failure policy; never returns. */
static void __attribute__((noreturn)) fail_policy(struct boot *b)
{
	char line[128];

	reap();
	{
		char p[BOOT_PATH];
		if (!rpath(b, p, sizeof(p), "/run/nbinit/last-error")) {
			mkdir("/run/nbinit", 0755);
			file_write(p, b->why, strlen(b->why), 0644);
		}
	}
	if (b->o.onfail == ONFAIL_REBOOT || b->o.onfail == ONFAIL_POWEROFF) {
		bool off = b->o.onfail == ONFAIL_POWEROFF;
		if (off)
			snprintf(line, sizeof(line), "powering off (nbinit.onfail=poweroff)");
		else
			snprintf(line, sizeof(line), "rebooting in %d s (nbinit.onfail=reboot)", b->o.onfail_delay_s);
		announce(b, line);
		sync();
		if (!off)
			sleep_ms(b->o.onfail_delay_s * 1000L);
		reboot(off ? RB_POWER_OFF : RB_AUTOBOOT);
		for (;;)
			pause();
	}
	if (b->o.panic_given && b->o.onfail != ONFAIL_SHELL) {
		if (b->o.panic > 0)
			snprintf(line, sizeof(line), "rebooting in %d s (panic=%d)", b->o.panic, b->o.panic);
		else if (b->o.panic < 0)
			snprintf(line, sizeof(line), "rebooting now (panic=%d)", b->o.panic);
		else
			snprintf(line, sizeof(line), "halting: panic=0 asks the kernel not to reboot");
		announce(b, line);
		sync();
		exit(1);   /* PID 1 exits: the kernel panics and applies panic= */
	}
	{
		bool had_shell = rescue_shell(b);
		reap();
		sync();
		sleep_ms(had_shell ? 0 : 10000);
	}
	log_fail_line("rebooting");
	reboot(RB_AUTOBOOT);
	for (;;)
		pause();
}

static void warn_line(void *ctx, const char *line)
{
	if (ctx)
		printf("warning: %s\n", line);
	else
		log_warn("%s", line);
}

/* `nbinit --check [--strict] 'CMDLINE'`: parse a command line as the init
 * would, print its warnings and everything it will use, for admins checking
 * options before a reboot. Exit 0, 1 (an error; with --strict also a
 * warning). */
static int check_main(const char *text, bool strict)
{
	struct boot *b = &boot;
	const struct opts *o = &b->o;
	int warnings;

	b->root = "";
	b->phase = "cmdline";
	if (options_parse_text(b, text)) {
		if (o->open_quote[0])   /* often the cause: say it too */
			printf("warning: cmdline: %s: the '\"' opened there is never closed: the value runs to the end of the line\n",
			       o->open_quote);
		return 1;   /* the error line is printed */
	}
	warnings = options_lint(b, warn_line, stdout);
	options_describe(b, stdout);
	if (warnings)
		printf("%d warning%s%s\n", warnings, warnings > 1 ? "s" : "", strict ? " (--strict: exit 1)" : "");
	return strict && warnings ? 1 : 0;
}

/* The command line, then its warnings once, on the console. */
static int phase_cmdline(struct boot *b)
{
	int err = options_parse(b);

	if (!err) {
		options_lint(b, warn_line, NULL);
		log_info("starting (kernel command line parsed)");
	}
	return err;
}

/* The boot, in order. Each phase returns 0 or a negative errno and says why
 * with boot_fail() (OBJECT: CAUSE; the loop has set the phase); a failure
 * runs the configured policy. */
static const struct phase {
	const char *name;       /* the timeline's and the failure line's */
	int (*run)(struct boot *b);
} phases[] = {
	{ "cmdline", phase_cmdline },
	{ "modules", modules_load },
	{ "net", net_up },
	{ "media", media_mount },
	{ "rootfs", newroot_mount },    /* the tmpfs the overlay lands in */
	{ "overlay", overlay_apply },
	{ "packages", packages_install },
	{ "newroot", newroot_prepare },
};

/* The timeline ends before the switch: on the console and in the new root
 * for the system to read. */
static void timeline_end(struct boot *b)
{
	static char buf[8192];
	int n, err;

	tl_phase(NULL);
	tl_print();
	n = tl_format(buf, sizeof(buf));
	if (n > 0 && (err = newroot_write(b, "/var/lib/nbinit/timeline", buf, (size_t)n)))
		log_warn("newroot: /var/lib/nbinit/timeline: %s; not written", beneath_strerror(err));
}

static void usage(FILE *f, const char *prog)
{
	fprintf(f, "usage: %s --check [--strict] 'KERNEL COMMAND LINE'\n"
	        "  parse the command line as the init would, print its warnings and what it will use;\n"
	        "  exit 1 on an error (with --strict also on a warning)\n"
	        "  (as PID 1 in an initramfs it boots; see README.md)\n", prog);
}

int main(int argc, char **argv)
{
	const char *base = strrchr(argv[0], '/');
	struct boot *b = &boot;
	size_t i;
	int err;

	base = base ? base + 1 : argv[0];
	if (!strcmp(base, DHCP_SCRIPT_NAME) || !strcmp(base, "default.script"))
		return dhcp_script_main(argc, argv);
	if (getpid() != 1) {
		if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
			usage(stdout, argv[0]);
			return 0;
		}
		if (argc == 3 && !strcmp(argv[1], "--check"))
			return check_main(argv[2], false);
		if (argc == 4 && !strcmp(argv[1], "--check") && !strcmp(argv[2], "--strict"))
			return check_main(argv[3], true);
		if (argc == 4 && !strcmp(argv[1], "--strict") && !strcmp(argv[2], "--check"))
			return check_main(argv[3], true);
		usage(stderr, argv[0]);
		return 2;
	}

	b->root = "";
	b->pid1 = true;
	b->seed = (unsigned)mono_ms() ^ 0x9e3779b9u;
	tl_start();
	early_mounts();
	log_init(b);

	for (i = 0; i < sizeof(phases) / sizeof(phases[0]); i++) {
		const struct phase *p = &phases[i];

		err = phase_run(b, p->name, p->run);
		reap();
		if (err)
			fail_policy(b);
	}
	b->phase = "newroot";
	timeline_end(b);
	report_outcome(b, true);
	newroot_switch(b);
	fail_policy(b);
}
