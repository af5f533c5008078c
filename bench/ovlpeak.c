/* The overlay phase's memory on the host: unpack OVERLAY (apkovl=/PATH)
 * into a temporary new root with the init's own code (init/overlay.c, the
 * streaming gunzip and the tar reader) and print the peak resident memory
 * of this process (VmHWM) and how long it took. bench/bench runs it on a
 * 10 MB overlay; run it under /usr/bin/time -v for a second opinion.
 *
 *   out/bench/ovlpeak OVERLAY.tar.gz
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot.h"
#include "fileio.h"

static long status_kib(const char *key)
{
	char text[4096], *p;

	if (file_read_str("/proc/self/status", text, sizeof(text)) <= 0 || !(p = strstr(text, key)))
		return -1;
	return strtol(p + strlen(key), NULL, 10);
}

int main(int argc, char **argv)
{
	static struct boot b;
	char root[] = "/tmp/nbovlpeak.XXXXXX", p[BOOT_PATH], cmd[BOOT_PATH + 16];
	long long t0;
	long before;
	int err;

	if (argc != 2 || argv[1][0] != '/') {
		fprintf(stderr, "usage: %s /ABSOLUTE/PATH/OVERLAY.tar.gz\n", argv[0]);
		return 2;
	}
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 1;
	}
	b.root = root;
	strcpy(b.newroot, "/sysroot");
	snprintf(p, sizeof(p), "%s/sysroot", root);
	mkdir(p, 0755);
	/* The overlay is reached through the root prefix, like on the boot media. */
	snprintf(p, sizeof(p), "%s/ovl.tar.gz", root);
	if (symlink(argv[1], p) < 0) {
		perror("symlink");
		return 1;
	}
	b.o.ovl = OVL_PATH;
	b.o.quiet = true;
	b.o.ovl_max_size = OVL_MAX_SIZE_DEFAULT;
	b.o.ovl_max_files = OVL_MAX_FILES_DEFAULT;
	strcpy(b.o.apkovl, "/ovl.tar.gz");
	log_init(&b);
	before = status_kib("VmHWM:");
	t0 = mono_ms();
	err = overlay_apply(&b);
	t0 = mono_ms() - t0;
	printf("overlay %s: %s in %lld ms; peak memory (VmHWM) %ld KiB, %ld KiB before unpacking\n",
	       argv[1], err ? b.why : "unpacked", t0, status_kib("VmHWM:"), before);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", root);
	return err ? 1 : 0;
}
