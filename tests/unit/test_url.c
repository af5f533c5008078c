/* url_parse, url_is_url, url_resolve and url_subst. */
#include <errno.h>
#include <string.h>

#include "tap.h"
#include "url.h"

struct parse_row {
	const char *file;
	int line;
	const char *in;
	int rc;
	const char *scheme, *host;
	unsigned port;
	const char *path;
};

#define PARSE(in, scheme, host, port, path) { __FILE__, __LINE__, in, 0, scheme, host, port, path }
#define PARSE_ERR(in, rc) { __FILE__, __LINE__, in, rc, "", "", 0, "" }

static const struct parse_row parse_rows[] = {
	PARSE("http://10.0.2.2/ovl.tar.gz", "http", "10.0.2.2", 80, "/ovl.tar.gz"),
	PARSE("http://10.0.2.2", "http", "10.0.2.2", 80, "/"),
	PARSE("http://10.0.2.2:8080", "http", "10.0.2.2", 8080, "/"),
	PARSE("http://10.0.2.2:", "http", "10.0.2.2", 80, "/"),
	PARSE("https://boot.example.org/a/b", "https", "boot.example.org", 443, "/a/b"),
	PARSE("HTTP://Boot.Example.ORG/A", "http", "Boot.Example.ORG", 80, "/A"),
	PARSE("HtTpS://h:1/", "https", "h", 1, "/"),
	PARSE("http://h:65535/x", "http", "h", 65535, "/x"),
	PARSE("http://[::1]/x", "http", "::1", 80, "/x"),
	PARSE("http://[fe80::1:2]:8080/x?y", "http", "fe80::1:2", 8080, "/x?y"),
	PARSE("http://[::ffff:10.0.0.1]", "http", "::ffff:10.0.0.1", 80, "/"),
	PARSE("http://h/p?q=1&r=/s", "http", "h", 80, "/p?q=1&r=/s"),
	PARSE("http://h?q=1", "http", "h", 80, "/?q=1"),
	PARSE("http://h/p#frag", "http", "h", 80, "/p"),
	PARSE("http://h#frag", "http", "h", 80, "/"),
	PARSE("http://h/p?q#f?g", "http", "h", 80, "/p?q"),
	PARSE("http://my_host-1.lan/x", "http", "my_host-1.lan", 80, "/x"),
	PARSE("http://h/52:54:00:12:34:56.apkovl.tar.gz", "http", "h", 80,
	      "/52:54:00:12:34:56.apkovl.tar.gz"),
	PARSE("http://h/%7Bmac%7D", "http", "h", 80, "/%7Bmac%7D"),

	PARSE_ERR("ftp://h/x", -EPROTONOSUPPORT),
	PARSE_ERR("tftp://10.0.2.2/x", -EPROTONOSUPPORT),
	PARSE_ERR("httpx://h/", -EPROTONOSUPPORT),
	PARSE_ERR("nfs:10.0.0.1:/export", -EINVAL),
	PARSE_ERR("/just/a/path", -EINVAL),
	PARSE_ERR("", -EINVAL),
	PARSE_ERR("http:/h/x", -EINVAL),
	PARSE_ERR("http://", -EINVAL),
	PARSE_ERR("http:///x", -EINVAL),
	PARSE_ERR("http://:80/x", -EINVAL),
	PARSE_ERR("http://h:0/", -EINVAL),
	PARSE_ERR("http://h:65536/", -EINVAL),
	PARSE_ERR("http://h:99999999999999999999/", -EINVAL),
	PARSE_ERR("http://h:8o/", -EINVAL),
	PARSE_ERR("http://h:-1/", -EINVAL),
	PARSE_ERR("http://h/a b", -EINVAL),
	PARSE_ERR("http://h/a\tb", -EINVAL),
	PARSE_ERR("http://h/a\nb", -EINVAL),
	PARSE_ERR("http://h/a\x7f", -EINVAL),
	PARSE_ERR(" http://h/", -EINVAL),
	PARSE_ERR("http://user:pw@h/", -EINVAL),
	PARSE_ERR("http://h!/", -EINVAL),
	PARSE_ERR("http://[::1/x", -EINVAL),
	PARSE_ERR("http://[]/x", -EINVAL),
	PARSE_ERR("http://[zz::1]/x", -EINVAL),
	PARSE_ERR("http://[::1]x/", -EINVAL),
	PARSE_ERR("http://::1/x", -EINVAL),
};

