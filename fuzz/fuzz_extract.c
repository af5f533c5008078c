/* Fuzz gunzip -> tar -> safe extraction, as the init unpacks an apkovl.
 * The input is a .tar.gz, fed in chunks of sizes drawn from the input.
 *
 * Each process works in a private directory P holding "sibling/canary"
 * and, per input, a fresh "root" to extract into. When it can (root, or an
 * unprivileged user namespace), the extraction runs chroot()ed into P, so
 * an absolute path or symbolic link that escapes also lands inside P, where
 * it is seen, and never on the host. Afterwards P must hold only root and
 * sibling, the canary must be untouched (content and link count), root must
 * hold no device nodes, and extract_wipe must leave root empty.
 *
 * The working directory stays outside the chroot, so libFuzzer's relative
 * -artifact_prefix still works when a crash happens inside it. Set
 * NBFUZZ_NO_CHROOT=1 to run without the chroot (e.g. under a debugger). */
#include <sched.h>
#include <sanitizer/common_interface_defs.h>

#include "common.h"
#include "extract.h"
#include "gunzip.h"
#include "tar.h"

#define CANARY "canary: nothing may touch this file\n"

static char base[512];
static int basefd = -1, realroot = -1, cwdfd = -1, use_chroot;

static void cleanup(void)
{
	if (basefd >= 0)
		fz_rm_rf_path(base);
}

static int enter_jail(void)
{
	return use_chroot ? chroot(base) : 0;
}

static void leave_jail(void)
{
	if (!use_chroot)
		return;
	if (fchdir(realroot) < 0 || chroot(".") < 0 || fchdir(cwdfd) < 0) {
		fprintf(stderr, "fuzz: cannot leave the chroot: %s\n", strerror(errno));
		abort();
	}
}

/* Write TEXT to a /proc file; failures show later as a failed chroot. */
static void proc_write(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	if (write(fd, text, strlen(text)) < 0)
		fprintf(stderr, "fuzz: %s: %s\n", path, strerror(errno));
	close(fd);
}

/* Become root of a user namespace of our own when we are not root, so
 * chroot() is allowed. */
static void own_userns(void)
{
	char map[64];
	uid_t uid = geteuid();
	gid_t gid = getegid();

	if (uid == 0 || unshare(CLONE_NEWUSER) < 0)
		return;
	proc_write("/proc/self/setgroups", "deny");
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
	proc_write("/proc/self/uid_map", map);
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
	proc_write("/proc/self/gid_map", map);
}

/* libFuzzer calls this once before any input: set up the private
 * directory with its canary, and the chroot when it can be had. Returns 0. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char sym[256];
	int sfd;

	fz_raise_nofile();
	snprintf(base, sizeof(base), "%s", fz_tmpdir("nbfuzz-extract"));
	basefd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (basefd < 0 || mkdirat(basefd, "sibling", 0755) < 0)
		abort();
	sfd = openat(basefd, "sibling", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sfd < 0)
		abort();
	fz_write_at(sfd, "canary", CANARY, strlen(CANARY));
	close(sfd);
	atexit(cleanup);

	realroot = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	cwdfd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (realroot < 0 || cwdfd < 0)
		abort();
	if (!getenv("NBFUZZ_NO_CHROOT")) {
		own_userns();
		use_chroot = 1;
		if (enter_jail() < 0) {
			use_chroot = 0;
			fprintf(stderr, "fuzz: extract: no chroot (%s): escapes are only "
			        "seen when they land next to the temporary root\n",
			        strerror(errno));
		} else {
			leave_jail();
		}
	}
	/* start the symbolizer now: inside the chroot it could not be found */
	__sanitizer_symbolize_pc(__builtin_return_address(0), "%p %F %L", sym, sizeof(sym));
	return 0;
}

static int to_tar(void *ctx, const void *buf, size_t len)
{
	return tar_feed(ctx, buf, len);
}

