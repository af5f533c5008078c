/* cmdline_parse/get/has against the kernel's quoting rules. */
#include <errno.h>
#include <string.h>

#include "cmdline.h"
#include "tap.h"

#define ABSENT ((const char *)0)

struct row {
	const char *file;
	int line;
	const char *text;
	int argc;          /* -1: do not check */
	const char *key;   /* NULL: only check argc */
	const char *val;   /* expected cmdline_get(), ABSENT for NULL */
	int has;           /* expected cmdline_has() */
};

/* One row: TEXT parses to ARGC words and KEY looks up as VAL / HAS. */
#define CMDLINE_TEST(text, argc, key, val, has) { __FILE__, __LINE__, text, argc, key, val, has }

static const struct row rows[] = {
	CMDLINE_TEST("", 0, "quiet", ABSENT, 0),
	CMDLINE_TEST("   \t\n", 0, "quiet", ABSENT, 0),
	CMDLINE_TEST("quiet", 1, "quiet", ABSENT, 1),
	CMDLINE_TEST("Quiet", 1, "quiet", ABSENT, 0),
	CMDLINE_TEST("ip=dhcp", 1, "ip", "dhcp", 1),
	CMDLINE_TEST("ip=dhcp\n", 1, "ip", "dhcp", 1),
	CMDLINE_TEST("  ip=dhcp \t quiet  \n", 2, "quiet", ABSENT, 1),
	CMDLINE_TEST("a=1 a=2", 2, "a", "2", 1),
	CMDLINE_TEST("a=1 b=x a=3 a=2", 4, "a", "2", 1),
	CMDLINE_TEST("a=1 a", 2, "a", "1", 1),
	CMDLINE_TEST("a a=1", 2, "a", "1", 1),
	CMDLINE_TEST("a= b", 2, "a", "", 1),
	CMDLINE_TEST("a=1 a=", 2, "a", "", 1),
	CMDLINE_TEST("a=\"\"", 1, "a", "", 1),
	CMDLINE_TEST("a=b=c", 1, "a", "b=c", 1),
	CMDLINE_TEST("ab=1", 1, "a", ABSENT, 0),
	CMDLINE_TEST("apkovl=\"http://x/{MAC}\"", 1, "apkovl", "http://x/{MAC}", 1),
	CMDLINE_TEST("apkovl=http://x/{MAC}.tar.gz quiet", 2, "apkovl", "http://x/{MAC}.tar.gz", 1),
	CMDLINE_TEST("a=\"b c\" d", 2, "a", "b c", 1),
	CMDLINE_TEST("a=\"b c\" d", 2, "d", ABSENT, 1),
	CMDLINE_TEST("\"a=b c\"", 1, "a", "b c", 1),
	CMDLINE_TEST("\"a=b c\" x=y", 2, "x", "y", 1),
	CMDLINE_TEST("\"bare word\"", 1, "bare word", ABSENT, 1),
	CMDLINE_TEST("\"\"", 0, "", ABSENT, 0),
	/* kernel keeps quotes that neither open nor close the value */
	CMDLINE_TEST("a=x\"y z\"", 1, "a", "x\"y z\"", 1),
	CMDLINE_TEST("a=\"b\"c", 1, "a", "b\"c", 1),
	/* an unterminated quote runs to the end */
	CMDLINE_TEST("a=\"b c", 1, "a", "b c", 1),
	/* '=' in the first column does not split */
	CMDLINE_TEST("=x", 1, "=x", ABSENT, 1),
	CMDLINE_TEST("init_args=\"-a -b\" init=/sbin/init", 2, "init_args", "-a -b", 1),
	CMDLINE_TEST("BOOT_IMAGE=/boot/vmlinuz-lts ip=dhcp modules=loop,squashfs,sd-mod,usb-storage "
	             "alpine_repo=http://10.0.2.2/alpine/v3.20/main "
	             "apkovl=http://10.0.2.2/ovl/{MAC}.apkovl.tar.gz console=ttyS0,115200 quiet\n",
	             7, "console", "ttyS0,115200", 1),
	CMDLINE_TEST("a=1\ta=2\na=3", 3, "a", "3", 1),
	CMDLINE_TEST("-- a=1", 2, "a", "1", 1),
};

/* TEXT with newlines and tabs escaped, so TAP lines stay single lines. */
static const char *show(const char *text)
{
	static char buf[1024];
	size_t n = 0;

	for (; *text && n + 3 < sizeof(buf); text++) {
		if (*text == '\n' || *text == '\t') {
			buf[n++] = '\\';
			buf[n++] = *text == '\n' ? 'n' : 't';
		} else {
			buf[n++] = *text;
		}
	}
	buf[n] = '\0';
	return buf;
}

static void run_row(const struct row *r)
{
	static struct cmdline c;
	const char *v, *text = show(r->text);
	int err;

	err = cmdline_parse(&c, r->text);
	if (!ok_at(err == 0, r->file, r->line, "parse '%s': rc %d", text, err))
		return;
	if (r->argc >= 0)
		ok_at(c.argc == r->argc, r->file, r->line, "'%s': argc %d (want %d)",
		      text, c.argc, r->argc);
	if (!r->key)
		return;
	v = cmdline_get(&c, r->key);
	if (r->val == ABSENT)
		ok_at(v == NULL, r->file, r->line, "'%s': get(%s) is NULL (got '%s')",
		      text, r->key, v ? v : "(null)");
	else
		ok_at(v && strcmp(v, r->val) == 0, r->file, r->line, "'%s': get(%s) = '%s' (got '%s')",
		      text, r->key, r->val, v ? v : "(null)");
	ok_at(cmdline_has(&c, r->key) == r->has, r->file, r->line, "'%s': has(%s) = %d",
	      text, r->key, r->has);
}

static void test_limits(void)
{
	static struct cmdline c;
	static char text[CMDLINE_MAX + 16];
	int i, err;

	/* longest accepted line: CMDLINE_MAX - 1 characters */
	memset(text, 'x', CMDLINE_MAX - 1);
	memcpy(text, "k=", 2);
	text[CMDLINE_MAX - 1] = '\0';
	err = cmdline_parse(&c, text);
	ok(err == 0 && c.argc == 1 && strlen(cmdline_get(&c, "k")) == CMDLINE_MAX - 3,
	   "line of %d characters parses", CMDLINE_MAX - 1);

	memset(text, 'x', CMDLINE_MAX);
	text[CMDLINE_MAX] = '\0';
	err = cmdline_parse(&c, text);
	ok(err == -E2BIG, "line of %d characters: -E2BIG (got %d)", CMDLINE_MAX, err);
	ok(c.argc == 0 && cmdline_get(&c, "x") == NULL, "nothing is left after -E2BIG");

	memset(text, 'y', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	err = cmdline_parse(&c, text);
	ok(err == -E2BIG, "longer line: -E2BIG (got %d)", err);

	/* CMDLINE_MAXARGS words fit, one more does not */
	text[0] = '\0';
	for (i = 0; i < CMDLINE_MAXARGS; i++)
		strcat(text, "w ");
	err = cmdline_parse(&c, text);
	ok(err == 0 && c.argc == CMDLINE_MAXARGS, "%d words parse (rc %d, argc %d)",
	   CMDLINE_MAXARGS, err, c.argc);
	strcat(text, "w");
	err = cmdline_parse(&c, text);
	ok(err == -E2BIG, "%d words: -E2BIG (got %d)", CMDLINE_MAXARGS + 1, err);
}

int main(void)
{
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		run_row(&rows[i]);
	test_limits();
	return done_testing();
}
