/* Console and /dev/kmsg output. Every line starts with "nbinit: ". The
 * kmsg copy is written at debug level so the kernel does not print it on the
 * console a second time; dmesg and log collectors still get it. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "boot.h"
#include "fileio.h"

static struct {
	int kmsg;
	bool quiet, debug;
} lg = { .kmsg = -1 };

void log_init(struct boot *b)
{
	char p[BOOT_PATH];

	lg.quiet = b->o.quiet;
	lg.debug = b->o.debug;
	if (lg.kmsg < 0 && b->pid1 && !rpath(b, p, sizeof(p), "/dev/kmsg"))
		lg.kmsg = open(p, O_WRONLY | O_CLOEXEC | O_NOCTTY);
}

/* LINE (N bytes, ending in a newline) on the console when CONSOLE, and in
 * kmsg at debug level (<15>: user facility, debug). */
static void put(bool console, const char *line, int n)
{
	ssize_t w;

	if (console) {
		w = write(STDERR_FILENO, line, (size_t)n);
		(void)w;
	}
	if (lg.kmsg >= 0) {
		char k[1300];
		int m = snprintf(k, sizeof(k), "<15>%.*s", n, line);
		if (m > 0) {
			w = write(lg.kmsg, k, (size_t)m);
			(void)w;
		}
	}
}

static void emit(bool console, const char *tag, const char *fmt, va_list ap)
{
	char line[1200];
	int n;

	n = snprintf(line, sizeof(line), "nbinit: %s", tag);
	if (n < 0)
		return;
	vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	n = (int)strlen(line);
	line[n++] = '\n';
	put(console, line, n);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(!lg.quiet, "", fmt, ap);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(true, "warning: ", fmt, ap);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!lg.debug)
		return;
	va_start(ap, fmt);
	emit(true, "debug: ", fmt, ap);
	va_end(ap);
}

int boot_fail(struct boot *b, int err, const char *fmt, ...)
{
	va_list ap;

	int n = snprintf(b->why, sizeof(b->why), "%s: ", b->phase ? b->phase : "init");

	if (n < 0 || (size_t)n >= sizeof(b->why))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(b->why + n, sizeof(b->why) - (size_t)n, fmt, ap);
	va_end(ap);
	log_fail_line(b->why);
	return err < 0 ? err : -EIO;
}

int phase_run(struct boot *b, const char *name, int (*run)(struct boot *b))
{
	int err;

	b->phase = name;
	tl_phase(name);
	b->why[0] = '\0';
	err = run(b);
	if (!err)
		return 0;
	if (err > 0)
		err = -EIO;
	/* A phase that failed without its line still gets one. */
	if (!b->why[0])
		boot_fail(b, err, "failed without saying why: %s", strerror(-err));
	return err;
}

void log_fail_line(const char *line)
{
	char buf[1200];
	int n = snprintf(buf, sizeof(buf), "nbinit: %s\n", line);

	if (n <= 0)
		return;
	if (n >= (int)sizeof(buf)) {
		n = sizeof(buf) - 1;
		buf[n - 1] = '\n';
	}
	put(true, buf, n);
}

void sleep_ms(long ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int rpath(const struct boot *b, char *buf, size_t size, const char *p)
{
	return fmt_path(buf, size, "%s%s", b->root ? b->root : "", p);
}
