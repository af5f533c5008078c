/* lib/apkdb.c: apk's installed database, scripts.tar, triggers and the
 * world as text, row by row (an index entry, the files it put on disk,
 * what .PKGINFO said, and the exact text apk 2.14 would write), and the
 * world's words read back. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "apkdb.h"
#include "tap.h"
#include "tar.h"

#define FILES_MAX 8

struct frow {
	const char *path;
	char type;
	unsigned mode, uid, gid;
	const char *csum, *xattr;
	bool not_owned;
};

struct irow {
	const char *file; int line;
	const char *what;
	const char *index;           /* one APKINDEX entry */
	struct frow files[FILES_MAX];
	const char *replaces;        /* words, or NULL */
	unsigned prio;
	const char *flags;           /* "f", "s", "x" as set */
	const char *want;            /* the installed entry, exactly */
};
#define IROW(w, i, r, q, fl, x, ...) { __FILE__, __LINE__, w, i, { __VA_ARGS__ }, r, q, fl, x }

#define Q1F "Q1fffffffffffffffffffffffffff="
#define Q1X "Q1xxxxxxxxxxxxxxxxxxxxxxxxxxx="

static const struct irow irows[] = {
	IROW("the fields apk needs, nothing on disk (a meta package)",
	     "C:Q1AAAAAAAAAAAAAAAAAAAAAAAAAAA=\nP:meta\nV:1-r0\nA:noarch\nS:100\nI:0\n", NULL, 0, "",
	     "C:Q1AAAAAAAAAAAAAAAAAAAAAAAAAAA=\nP:meta\nV:1-r0\nA:noarch\nS:100\nI:0\n\n",
	     { NULL, 0, 0, 0, 0, NULL, NULL, false }),
	IROW("every index field, in apk's order, whatever the index's",
	     "P:musl\nV:1.2.4-r2\nk:10\nD:so:libc.musl-x86_64.so.1 !busybox-extras<1\nA:x86_64\nS:383152\nI:622592\n"
	     "T:the musl c library\nU:https://musl.libc.org/\nL:MIT\no:musl\nm:Someone <a@b.c>\nt:1700000000\nc:0123abcd\n"
	     "p:so:libc.musl-x86_64.so.1=1 cmd:ldd\ni:docs musl=1.2.4-r2\nC:Q1p0n9oq0mf7bYg8Y2hqxs3HpP0dA=\n", NULL, 0, "",
	     "C:Q1p0n9oq0mf7bYg8Y2hqxs3HpP0dA=\nP:musl\nV:1.2.4-r2\nA:x86_64\nS:383152\nI:622592\nT:the musl c library\n"
	     "U:https://musl.libc.org/\nL:MIT\no:musl\nm:Someone <a@b.c>\nt:1700000000\nc:0123abcd\nk:10\n"
	     "D:so:libc.musl-x86_64.so.1 !busybox-extras<1\np:so:libc.musl-x86_64.so.1=1 cmd:ldd\ni:docs musl=1.2.4-r2\n\n",
	     { NULL, 0, 0, 0, 0, NULL, NULL, false }),
	IROW("replaces, replaces_priority and every flag",
	     "P:x-new\nV:2-r0\nA:x86_64\nS:1\nI:1\n", "x-old<2 other", 5, "fsx",
	     "P:x-new\nV:2-r0\nA:x86_64\nS:1\nI:1\nr:x-old<2 other\nq:5\nf:fsx\n\n",
	     { NULL, 0, 0, 0, 0, NULL, NULL, false }),
	IROW("one flag alone",
	     "P:s\nV:1\nA:x86_64\nS:1\nI:1\n", NULL, 0, "s",
	     "P:s\nV:1\nA:x86_64\nS:1\nI:1\nf:s\n\n",
	     { NULL, 0, 0, 0, 0, NULL, NULL, false }),
	IROW("directories: root:root 0755 without M:, others with it; files: root:root 0644 without a:",
	     "P:hello\nV:2.0-r0\nA:x86_64\nS:10\nI:20\n", NULL, 0, "",
	     "P:hello\nV:2.0-r0\nA:x86_64\nS:10\nI:20\n"
	     "F:usr\nF:usr/bin\nR:hello\na:0:0:755\nZ:" Q1F "\n"
	     "F:var/lib/hello\nM:100:101:700\nR:state\nZ:" Q1F "\n\n",
	     { "usr", 'd', 040755, 0, 0, "", "", false },
	     { "usr/bin", 'd', 040755, 0, 0, "", "", false },
	     { "usr/bin/hello", 'f', 0100755, 0, 0, Q1F, "", false },
	     { "var/lib/hello", 'd', 040700, 100, 101, "", "", false },
	     { "var/lib/hello/state", 'f', 0100644, 0, 0, Q1F, "", false }),
	IROW("a symbolic link is 0777 (a:), a file without a checksum has no Z:, extended attributes follow the mode",
	     "P:caps\nV:1\nA:x86_64\nS:1\nI:1\n", NULL, 0, "",
	     "P:caps\nV:1\nA:x86_64\nS:1\nI:1\n"
	     "F:bin\nM:0:0:755:" Q1X "\nR:sh\na:0:0:777\nZ:" Q1F "\nR:ping\na:0:0:4755:" Q1X "\nZ:" Q1F "\nR:nosum\n\n",
	     { "bin", 'd', 040755, 0, 0, "", Q1X, false },
	     { "bin/sh", 'l', 0120777, 0, 0, Q1F, "", false },
	     { "bin/ping", 'f', 0104755, 0, 0, Q1F, Q1X, false },
	     { "bin/nosum", 'f', 0100644, 0, 0, "", "", false }),
	IROW("a file's directory that has no entry of its own is named by the file, in the order files come",
	     "P:o\nV:1\nA:x86_64\nS:1\nI:1\n", NULL, 0, "",
	     "P:o\nV:1\nA:x86_64\nS:1\nI:1\nF:etc/o\nR:b.conf\nZ:" Q1F "\nR:a.conf\nZ:" Q1F "\nF:usr/share/o\nR:x\nZ:" Q1F
	     "\n\n",
	     { "etc/o/b.conf", 'f', 0100644, 0, 0, Q1F, "", false },
	     { "usr/share/o/x", 'f', 0100644, 0, 0, Q1F, "", false },
	     { "etc/o/a.conf", 'f', 0100644, 0, 0, Q1F, "", false }),
	IROW("files another package owns are left out, and so is a directory whose only file is",
	     "P:late\nV:1\nA:x86_64\nS:1\nI:1\n", NULL, 0, "f",
	     "P:late\nV:1\nA:x86_64\nS:1\nI:1\nf:f\nF:etc\nR:mine\nZ:" Q1F "\n\n",
	     { "etc/theirs", 'f', 0100644, 0, 0, Q1F, "", true },
	     { "etc/mine", 'f', 0100644, 0, 0, Q1F, "", false },
	     { "opt/x/only", 'f', 0100644, 0, 0, Q1F, "", true }),
};

