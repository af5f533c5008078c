/* The boot timeline: each phase's start and end and what it waited on,
 * in milliseconds of CLOCK_MONOTONIC (time since the kernel started). It is
 * printed at the end of the boot, copied to /dev/kmsg, and written into the
 * new root as /var/lib/nbinit/timeline (one record a line, tab-separated). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot.h"
#include "fileio.h"

/* Phases, waits, and one wait per module loaded (the kernel's time). */
#define TL_MAX 96

struct tl_rec {
	char kind;                /* 'P' phase, 'W' wait */
	char name[16];
	char object[160];
	long long start, end;
};

static struct {
	struct tl_rec r[TL_MAX];
	int n;
	int open_phase;           /* index + 1 of the running phase, 0: none */
	long long init_start;
} tl;                         /* zeroed: in .bss, not in the binary */

void tl_start(void)
{
	tl.init_start = mono_ms();
}

void tl_phase(const char *name)
{
	long long t = mono_ms();

	if (tl.open_phase > 0)
		tl.r[tl.open_phase - 1].end = t;
	tl.open_phase = 0;
	if (!name || tl.n >= TL_MAX)
		return;
	tl.r[tl.n].kind = 'P';
	snprintf(tl.r[tl.n].name, sizeof(tl.r[0].name), "%s", name);
	tl.r[tl.n].object[0] = '\0';
	tl.r[tl.n].start = t;
	tl.r[tl.n].end = t;
	tl.open_phase = ++tl.n;
}

void tl_wait(const char *what, const char *object, long long start, long long end)
{
	if (tl.n >= TL_MAX)
		return;
	tl.r[tl.n].kind = 'W';
	snprintf(tl.r[tl.n].name, sizeof(tl.r[0].name), "%s", what);
	snprintf(tl.r[tl.n].object, sizeof(tl.r[0].object), "%s", object ? object : "");
	tl.r[tl.n].start = start;
	tl.r[tl.n].end = end;
	tl.n++;
}

/* Time spent waiting (union of the waits, which do not overlap here). */
static long long waited(void)
{
	long long sum = 0;
	int i;

	for (i = 0; i < tl.n; i++)
		if (tl.r[i].kind == 'W')
			sum += tl.r[i].end - tl.r[i].start;
	return sum;
}

/* The process's peak resident memory (VmHWM) in KiB, or -1. */
static long peak_kib(void)
{
	char text[2048], *p;

	if (file_read_str("/proc/self/status", text, sizeof(text)) <= 0 || !(p = strstr(text, "VmHWM:")))
		return -1;
	return strtol(p + 6, NULL, 10);
}

int tl_format(char *buf, size_t size)
{
	const size_t tail = 96;   /* room kept for the S lines */
	size_t len = 0;
	long long end = mono_ms();
	int i, n, skipped = 0;

	n = snprintf(buf, size, "# nbinit timeline: kind\tname\tstart_ms\tend_ms\tobject (CLOCK_MONOTONIC ms)\n"
	             "I\tinit\t%lld\t%lld\t\n", tl.init_start, end);
	if (n < 0 || (size_t)n + tail >= size)
		return -1;
	len = (size_t)n;
	for (i = 0; i < tl.n; i++) {
		n = snprintf(buf + len, size - len, "%c\t%s\t%lld\t%lld\t%s\n", tl.r[i].kind, tl.r[i].name,
		             tl.r[i].start, tl.r[i].end, tl.r[i].object);
		if (n < 0 || (size_t)n + tail >= size - len) {
			skipped++;      /* a record that does not fit is left out, not the rest */
			buf[len] = '\0';
			continue;
		}
		len += (size_t)n;
	}
	n = snprintf(buf + len, size - len, "S\twaited\t%lld\t\t\nS\town\t%lld\t\t\nS\tpeak_kib\t%ld\t\t\n",
	             waited(), end - tl.init_start - waited(), peak_kib());
	if (n < 0 || (size_t)n >= size - len)
		return -1;
	len += (size_t)n;
	if (skipped) {
		n = snprintf(buf + len, size - len, "S\tskipped\t%d\t\t\n", skipped);
		if (n > 0 && (size_t)n < size - len)
			len += (size_t)n;
	}
	return (int)len;
}

void tl_print(void)
{
	char line[600];
	long long end = mono_ms(), w = waited();
	long peak = peak_kib();
	size_t len = 0;
	int i;

	len = (size_t)snprintf(line, sizeof(line), "timeline: /init at %lld.%03lld s;", tl.init_start / 1000,
	                       tl.init_start % 1000);
	for (i = 0; i < tl.n && len < sizeof(line); i++)
		if (tl.r[i].kind == 'P')
			len += (size_t)snprintf(line + len, sizeof(line) - len, " %s %lld", tl.r[i].name,
			                        tl.r[i].end - tl.r[i].start);
	if (len < sizeof(line))
		len += (size_t)snprintf(line + len, sizeof(line) - len, " ms; total %lld ms, waiting %lld ms, own work %lld ms",
		                        end - tl.init_start, w, end - tl.init_start - w);
	if (peak >= 0 && len < sizeof(line))
		snprintf(line + len, sizeof(line) - len, ", peak memory %ld KiB", peak);
	log_info("%s", line);
	for (i = 0; i < tl.n; i++)
		if (tl.r[i].kind == 'W')
			log_debug("timeline: waited %lld ms for %s %s", tl.r[i].end - tl.r[i].start, tl.r[i].name,
			          tl.r[i].object);
}