/* Check DIRFD's tree: no device nodes anywhere. */
static void check_tree(int dirfd)
{
	char *names, *p;
	int n, i;

	names = fz_list(dirfd, &n);
	FZ_ASSERT(names != NULL);
	for (p = names, i = 0; i < n; i++, p += strlen(p) + 1) {
		struct stat st;

		FZ_ASSERT(fstatat(dirfd, p, &st, AT_SYMLINK_NOFOLLOW) == 0);
		FZ_ASSERT(!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode));
		if (S_ISDIR(st.st_mode)) {
			int fd = openat(dirfd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (fd >= 0) {   /* mode 0 dirs cannot be read unprivileged */
				check_tree(fd);
				close(fd);
			}
		}
	}
	free(names);
}

/* Nothing outside root: P holds exactly root and sibling, and the canary
 * is as it was. */
static void check_outside(void)
{
	char *names, *p, buf[sizeof(CANARY) + 16];
	struct stat st;
	int n, i, fd, sfd;
	ssize_t len;

	names = fz_list(basefd, &n);
	FZ_ASSERT(names != NULL);
	for (p = names, i = 0; i < n; i++, p += strlen(p) + 1) {
		if (strcmp(p, "root") && strcmp(p, "sibling")) {
			fprintf(stderr, "fuzz: extract: '%s' appeared outside the root\n", p);
			FZ_ASSERT(!"nothing is written outside the root");
		}
	}
	FZ_ASSERT(n == 2);
	free(names);

	sfd = openat(basefd, "sibling", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	FZ_ASSERT(sfd >= 0);
	names = fz_list(sfd, &n);
	FZ_ASSERT(names != NULL && n == 1 && !strcmp(names, "canary"));
	free(names);
	fd = openat(sfd, "canary", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	FZ_ASSERT(fd >= 0);
	FZ_ASSERT(fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 1);
	len = read(fd, buf, sizeof(buf));
	FZ_ASSERT(len == (ssize_t)strlen(CANARY) && !memcmp(buf, CANARY, (size_t)len));
	close(fd);
	close(sfd);
}

/* libFuzzer calls this for every input; a failed check aborts. Returns 0. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tar_reader t;
	static struct extract x;
	struct gunzip g;
	struct fz_rng r;
	size_t off = 0;
	int rootfd, err, n;
	char *names;

	fz_rng_seed(&r, data, size);
	FZ_ASSERT(mkdirat(basefd, "root", 0755) == 0);
	rootfd = openat(basefd, "root", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	FZ_ASSERT(rootfd >= 0);

	extract_init(&x, rootfd);
	tar_init(&t, &extract_tar_ops, &x);
	err = gunzip_init(&g, to_tar, &t);
	FZ_ASSERT(err == 0);

	FZ_ASSERT(enter_jail() == 0);
	while (off < size && !err) {
		size_t len = fz_chunk(&r);

		if (len > size - off)
			len = size - off;
		err = gunzip_feed(&g, data + off, len);
		off += len;
	}
	if (err)
		gunzip_abort(&g);
	else
		err = gunzip_finish(&g);
	if (tar_finish(&t) && !err)
		err = -EIO;
	if (err)
		extract_abort(&x);
	FZ_ASSERT(memchr(x.why, '\0', sizeof(x.why)));
	leave_jail();

	check_outside();
	check_tree(rootfd);

	FZ_ASSERT(enter_jail() == 0);
	err = extract_wipe(rootfd);
	leave_jail();
	if (err == 0) {
		names = fz_list(rootfd, &n);
		FZ_ASSERT(names != NULL);
		if (n)
			fprintf(stderr, "fuzz: extract_wipe returned 0 but left '%s'\n", names);
		FZ_ASSERT(n == 0);
		free(names);
	}
	check_outside();

	close(rootfd);
	FZ_ASSERT(fz_rm_rf(basefd, "root") == 0);
	return 0;
}