static void run_irow(const struct irow *r)
{
	struct apk_db db;
	struct apk_files files = { 0 };
	struct apk_file f[FILES_MAX];
	struct apk_dep repl[8];
	struct apkdb_text t = { 0 };
	char why[128], words[256], *save = NULL, *w;
	char *text = strdup(r->index);
	int nrepl = 0, i;
	long n;

	memset(f, 0, sizeof(f));
	apk_db_init(&db, "x86_64");
	n = apk_db_add_index(&db, text, strlen(r->index), 0, why, sizeof(why));
	if (!ok_at(n == 1, r->file, r->line, "%s: the index entry reads (%ld%s%s)", r->what, n, n < 0 ? ": " : "",
	           n < 0 ? why : "")) {
		apk_db_free(&db);
		return;
	}
	for (i = 0; i < FILES_MAX && r->files[i].path; i++) {
		f[i].path = (char *)r->files[i].path;
		f[i].type = r->files[i].type;
		f[i].mode = r->files[i].mode;
		f[i].uid = r->files[i].uid;
		f[i].gid = r->files[i].gid;
		snprintf(f[i].csum, sizeof(f[i].csum), "%s", r->files[i].csum);
		snprintf(f[i].xattr_csum, sizeof(f[i].xattr_csum), "%s", r->files[i].xattr);
		f[i].not_owned = r->files[i].not_owned;
	}
	files.f = f;
	files.n = (size_t)i;
	snprintf(words, sizeof(words), "%s", r->replaces ? r->replaces : "");
	for (w = strtok_r(words, " ", &save); w && nrepl < 8; w = strtok_r(NULL, " ", &save))
		apk_dep_parse(w, &repl[nrepl++]);
	{
		const struct apkdb_pkg e = {
			.db = &db, .pkg = 0, .files = &files, .repl = repl, .nrepl = nrepl, .repl_prio = r->prio,
			.files_broken = strchr(r->flags, 'f') != NULL, .script_failed = strchr(r->flags, 's') != NULL,
			.xattr_broken = strchr(r->flags, 'x') != NULL,
		};
		apkdb_installed(&t, &e);
	}
	ok_at(!t.err && t.p && !strcmp(t.p, r->want), r->file, r->line, "%s", r->what);
	if (t.p && strcmp(t.p, r->want))
		diag("got:\n%s# want:\n%s", t.p, r->want);
	apkdb_text_free(&t);
	apk_db_free(&db);
}

