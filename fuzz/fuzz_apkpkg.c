/* Fuzz apk_pkg_check, the first pass over a package file (the signature
 * member's rules, the control member hashed then read, the data hashed),
 * on a memfd holding the input. When it accepts, .PKGINFO is there, the
 * data starts inside the file and hashes to the datahash, the scripts are
 * within their bounds, and a second check against its own control
 * checksum accepts again; a refusal has words. */
#include <sys/mman.h>

#include "common.h"
#include "apkpkg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static struct apk_pkgcheck c;
	char csum[APK_Q1_LEN];
	int err, i;

	if (fd < 0 && (fd = memfd_create("fuzz-apk", MFD_CLOEXEC)) < 0)
		abort();
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	err = apk_pkg_check(fd, NULL, &c);
	if (err) {
		FZ_ASSERT(c.why[0] && !c.pkginfo && !c.nscripts);
		return 0;
	}
	FZ_ASSERT(c.pkginfo && c.data_offset > 0 && c.data_offset < c.size && c.size == size);
	FZ_ASSERT(!strcmp(c.datahash, c.data_sha256));
	FZ_ASSERT(c.nscripts >= 0 && c.nscripts <= APK_SCRIPTS_MAX);
	for (i = 0; i < c.nscripts; i++)
		FZ_ASSERT(c.scripts[i].len < APK_SCRIPT_MAX);
	memcpy(csum, c.csum, sizeof(csum));
	apk_pkgcheck_free(&c);
	FZ_ASSERT(apk_pkg_check(fd, csum, &c) == 0 && !strcmp(c.csum, csum));
	apk_pkgcheck_free(&c);
	return 0;
}
