/* name_dns_check, name_line_check and name_shown on tables of good and
 * hostile names (what a DHCP server or an NFS directory listing could
 * send). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "names.h"
#include "tap.h"

struct row {
	const char *file;
	int line;
	const char *s;
	size_t max;
	int want;
};

#define D(s, max, want) { __FILE__, __LINE__, s, max, want }

static char l63[64], l64[65], long_name[300], host65[66];

static const struct row dns_rows[] = {
	D("nbstatic", 64, 0), D("node-01", 64, 0), D("a", 64, 0), D("3com", 64, 0),
	D("host.example.org", 64, 0), D("example.org.", 253, 0), D("A-b.C-d", 64, 0),
	D(l63, 64, 0),
	D("", 64, -EINVAL), D(".", 64, -EINVAL), D(".a", 64, -EINVAL), D("a..b", 64, -EINVAL),
	D("-a", 64, -EINVAL), D("a-", 64, -EINVAL), D("a-.b", 64, -EINVAL), D("a.-b", 64, -EINVAL),
	D("a_b", 64, -EINVAL), D("a b", 64, -EINVAL), D("a\nb", 64, -EINVAL),
	D("evil\nnameserver 6.6.6.6", 253, -EINVAL), D("x;reboot", 64, -EINVAL),
	D("x'$(id)'", 64, -EINVAL), D("a/b", 64, -EINVAL), D("h\x7f", 64, -EINVAL),
	D("caf\xc3\xa9", 64, -EINVAL), D("a\tb", 64, -EINVAL),
	D(l64, 253, -EINVAL), D(host65, 64, -ENAMETOOLONG), D(long_name, 253, -ENAMETOOLONG),
};

#define L(s, want) { __FILE__, __LINE__, s, 0, want }

static const struct row line_rows[] = {
	L("/media/nfs/alpine/v3.20/main", 0), L("/media/nfs/a-b_c.d/~x", 0), L("", 0),
	L("/media/nfs/a\nb", -EINVAL), L("/media/nfs/a\rb", -EINVAL), L("/media/nfs/\x1b[2J", -EINVAL),
	L("/media/nfs/a b", -EINVAL), L("/media/nfs/a#b", -EINVAL), L("/media/nfs/\x7f", -EINVAL),
	L("/media/nfs/\tx", -EINVAL), L("/media/nfs/caf\xc3\xa9", 0),
};

int main(void)
{
	char out[64];
	size_t i;

	memset(l63, 'a', 63);
	memset(l64, 'b', 64);
	memset(host65, 'c', 65);
	for (i = 0; i + 2 < sizeof(long_name); i += 2)
		memcpy(long_name + i, "x.", 2);
	long_name[sizeof(long_name) - 2] = 'x';

	for (i = 0; i < sizeof(dns_rows) / sizeof(dns_rows[0]); i++) {
		const struct row *r = &dns_rows[i];
		int got = name_dns_check(r->s, r->max);

		ok_at(got == r->want, r->file, r->line, "dns '%s' (max %zu): %d (want %d)",
		      name_shown(out, sizeof(out), r->s), r->max, got, r->want);
	}
	for (i = 0; i < sizeof(line_rows) / sizeof(line_rows[0]); i++) {
		const struct row *r = &line_rows[i];
		int got = name_line_check(r->s);

		ok_at(got == r->want, r->file, r->line, "line '%s': %d (want %d)",
		      name_shown(out, sizeof(out), r->s), got, r->want);
	}
	ok(!strcmp(name_shown(out, sizeof(out), "a\nb\\c\x7f\xc3"), "a\\x0ab\\x5cc\\x7f\\xc3"),
	   "shown: '%s'", out);
	ok(!strcmp(name_shown(out, 6, "abc\ndef"), "abc"), "shown cut before an escape: '%s'", out);
	ok(!strcmp(name_shown(out, 4, "abcdef"), "abc"), "shown cut: '%s'", out);
	return done_testing();
}
