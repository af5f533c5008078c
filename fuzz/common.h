/* Helpers shared by the libFuzzer targets in fuzz/. Each target is one
 * program that includes this header; nothing here is part of nbinit. */
#ifndef NB_FUZZ_COMMON_H
#define NB_FUZZ_COMMON_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

/* An invariant of the code under test does not hold: say which and abort,
 * so libFuzzer saves the input as a crash. */
#define FZ_ASSERT(cond) \
	((cond) ? (void)0 : fz_fail(__FILE__, __LINE__, #cond))

static inline __attribute__((noreturn)) void
fz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "fuzz: invariant failed at %s:%d: %s\n", file, line, what);
	abort();
}

/* The input as a C string (cut at its first NUL); free() it. */
static inline char *fz_str(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Split DATA at each occurrence of the SEPLEN bytes SEP into at most MAX
 * parts (the last takes the rest), each a new NUL-terminated copy (free
 * with fz_free_parts). Returns the part count, at least 1. */
static inline int fz_split(const uint8_t *data, size_t size, const char *sep,
                           size_t seplen, char **part, size_t *plen, int max)
{
	size_t start = 0, i = 0;
	int n = 0;

	while (n < max) {
		size_t end = size;

		for (i = start; i + seplen <= size; i++)
			if (memcmp(data + i, sep, seplen) == 0) {
				end = i;
				break;
			}
		if (n == max - 1)
			end = size;
		part[n] = fz_str(data + start, end - start);
		if (plen)
			plen[n] = end - start;
		n++;
		if (end == size)
			break;
		start = end + seplen;
	}
	return n;
}

static inline void fz_free_parts(char **part, int n)
{
	while (n-- > 0)
		free(part[n]);
}

/* Print S to stderr in double quotes, bytes outside printable ASCII (and
 * quotes and backslashes) as C escapes, so a report stays on one line. */
static inline void fz_put_escaped(const char *s)
{
	fputc('"', stderr);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(stderr, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(stderr, "\\x%02x", c);
		else
			fputc(c, stderr);
	}
	fputc('"', stderr);
}

/* A small deterministic generator (splitmix64), seeded from the input so a
 * saved crash replays the same way. */
struct fz_rng {
	uint64_t s;
};

static inline void fz_rng_seed(struct fz_rng *r, const uint8_t *data, size_t size)
{
	uint64_t h = 1469598103934665603ull;
	size_t i;

	for (i = 0; i < size; i++)
		h = (h ^ data[i]) * 1099511628211ull;
	r->s = h ^ size;
}

static inline uint64_t fz_rng_next(struct fz_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Next chunk length for feeding a stream: mostly tiny or around a tar
 * block boundary, sometimes large, never 0. */
static inline size_t fz_chunk(struct fz_rng *r)
{
	static const size_t pick[] = { 1, 2, 3, 7, 100, 511, 512, 513, 1023, 1024, 4096 };
	uint64_t v = fz_rng_next(r);

	if ((v & 3) == 0)
		return 1 + (size_t)((v >> 8) % 3000);
	return pick[(v >> 8) % (sizeof(pick) / sizeof(pick[0]))];
}

/* Deep trees keep one descriptor open per level. */
static inline void fz_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* The names in directory DIRFD (without . and ..), as one malloc'd block of
 * NUL-separated strings; *COUNT gets how many. NULL when it cannot be read. */
static inline char *fz_list(int dirfd, int *count)
{
	char *names = NULL;
	size_t len = 0;
	struct dirent *d;
	DIR *dir;
	int fd;

	*count = 0;
	fd = dup(dirfd);
	if (fd < 0)
		return NULL;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return NULL;
	}
	rewinddir(dir);
	while ((d = readdir(dir))) {
		size_t n = strlen(d->d_name) + 1;
		char *p;

		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		p = realloc(names, len + n);
		if (!p)
			abort();
		names = p;
		memcpy(names + len, d->d_name, n);
		len += n;
		(*count)++;
	}
	closedir(dir);
	return names ? names : calloc(1, 1);
}

/* Remove NAME below DIRFD and everything in it, never following symbolic
 * links; directories are made writable first. Returns 0 or -errno. */
static inline int fz_rm_rf(int dirfd, const char *name)
{
	struct stat st;
	char *names, *p;
	int fd, n, i, err = 0;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(dirfd, name, 0) < 0 ? -errno : 0;
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	fchmod(fd, 0700);
	names = fz_list(fd, &n);
	for (p = names, i = 0; names && i < n; i++, p += strlen(p) + 1) {
		int e = fz_rm_rf(fd, p);
		if (e && !err)
			err = e;
	}
	free(names);
	close(fd);
	if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && !err)
		err = -errno;
	return err;
}

/* Remove the directory PATH and everything in it. */
static inline int fz_rm_rf_path(const char *path)
{
	return fz_rm_rf(AT_FDCWD, path);
}

/* A fresh private directory $TMPDIR/TAG.PID.XXXXXX (static buffer). A
 * crashing fuzzer cannot clean up, so directories of TAG left by processes
 * that are gone are removed first. */
static inline const char *fz_tmpdir(const char *tag)
{
	static char path[512];
	const char *t = getenv("TMPDIR");
	size_t taglen = strlen(tag);
	struct dirent *d;
	DIR *dir;

	if (!t || !*t)
		t = "/tmp";
	dir = opendir(t);
	while (dir && (d = readdir(dir))) {
		char *end;
		long pid;

		if (strncmp(d->d_name, tag, taglen) || d->d_name[taglen] != '.')
			continue;
		pid = strtol(d->d_name + taglen + 1, &end, 10);
		if (pid <= 0 || *end != '.' || (kill((pid_t)pid, 0) < 0 && errno == ESRCH)) {
			snprintf(path, sizeof(path), "%s/%s", t, d->d_name);
			fz_rm_rf_path(path);
		}
	}
	if (dir)
		closedir(dir);

	snprintf(path, sizeof(path), "%s/%s.%ld.XXXXXX", t, tag, (long)getpid());
	if (!mkdtemp(path)) {
		fprintf(stderr, "fuzz: mkdtemp %s: %s\n", path, strerror(errno));
		abort();
	}
	return path;
}

/* Write LEN bytes of DATA to NAME below DIRFD (created or truncated). */
static inline void fz_write_at(int dirfd, const char *name, const void *data, size_t len)
{
	const char *p = data;
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0) {
		fprintf(stderr, "fuzz: create %s: %s\n", name, strerror(errno));
		abort();
	}
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "fuzz: write %s: %s\n", name, strerror(errno));
			abort();
		}
		p += n;
		len -= (size_t)n;
	}
	close(fd);
}

#endif