/* ---- the world ---- */

struct wrow {
	const char *file; int line;
	const char *text;            /* the words as given */
	size_t max;
	int err;
	const char *bad;             /* the word named, or NULL */
	const char *world;           /* /etc/apk/world written from what was read */
};
#define WROW(t, m, e, b, w) { __FILE__, __LINE__, t, m, e, b, w }

static const struct wrow wrows[] = {
	WROW("", 8, 0, NULL, ""),
	WROW("hello", 8, 0, NULL, "hello\n"),
	WROW("zlib busybox\nhello\talpine-base,musl\n", 8, 0, NULL, "alpine-base\nbusybox\nhello\nmusl\nzlib\n"),
	WROW("b a b a", 8, 0, NULL, "a\nb\n"),
	WROW("!conflict hello>=2 so:libc.musl-x86_64.so.1 x~1.2 y<3 z=1-r0", 8, 0, NULL,
	     "!conflict\nhello>=2\nso:libc.musl-x86_64.so.1\nx~1.2\ny<3\nz=1-r0\n"),
	WROW("a >=1 b", 8, -EINVAL, ">=1", NULL),
	WROW("a b c", 2, -E2BIG, NULL, NULL),
	WROW(",,\n\n", 8, 0, NULL, ""),
};

/* S with its newlines and tabs shown as \n and \t (a TAP line is one line). */
static const char *shown(const char *s, char *buf, size_t size)
{
	size_t n = 0;

	for (; *s && n + 3 < size; s++)
		if (*s == '\n' || *s == '\t') {
			buf[n++] = '\\';
			buf[n++] = *s == '\n' ? 'n' : 't';
		} else
			buf[n++] = *s;
	buf[n] = '\0';
	return buf;
}

