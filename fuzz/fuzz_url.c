/* Fuzz the URL parser, Location resolution and {MAC}/{UUID} substitution.
 * The input is lines: a URL (also the base), a reference, a MAC and a
 * UUID (the last two may be missing, which tests -ENODATA).
 * Checks: a parsed URL prints and parses back to the same thing; a
 * resolved relative reference is itself a valid URL on the same server with
 * no dot segments; outputs never overrun buffers of the exact given size and
 * agree with the result for a large buffer; substitution matches a model. */
#include "common.h"
#include "url.h"

static void check_parsed(const struct url *u, const char *s)
{
	char text[URL_MAX + 400];
	struct url back;

	FZ_ASSERT(!strcmp(u->scheme, "http") || !strcmp(u->scheme, "https"));
	FZ_ASSERT(u->port != 0);
	FZ_ASSERT(u->host[0] != '\0');
	FZ_ASSERT(memchr(u->host, '\0', sizeof(u->host)));
	FZ_ASSERT(memchr(u->path, '\0', sizeof(u->path)));
	FZ_ASSERT(u->path[0] == '/');
	FZ_ASSERT(strchr(u->path, '#') == NULL);
	FZ_ASSERT(url_is_url(s));

	/* print it back and parse again */
	snprintf(text, sizeof(text), strchr(u->host, ':') ? "%s://[%s]:%u%s" : "%s://%s:%u%s",
	         u->scheme, u->host, u->port, u->path);
	FZ_ASSERT(url_parse(&back, text) == 0);
	FZ_ASSERT(memcmp(&back, u, sizeof(back)) == 0);
}

static int has_ctl(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/* No "." or ".." segment in the path part (before '?') of PATH. */
static int no_dot_segments(const char *path)
{
	size_t n = strcspn(path, "?");
	const char *p = path, *end = path + n;

	while (p < end) {
		const char *seg = p + 1, *next = memchr(seg, '/', (size_t)(end - seg));
		size_t len;

		if (!next)
			next = end;
		len = (size_t)(next - seg);
		if ((len == 1 && seg[0] == '.') || (len == 2 && seg[0] == '.' && seg[1] == '.'))
			return 0;
		p = next;
	}
	return 1;
}

static void check_resolve(const char *base, const char *ref, struct fz_rng *r)
{
	static char out[URL_MAX];
	struct url b, u;
	size_t sz;
	char *small;
	int err, err2;

	err = url_resolve(out, sizeof(out), base, ref);
	FZ_ASSERT(memchr(out, '\0', sizeof(out)));
	if (url_parse(&b, base) != 0) {
		FZ_ASSERT(err != 0);
		return;
	}
	FZ_ASSERT(err == 0 || err == -ENAMETOOLONG);
	if (err == 0 && !has_ctl(ref) && strchr(ref, ':') == NULL &&
	    !(ref[0] == '/' && ref[1] == '/')) {
		/* a reference without scheme or authority: same server */
		FZ_ASSERT(url_parse(&u, out) == 0);
		FZ_ASSERT(!strcmp(u.host, b.host) && u.port == b.port &&
		          !strcmp(u.scheme, b.scheme));
		FZ_ASSERT(no_dot_segments(u.path));
	}

	/* a buffer of exactly SZ bytes: same result when it fits, else
	 * -ENAMETOOLONG, and never a byte beyond */
	sz = 1 + (size_t)(fz_rng_next(r) % (strlen(out) + 2));
	small = malloc(sz);
	if (!small)
		abort();
	err2 = url_resolve(small, sz, base, ref);
	if (err == 0 && strlen(out) < sz) {
		FZ_ASSERT(err2 == 0);
		FZ_ASSERT(strcmp(small, out) == 0);
	} else if (err == 0) {
		FZ_ASSERT(err2 == -ENAMETOOLONG);
	}
	free(small);
}

/* Substitution the slow way into a big enough buffer. */
static int model_subst(char *out, const char *in, const char *mac, const char *uuid)
{
	size_t o = 0;

	while (*in) {
		if (!strncmp(in, "{MAC}", 5)) {
			if (!mac)
				return -ENODATA;
			memcpy(out + o, mac, strlen(mac));
			o += strlen(mac);
			in += 5;
		} else if (!strncmp(in, "{UUID}", 6)) {
			if (!uuid)
				return -ENODATA;
			memcpy(out + o, uuid, strlen(uuid));
			o += strlen(uuid);
			in += 6;
		} else {
			out[o++] = *in++;
		}
	}
	out[o] = '\0';
	return 0;
}

static void check_subst(const char *in, const char *mac, const char *uuid, struct fz_rng *r)
{
	size_t need = strlen(in) * (1 + (mac ? strlen(mac) : 0) + (uuid ? strlen(uuid) : 0)) + 1;
	char *want = malloc(need), *out;
	size_t sz;
	int err, merr;

	if (!want)
		abort();
	merr = model_subst(want, in, mac, uuid);
	sz = 1 + (size_t)(fz_rng_next(r) % ((merr ? need : strlen(want)) + 2));
	out = malloc(sz);
	if (!out)
		abort();
	err = url_subst(out, sz, in, mac, uuid);
	FZ_ASSERT(memchr(out, '\0', sz));
	if (merr) {
		/* which error comes first depends on where the buffer ran out */
		FZ_ASSERT(err == -ENODATA || err == -ENAMETOOLONG);
	} else if (strlen(want) < sz) {
		FZ_ASSERT(err == 0);
		FZ_ASSERT(strcmp(out, want) == 0);
	} else {
		FZ_ASSERT(err == -ENAMETOOLONG);
	}
	free(out);
	free(want);
}

/* libFuzzer calls this for every input; a failed check aborts. Returns 0. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *part[4] = { 0 };
	struct fz_rng r;
	struct url u;
	int n, err;

	fz_rng_seed(&r, data, size);
	n = fz_split(data, size, "\n", 1, part, NULL, 4);

	err = url_parse(&u, part[0]);
	FZ_ASSERT(err == 0 || err == -EINVAL || err == -EPROTONOSUPPORT ||
	          err == -ENAMETOOLONG);
	if (err == 0)
		check_parsed(&u, part[0]);
	if (err == -EPROTONOSUPPORT)
		FZ_ASSERT(url_is_url(part[0]));

	check_resolve(part[0], n > 1 ? part[1] : "", &r);
	check_subst(part[0], n > 2 ? part[2] : NULL, n > 3 ? part[3] : NULL, &r);
	if (n > 1)
		check_subst(part[1], n > 2 ? part[2] : NULL, n > 3 ? part[3] : NULL, &r);

	fz_free_parts(part, n);
	return 0;
}
