/* Fuzz the module file reader (modfile_read): the input is a module
 * file, plain or gzip/xz/zstd compressed, written to a private temporary
 * directory. A file without a compression magic must come back unchanged;
 * a compressed one gives a buffer of the stated length or an error. */
#include "common.h"
#include "modfile.h"

static char dir[512];
static int dirfd_ = -1;

static void cleanup(void)
{
	if (dirfd_ >= 0)
		fz_rm_rf_path(dir);
}

/* libFuzzer calls this once before any input: set up the private
 * temporary directory. Returns 0. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	snprintf(dir, sizeof(dir), "%s", fz_tmpdir("nbfuzz-modfile"));
	dirfd_ = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd_ < 0)
		abort();
	atexit(cleanup);
	return 0;
}

static int compressed(const uint8_t *d, size_t n)
{
	return (n >= 2 && d[0] == 0x1f && d[1] == 0x8b) ||
	       (n >= 6 && !memcmp(d, "\xfd" "7zXZ\0", 6)) ||
	       (n >= 4 && !memcmp(d, "\x28\xb5\x2f\xfd", 4));
}

/* libFuzzer calls this for every input; a failed check aborts. Returns 0. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[600];
	void *buf = NULL;
	size_t len = 0;
	int err;

	fz_write_at(dirfd_, "m.ko", data, size);
	snprintf(path, sizeof(path), "%s/m.ko", dir);
	err = modfile_read(path, &buf, &len);
	/* -EOPNOTSUPP: xz or zstd, which the default build leaves to the kernel
	 * (NB_MODULE_XZ, NB_MODULE_ZSTD) */
	FZ_ASSERT(err == 0 || err == -EBADMSG || err == -EFBIG || err == -ENOMEM ||
	          (err == -EOPNOTSUPP && compressed(data, size) && data[0] != 0x1f));
	if (err == 0) {
		FZ_ASSERT(buf != NULL || len == 0);
		if (len) {
			/* ASan checks that all LEN bytes are really there */
			void *copy = malloc(len);

			if (!copy)
				abort();
			memcpy(copy, buf, len);
			free(copy);
		}
		if (!compressed(data, size))
			FZ_ASSERT(len == size && (size == 0 || !memcmp(buf, data, size)));
		free(buf);
	} else if (err != -ENOMEM) {
		FZ_ASSERT(compressed(data, size));
	}
	return 0;
}