static void run_wrow(const struct wrow *r)
{
	struct apk_want w[8];
	struct apkdb_text t = { 0 };
	char text[256], bad[64], in[128], out[128];
	size_t n = 0;
	int err;

	shown(r->text, in, sizeof(in));
	snprintf(text, sizeof(text), "%s", r->text);
	err = apkdb_world_parse(text, "pkgs=", w, &n, r->max, bad, sizeof(bad));
	ok_at(err == r->err && !strcmp(bad, r->bad ? r->bad : ""), r->file, r->line,
	      "world '%s': %d (want %d), bad word '%s'", in, err, r->err, bad);
	if (err || !r->world)
		return;
	ok_at(n == 0 || !strcmp(w[n - 1].from, "pkgs="), r->file, r->line, "world '%s': who asked is kept", in);
	apkdb_world(&t, w, n);
	ok_at(!t.err && !strcmp(t.p ? t.p : "", r->world), r->file, r->line, "world '%s' written as '%s'", in,
	      shown(t.p ? t.p : "", out, sizeof(out)));
	/* what was written reads back as the same world */
	if (t.p) {
		struct apk_want w2[8];
		struct apkdb_text t2 = { 0 };
		size_t n2 = 0;

		snprintf(text, sizeof(text), "%s", t.p);
		ok_at(!apkdb_world_parse(text, "/etc/apk/world", w2, &n2, 8, bad, sizeof(bad)), r->file, r->line,
		      "world '%s' reads back", in);
		apkdb_world(&t2, w2, n2);
		ok_at(t2.p && !strcmp(t2.p, t.p), r->file, r->line, "world '%s' read back is written the same", in);
		apkdb_text_free(&t2);
	}
	apkdb_text_free(&t);
}

/* ---- scripts.tar and triggers ---- */

struct seen {
	char names[4][300];
	unsigned modes[4];
	long long sizes[4];
	int n;
};

static int s_begin(void *ctx, const struct tar_entry *e)
{
	struct seen *s = ctx;

	if (s->n < 4) {
		snprintf(s->names[s->n], sizeof(s->names[0]), "%s", e->name);
		s->modes[s->n] = (unsigned)e->mode;
		s->sizes[s->n] = e->size;
	}
	s->n++;
	return 0;
}

static int s_data(void *ctx, const void *buf, size_t len) { return 0; }
static int s_end(void *ctx, const struct tar_entry *e) { return 0; }
static const struct tar_ops s_ops = { s_begin, s_data, s_end };

