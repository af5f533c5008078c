/* Fuzz the KEY='value' lease reader and writer (kv_get, kv_append).
 * 1. The input as a lease file: kv_get for udhcpc's keys must stay inside
 *    OUT, and give the same value for an exactly sized buffer and -ENOSPC
 *    for one byte less.
 * 2. The input as NUL-separated key/value pairs: written with kv_append as
 *    the udhcpc script does (one 4 KiB buffer, distinct keys), every value
 *    read back with kv_get must equal what was written. */
#include "common.h"
#include "fileio.h"

static const char *const lease_keys[] = {
	"interface", "ip", "subnet", "mask", "router", "dns", "hostname", "domain",
	"siaddr", "serverid", "ntpsrv", "lease", "boot_file", "broadcast",
};

static void check_get(const char *text, size_t textlen, const char *key)
{
	size_t big = textlen + 1, n;
	char *out = malloc(big), *exact;
	int err;

	if (!out)
		abort();
	err = kv_get(text, key, out, big);
	FZ_ASSERT(err == 0 || err == -ENOENT);
	if (err == 0) {
		n = strlen(out);
		FZ_ASSERT(n < big);
		exact = malloc(n + 1);
		if (!exact)
			abort();
		FZ_ASSERT(kv_get(text, key, exact, n + 1) == 0);
		FZ_ASSERT(strcmp(exact, out) == 0);
		if (n > 0)
			FZ_ASSERT(kv_get(text, key, exact, n) == -ENOSPC);
		free(exact);
	}
	free(out);
}

/* A shell-variable-like key from arbitrary bytes. */
static void make_key(char *key, size_t size, const char *raw)
{
	static const char set[] = "abcdefghijklmnopqrstuvwxyz_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	size_t i;

	for (i = 0; raw[i] && i + 1 < size; i++)
		key[i] = set[(unsigned char)raw[i] % (sizeof(set) - 1)];
	key[i] = '\0';
	if (i == 0 || (key[0] >= '0' && key[0] <= '9') || key[0] == '_')
		key[0] = 'k';
	if (i == 0)
		key[1] = '\0';
}

#define MAXPAIRS 16

static void check_round_trip(const uint8_t *data, size_t size)
{
	char *part[2 * MAXPAIRS];
	char keys[MAXPAIRS][33], text[4096], *out;
	const char *vals[MAXPAIRS];
	size_t len = 0;
	int n, i, j, nkeys = 0, err = 0;

	n = fz_split(data, size, "", 1, part, NULL, 2 * MAXPAIRS);
	text[0] = '\0';
	for (i = 0; i < n; i += 2) {
		size_t before = len;

		make_key(keys[nkeys], sizeof(keys[0]), part[i]);
		for (j = 0; j < nkeys; j++)
			if (!strcmp(keys[j], keys[nkeys]))
				break;
		if (j < nkeys)
			continue;
		vals[nkeys] = i + 1 < n ? part[i + 1] : "";
		err = kv_append(text, sizeof(text), &len, keys[nkeys], vals[nkeys]);
		FZ_ASSERT(err == 0 || err == -ENOSPC);
		FZ_ASSERT(len < sizeof(text) && strlen(text) == len);
		if (err)
			break;
		FZ_ASSERT(len > before);
		nkeys++;
	}

	out = malloc(sizeof(text));
	if (!out)
		abort();
	for (i = 0; i < nkeys; i++) {
		err = kv_get(text, keys[i], out, sizeof(text));
		if (err || strcmp(out, vals[i])) {
			fprintf(stderr, "fuzz: kv round trip: key %s (entry %d of %d): wrote ",
			        keys[i], i + 1, nkeys);
			fz_put_escaped(vals[i]);
			if (err) {
				fprintf(stderr, ", kv_get: %s\n", strerror(-err));
			} else {
				fprintf(stderr, ", read back ");
				fz_put_escaped(out);
				fputc('\n', stderr);
			}
			FZ_ASSERT(!"kv_get gives back what kv_append wrote");
		}
	}
	free(out);
	fz_free_parts(part, n);
}

/* libFuzzer calls this for every input; a failed check aborts. Returns 0. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fz_str(data, size);
	char first[64];
	size_t i, textlen = strlen(text);

	for (i = 0; i < sizeof(lease_keys) / sizeof(lease_keys[0]); i++)
		check_get(text, textlen, lease_keys[i]);
	/* whatever the first line names, and a key that is a prefix of it */
	i = strcspn(text, "=\n");
	if (i > 0 && i < sizeof(first)) {
		memcpy(first, text, i);
		first[i] = '\0';
		check_get(text, textlen, first);
		first[i - 1] = '\0';
		check_get(text, textlen, first);
	}
	free(text);

	check_round_trip(data, size);
	return 0;
}