struct resolve_row {
	const char *file;
	int line;
	const char *base, *ref;
	int rc;
	const char *out;
};

#define RESOLVE(base, ref, out) { __FILE__, __LINE__, base, ref, 0, out }
#define RESOLVE_ERR(base, ref, rc) { __FILE__, __LINE__, base, ref, rc, "" }

#define B "http://10.0.2.2:8080/a/b/c?q=1"
static const struct resolve_row resolve_rows[] = {
	RESOLVE(B, "http://other/x", "http://other/x"),
	RESOLVE(B, "https://other:444/x?y#z", "https://other:444/x?y"),
	RESOLVE(B, "//mirror.lan/p", "http://mirror.lan/p"),
	RESOLVE("https://h/x", "//mirror.lan/p", "https://mirror.lan/p"),
	RESOLVE(B, "/new", "http://10.0.2.2:8080/new"),
	RESOLVE(B, "/new/", "http://10.0.2.2:8080/new/"),
	RESOLVE(B, "/n?x=1#f", "http://10.0.2.2:8080/n?x=1"),
	RESOLVE(B, "d", "http://10.0.2.2:8080/a/b/d"),
	RESOLVE(B, "d/", "http://10.0.2.2:8080/a/b/d/"),
	RESOLVE(B, "./d", "http://10.0.2.2:8080/a/b/d"),
	RESOLVE(B, "../d", "http://10.0.2.2:8080/a/d"),
	RESOLVE(B, "../../d", "http://10.0.2.2:8080/d"),
	RESOLVE(B, "../../../../d", "http://10.0.2.2:8080/d"),
	RESOLVE(B, ".", "http://10.0.2.2:8080/a/b/"),
	RESOLVE(B, "..", "http://10.0.2.2:8080/a/"),
	RESOLVE(B, "../", "http://10.0.2.2:8080/a/"),
	RESOLVE(B, "d?x", "http://10.0.2.2:8080/a/b/d?x"),
	RESOLVE(B, "?x", "http://10.0.2.2:8080/a/b/c?x"),
	RESOLVE(B, "", "http://10.0.2.2:8080/a/b/c?q=1"),
	RESOLVE(B, "#f", "http://10.0.2.2:8080/a/b/c?q=1"),
	RESOLVE(B, "/x/./y/../z", "http://10.0.2.2:8080/x/z"),
	RESOLVE(B, "d;p=1", "http://10.0.2.2:8080/a/b/d;p=1"),
	RESOLVE("http://h/dir", "dir/", "http://h/dir/"),
	RESOLVE("http://h", "x", "http://h/x"),
	RESOLVE("http://h/p?a=/b/c", "x", "http://h/x"),
	RESOLVE("http://[::1]:8080/a/b", "c", "http://[::1]:8080/a/c"),
	RESOLVE("http://[::1]:8080/a/b", "/c", "http://[::1]:8080/c"),
	RESOLVE("HTTP://H/a", "b", "HTTP://H/b"),
	RESOLVE("http://h/a//b", "c", "http://h/a//c"),

	RESOLVE_ERR("not a url", "/x", -EINVAL),
	RESOLVE_ERR("ftp://h/x", "/x", -EPROTONOSUPPORT),
};

struct subst_row {
	const char *file;
	int line;
	const char *in, *mac, *uuid;
	size_t outsz;
	int rc;
	const char *out;
};

#define SUBST(in, mac, uuid, outsz, rc, out) { __FILE__, __LINE__, in, mac, uuid, outsz, rc, out }
#define MAC "52:54:00:12:34:56"
#define UUID "0f5e7b0c-6b2a-4a8f-9a7c-1d2e3f405162"