static void scripts_and_triggers(void)
{
	static const char idx[] =
		"C:Q1AAAAAAAAAAAAAAAAAAAAAAAAAAA=\nP:busybox\nV:1.36.1-r5\nA:x86_64\nS:1\nI:1\n\n"
		"C:Q1BBBBBBBBBBBBBBBBBBBBBBBBBBB=\nP:a-package-whose-name-is-long-enough-to-need-a-gnu-long-name-entry\n"
		"V:1.0.0_rc1-r100\nA:x86_64\nS:1\nI:1\n";
	struct apk_db db;
	struct apk_pkgcheck c1, c2;
	struct apkdb_text t = { 0 }, tr = { 0 };
	struct tar_reader r;
	struct seen s = { 0 };
	char why[128];
	int err;

	memset(&c1, 0, sizeof(c1));
	memset(&c2, 0, sizeof(c2));
	apk_db_init(&db, "x86_64");
	ok(apk_db_add_index(&db, strdup(idx), sizeof(idx) - 1, 0, why, sizeof(why)) == 2, "scripts: two index entries");
	snprintf(c1.scripts[0].action, sizeof(c1.scripts[0].action), "post-install");
	c1.scripts[0].text = "#!/bin/sh\necho hi\n";
	c1.scripts[0].len = strlen(c1.scripts[0].text);
	snprintf(c1.scripts[1].action, sizeof(c1.scripts[1].action), "trigger");
	c1.scripts[1].text = "";
	c1.scripts[1].len = 0;
	c1.nscripts = 2;
	snprintf(c2.scripts[0].action, sizeof(c2.scripts[0].action), "pre-install");
	c2.scripts[0].text = "#!/bin/sh\n";
	c2.scripts[0].len = strlen(c2.scripts[0].text);
	c2.nscripts = 1;
	apkdb_scripts(&t, &db.pkgs[0], &c1);
	apkdb_scripts(&t, &db.pkgs[1], &c2);
	apkdb_scripts_end(&t);
	ok(!t.err && t.len % 512 == 0, "scripts.tar is whole blocks (%zu bytes, %d)", t.len, t.err);
	tar_init(&r, &s_ops, &s);
	r.strict_end = true;
	err = tar_feed(&r, t.p, t.len);
	if (!err)
		err = tar_finish(&r);
	ok(!err && s.n == 3, "scripts.tar reads back: %d entries (%d %s)", s.n, err, r.why);
	ok(!strcmp(s.names[0], "busybox-1.36.1-r5.Q1AAAAAAAAAAAAAAAAAAAAAAAAAAA=.post-install") && s.modes[0] == 0755 &&
	   s.sizes[0] == 18, "scripts.tar: NAME-VERSION.CSUM.ACTION, 0755 (%s %o %lld)", s.names[0], s.modes[0], s.sizes[0]);
	ok(!strcmp(s.names[1], "busybox-1.36.1-r5.Q1AAAAAAAAAAAAAAAAAAAAAAAAAAA=.trigger") && s.sizes[1] == 0,
	   "scripts.tar: an empty script is an empty entry (%s)", s.names[1]);
	ok(!strcmp(s.names[2], "a-package-whose-name-is-long-enough-to-need-a-gnu-long-name-entry-1.0.0_rc1-r100."
	                       "Q1BBBBBBBBBBBBBBBBBBBBBBBBBBB=.pre-install"),
	   "scripts.tar: a name over 99 bytes is whole (%zu bytes)", strlen(s.names[2]));
	apkdb_triggers(&tr, &db.pkgs[0], "/usr/share/fonts/* /etc/x");
	apkdb_triggers(&tr, &db.pkgs[1], "/lib/modules/*");
	ok(!tr.err && tr.p && !strcmp(tr.p, "Q1AAAAAAAAAAAAAAAAAAAAAAAAAAA= /usr/share/fonts/* /etc/x\n"
	                                   "Q1BBBBBBBBBBBBBBBBBBBBBBBBBBB= /lib/modules/*\n"),
	   "triggers: CSUM GLOBS, a line per package");
	apkdb_text_free(&t);
	apkdb_text_free(&tr);
	apk_db_free(&db);
}

/* A line longer than the writer's 8 KiB is an error that sticks. */
static void too_long(void)
{
	static char idx[9000 + 64];
	struct apk_db db;
	struct apkdb_text t = { 0 };
	char why[128];
	size_t l;

	l = (size_t)snprintf(idx, sizeof(idx), "P:big\nV:1\nA:x86_64\nS:1\nI:1\nT:");
	memset(idx + l, 'x', 9000);
	strcpy(idx + l + 9000, "\n");
	apk_db_init(&db, "x86_64");
	ok(apk_db_add_index(&db, strdup(idx), strlen(idx), 0, why, sizeof(why)) == 1, "a description of 9000 bytes reads");
	{
		const struct apkdb_pkg e = { .db = &db, .pkg = 0 };
		apkdb_installed(&t, &e);
	}
	ok(t.err == -ENAMETOOLONG, "a line over 8 KiB is -ENAMETOOLONG (%d)", t.err);
	apkdb_put(&t, "more", 4);
	ok(t.err == -ENAMETOOLONG, "and the error sticks");
	apkdb_text_free(&t);
	apk_db_free(&db);
}

int main(void)
{
	size_t i;

	for (i = 0; i < sizeof(irows) / sizeof(irows[0]); i++)
		run_irow(&irows[i]);
	for (i = 0; i < sizeof(wrows) / sizeof(wrows[0]); i++)
		run_wrow(&wrows[i]);
	scripts_and_triggers();
	too_long();
	return done_testing();
}
