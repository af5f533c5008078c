/* The packages phase on the host, timed: install the lab's depot (made by
 * tests/apk/mklabrepo: musl, busybox, alpine-baselayout, nblab-tools,
 * alpine-base, signed with a fresh key) into a temporary new root N times
 * with the init's own code (init/packages.c) and print each run's time and
 * the median, with the CPU time of this process (user + system, the
 * scripts not counted), which other load on the machine barely changes.
 * The install scripts run chrooted: run as root. perf works on
 * it as on any program:
 *
 *   make out/bench/pkgbench && out/bench/pkgbench [-n N] [-k]   (-k: keep the tree)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "boot.h"

static int cmp(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	static struct boot b;
	char root[] = "/tmp/nbpkgbench.XXXXXX", cmd[4096], rootdir[64];
	long long t[64], cpu[64];
	int n = 5, keep = 0, i, c, err;

	while ((c = getopt(argc, argv, "n:k")) != -1) {
		if (c == 'n')
			n = atoi(optarg);
		else if (c == 'k')
			keep = 1;
		else
			return 2;
	}
	if (n < 1 || n > 64 || geteuid() != 0 || access("tests/apk/mklabrepo", X_OK)) {
		fprintf(stderr, "usage: %s [-n 1..64] [-k], as root, from the source tree\n", argv[0]);
		return 2;
	}
	if (!mkdtemp(root))
		return 1;
	snprintf(cmd, sizeof(cmd), "set -e; r=%s; M=$PWD/tests/apk/mkapk; exec >$r/fixtures.log 2>&1\n"
	         "$M key $r/keys lab-1 >/dev/null; mkdir -p $r/initrd/etc/apk/keys $r/initrd/media $r/www\n"
	         "cp $r/keys/*.pub $r/initrd/etc/apk/keys/\n"
	         "tests/apk/mklabrepo $r/keys/lab-1.rsa $r/depot $r/www\n"
	         "ln -s ../../depot $r/initrd/media/nfs\n", root);
	if (system(cmd)) {
		fprintf(stderr, "pkgbench: cannot make the fixtures (see %s/fixtures.log)\n", root);
		return 1;
	}
	snprintf(rootdir, sizeof(rootdir), "%s/initrd", root);
	for (i = 0; i < n; i++) {
		struct rusage r0, r1;
		long long t0;

		snprintf(cmd, sizeof(cmd), "rm -rf %s/initrd/sysroot %s/initrd/run && mkdir -p %s/initrd/sysroot/etc",
		         root, root, root);
		if (system(cmd))
			return 1;
		memset(&b, 0, sizeof(b));
		if (options_parse_text(&b, ""))
			return 1;
		b.root = rootdir;
		strcpy(b.newroot, "/sysroot");
		snprintf(b.repos[b.nrepos++], BOOT_PATH, "/media/nfs/alpine/v3.20/main");
		b.o.quiet = !getenv("NBINIT_VERBOSE");
		log_init(&b);
		getrusage(RUSAGE_SELF, &r0);
		t0 = mono_ms();
		err = packages_install(&b);
		t[i] = mono_ms() - t0;
		getrusage(RUSAGE_SELF, &r1);
		cpu[i] = (r1.ru_utime.tv_sec - r0.ru_utime.tv_sec + r1.ru_stime.tv_sec - r0.ru_stime.tv_sec) * 1000LL +
		         (r1.ru_utime.tv_usec - r0.ru_utime.tv_usec + r1.ru_stime.tv_usec - r0.ru_stime.tv_usec) / 1000;
		if (err) {
			fprintf(stderr, "pkgbench: %s\n", b.why);
			return 1;
		}
		printf("run %d: %lld ms (CPU %lld ms)\n", i + 1, t[i], cpu[i]);
	}
	qsort(t, (size_t)n, sizeof(t[0]), cmp);
	qsort(cpu, (size_t)n, sizeof(cpu[0]), cmp);
	printf("packages phase on the host: median %lld ms (lowest %lld, highest %lld), CPU median %lld ms "
	       "(lowest %lld, highest %lld) over %d runs\n", t[n / 2], t[0], t[n - 1], cpu[n / 2], cpu[0], cpu[n - 1], n);
	if (!keep) {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
		return system(cmd) ? 1 : 0;
	}
	printf("tree kept in %s\n", root);
	return 0;
}