static const struct subst_row subst_rows[] = {
	SUBST("http://h/{MAC}.apkovl.tar.gz", MAC, NULL, URL_MAX, 0,
	      "http://h/" MAC ".apkovl.tar.gz"),
	SUBST("http://h/{MAC}/{MAC}", MAC, NULL, URL_MAX, 0, "http://h/" MAC "/" MAC),
	SUBST("http://h/{UUID}.tgz", NULL, UUID, URL_MAX, 0, "http://h/" UUID ".tgz"),
	SUBST("{UUID}{MAC}{UUID}", MAC, UUID, URL_MAX, 0, UUID MAC UUID),
	SUBST("http://h/plain", NULL, NULL, URL_MAX, 0, "http://h/plain"),
	SUBST("", NULL, NULL, 1, 0, ""),
	SUBST("{mac}{Mac}{MAC", NULL, NULL, URL_MAX, 0, "{mac}{Mac}{MAC"),
	SUBST("{{MAC}}", "m", NULL, URL_MAX, 0, "{m}"),
	SUBST("x/{UUID}", MAC, NULL, URL_MAX, -ENODATA, ""),
	SUBST("x/{MAC}", NULL, UUID, URL_MAX, -ENODATA, ""),
	/* exact fit and one byte short */
	SUBST("a{MAC}", MAC, NULL, 19, 0, "a" MAC),
	SUBST("a{MAC}", MAC, NULL, 18, -ENAMETOOLONG, ""),
	SUBST("abcdef", NULL, NULL, 7, 0, "abcdef"),
	SUBST("abcdef", NULL, NULL, 6, -ENAMETOOLONG, ""),
	SUBST("abc", NULL, NULL, 0, -ENAMETOOLONG, ""),
};

/* S with control characters shown as \xNN, so TAP lines stay single lines. */
static const char *show(const char *s)
{
	static char buf[256];
	size_t n = 0;

	for (; *s && n + 5 < sizeof(buf); s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "\\x%02x", (unsigned char)*s);
		else
			buf[n++] = *s;
	}
	buf[n] = '\0';
	return buf;
}

static void parse_tests(void)
{
	static struct url u;
	size_t i;
	int err;

	for (i = 0; i < sizeof(parse_rows) / sizeof(parse_rows[0]); i++) {
		const struct parse_row *r = &parse_rows[i];

		err = url_parse(&u, r->in);
		if (!ok_at(err == r->rc, r->file, r->line, "parse '%s': rc %d (want %d)",
		           show(r->in), err, r->rc) || err)
			continue;
		ok_at(strcmp(u.scheme, r->scheme) == 0 && strcmp(u.host, r->host) == 0 &&
		      u.port == r->port && strcmp(u.path, r->path) == 0, r->file, r->line,
		      "parse '%s': %s | %s | %u | %s", r->in, u.scheme, u.host, u.port, u.path);
	}
}

static void parse_limits(void)
{
	static char s[URL_MAX + 300];
	static struct url u;
	int err;

	/* path of URL_MAX - 1 characters fits, URL_MAX does not */
	strcpy(s, "http://h");
	memset(s + 8, 'p', URL_MAX - 1);
	s[8] = '/';
	s[8 + URL_MAX - 1] = '\0';
	err = url_parse(&u, s);
	ok(err == 0 && strlen(u.path) == URL_MAX - 1, "path of %d characters fits (rc %d)",
	   URL_MAX - 1, err);
	strcat(s, "p");
	err = url_parse(&u, s);
	ok(err == -ENAMETOOLONG, "path of %d characters: -ENAMETOOLONG (got %d)", URL_MAX, err);

	/* "?q" becomes "/?q": one more byte */
	strcpy(s, "http://h?");
	memset(s + 9, 'q', URL_MAX - 3);
	s[9 + URL_MAX - 3] = '\0';
	err = url_parse(&u, s);
	ok(err == 0 && strlen(u.path) == URL_MAX - 1, "query-only path of %d fits (rc %d)",
	   URL_MAX - 1, err);
	strcat(s, "q");
	err = url_parse(&u, s);
	ok(err == -ENAMETOOLONG, "query-only path too long: -ENAMETOOLONG (got %d)", err);

	strcpy(s, "http://");
	memset(s + 7, 'h', 255);
	strcpy(s + 7 + 255, "/x");
	err = url_parse(&u, s);
	ok(err == 0 && strlen(u.host) == 255, "host of 255 characters fits (rc %d)", err);
	strcpy(s + 7, "h");
	memset(s + 7, 'h', 256);
	strcpy(s + 7 + 256, "/x");
	err = url_parse(&u, s);
	ok(err == -ENAMETOOLONG, "host of 256 characters: -ENAMETOOLONG (got %d)", err);
}

static void is_url_tests(void)
{
	ok(url_is_url("http://h/x"), "is_url http");
	ok(url_is_url("https://h/x"), "is_url https");
	ok(url_is_url("ftp://h/x"), "is_url ftp");
	ok(url_is_url("HTTP://h"), "is_url upper case");
	ok(url_is_url("svn+ssh://h"), "is_url svn+ssh");
	ok(!url_is_url("nfs:10.0.0.1:/x"), "is_url nfs: (no //)");
	ok(!url_is_url("/dev/sda1:ovl.tar.gz"), "is_url path");
	ok(!url_is_url("sda1:/x.apkovl.tar.gz"), "is_url dev:path");
	ok(!url_is_url("LABEL=boot"), "is_url LABEL=");
	ok(!url_is_url("://h"), "is_url empty scheme");
	ok(!url_is_url("1http://h"), "is_url scheme starting with a digit");
	ok(!url_is_url(""), "is_url empty");
}

static void resolve_tests(void)
{
	static char out[URL_MAX];
	char small[20];
	size_t i;
	int err;

	for (i = 0; i < sizeof(resolve_rows) / sizeof(resolve_rows[0]); i++) {
		const struct resolve_row *r = &resolve_rows[i];

		err = url_resolve(out, sizeof(out), r->base, r->ref);
		if (!ok_at(err == r->rc, r->file, r->line, "resolve '%s' + '%s': rc %d (want %d)",
		           r->base, r->ref, err, r->rc) || err)
			continue;
		ok_at(strcmp(out, r->out) == 0, r->file, r->line, "resolve '%s' + '%s' = '%s' (want '%s')",
		      r->base, r->ref, out, r->out);
	}

	err = url_resolve(small, sizeof(small), "http://h/", "/0123456789");
	ok(err == 0 && strcmp(small, "http://h/0123456789") == 0, "resolve: exact fit (rc %d)", err);
	err = url_resolve(small, sizeof(small), "http://h/", "/01234567890");
	ok(err == -ENAMETOOLONG, "resolve: one byte over -ENAMETOOLONG (got %d)", err);
	err = url_resolve(small, sizeof(small), "http://h/", "http://0123456789012345");
	ok(err == -ENAMETOOLONG, "resolve: absolute too long -ENAMETOOLONG (got %d)", err);
	err = url_resolve(small, sizeof(small), "http://h/", "?0123456789");
	ok(err == -ENAMETOOLONG, "resolve: query too long -ENAMETOOLONG (got %d)", err);
}

static void subst_tests(void)
{
	static char out[URL_MAX];
	size_t i;
	int err;

	for (i = 0; i < sizeof(subst_rows) / sizeof(subst_rows[0]); i++) {
		const struct subst_row *r = &subst_rows[i];

		err = url_subst(out, r->outsz, r->in, r->mac, r->uuid);
		if (!ok_at(err == r->rc, r->file, r->line, "subst '%s' into %zu: rc %d (want %d)",
		           r->in, r->outsz, err, r->rc) || err)
			continue;
		ok_at(strcmp(out, r->out) == 0, r->file, r->line, "subst '%s' = '%s' (want '%s')",
		      r->in, out, r->out);
	}
}

int main(void)
{
	parse_tests();
	parse_limits();
	is_url_tests();
	resolve_tests();
	subst_tests();
	return done_testing();
}
