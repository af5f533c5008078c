/* apk version comparison and dependency words (docs/apk-formats.md).
 *
 * A version is read as a sequence of tokens: numbers, one letter,
 * suffixes with optional numbers, a ~hash and a -rN revision. Two versions
 * are compared token by token; when one runs out or switches to a
 * different kind of token first, the kind decides: a pre-release suffix is
 * lower, otherwise the version that goes on with a "smaller" kind (more
 * numbers rather than a letter, a letter rather than the end, ...) is
 * higher. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "apk.h"

/* Token kinds in the order that decides between two versions that differ
 * in kind at the same place: the later kind makes the lower version. */
enum vkind { V_NUM, V_LETTER, V_SUFFIX, V_SUFNUM, V_HASH, V_REV, V_END, V_BAD };

struct vtok {
	enum vkind kind;
	const char *s;             /* the token's text */
	size_t len;
	int suffix;                /* V_SUFFIX: -4..-1 pre-release, 1..5 post-release */
	bool first;                /* V_NUM: the first number (never a fraction) */
};

struct vread {
	const char *p;
	enum vkind last;           /* kind of the previous token, V_END at the start */
	bool started;
};

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
static bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f'); }

static const char *const pre_suffixes[] = { "alpha", "beta", "pre", "rc" };
static const char *const post_suffixes[] = { "cvs", "svn", "git", "hg", "p" };

/* The suffix name at P: its rank (pre-release negative) and length. */
static int suffix_rank(const char *p, size_t *len)
{
	size_t i;

	for (i = 0; i < 4; i++) {
		size_t l = strlen(pre_suffixes[i]);
		if (!strncmp(p, pre_suffixes[i], l) && !is_lower(p[l])) {
			*len = l;
			return (int)i - 4;
		}
	}
	for (i = 0; i < 5; i++) {
		size_t l = strlen(post_suffixes[i]);
		if (!strncmp(p, post_suffixes[i], l) && !is_lower(p[l])) {
			*len = l;
			return (int)i + 1;
		}
	}
	return 0;
}

static size_t digits(const char *p)
{
	size_t n = 0;

	while (is_digit(p[n]))
		n++;
	return n;
}

/* The next token of R into T. */
static void vnext(struct vread *r, struct vtok *t)
{
	const char *p = r->p;

	memset(t, 0, sizeof(*t));
	t->kind = V_BAD;
	if (!r->started) {
		r->started = true;
		if (is_digit(*p)) {
			t->kind = V_NUM;
			t->first = true;
			t->s = p;
			t->len = digits(p);
		}
		goto out;
	}
	if (!*p) {
		t->kind = V_END;
		return;
	}
	if (r->last == V_BAD) {
		return;
	}
	if (*p == '.' && r->last == V_NUM && is_digit(p[1])) {
		t->kind = V_NUM;
		t->s = p + 1;
		t->len = digits(p + 1);
	} else if (is_lower(*p) && r->last == V_NUM) {
		t->kind = V_LETTER;
		t->s = p;
		t->len = 1;
	} else if (*p == '_' && r->last <= V_SUFNUM) {
		size_t l = 0;
		t->suffix = suffix_rank(p + 1, &l);
		if (t->suffix) {
			t->kind = V_SUFFIX;
			t->s = p + 1;
			t->len = l;
		}
	} else if (is_digit(*p) && r->last == V_SUFFIX) {
		t->kind = V_SUFNUM;
		t->s = p;
		t->len = digits(p);
	} else if (*p == '~' && r->last < V_HASH && is_hex(p[1])) {
		size_t l = 1;
		while (is_hex(p[l]))
			l++;
		t->kind = V_HASH;
		t->s = p + 1;
		t->len = l - 1;
	} else if (*p == '-' && p[1] == 'r' && is_digit(p[2]) && r->last < V_REV) {
		t->kind = V_REV;
		t->s = p + 2;
		t->len = digits(p + 2);
	}
out:
	if (t->kind == V_BAD) {
		t->s = p;
		t->len = strlen(p);
		r->last = V_BAD;
		return;
	}
	r->last = t->kind;
	r->p = t->s + t->len;
}

/* Compare decimal digit strings as numbers (any length). */
static int num_cmp(const char *a, size_t al, const char *b, size_t bl)
{
	int c;

	while (al > 1 && *a == '0')
		a++, al--;
	while (bl > 1 && *b == '0')
		b++, bl--;
	if (al != bl)
		return al < bl ? -1 : 1;
	c = memcmp(a, b, al);
	return c < 0 ? -1 : c > 0;
}

/* Compare byte strings: common part, then the shorter one first. */
static int str_cmp(const char *a, size_t al, const char *b, size_t bl)
{
	int c = memcmp(a, b, al < bl ? al : bl);

	if (c)
		return c < 0 ? -1 : 1;
	return al == bl ? 0 : al < bl ? -1 : 1;
}

static int tok_cmp(const struct vtok *a, const struct vtok *b)
{
	switch (a->kind) {
	case V_NUM:
		/* After a dot, a leading zero makes the number a fraction:
		 * 1.05 < 1.1, 1.02 < 1.10. */
		if (!a->first && (a->s[0] == '0' || b->s[0] == '0'))
			return str_cmp(a->s, a->len, b->s, b->len);
		return num_cmp(a->s, a->len, b->s, b->len);
	case V_SUFFIX:
		return a->suffix < b->suffix ? -1 : a->suffix > b->suffix;
	case V_SUFNUM:
	case V_REV:
		return num_cmp(a->s, a->len, b->s, b->len);
	case V_LETTER:
	case V_HASH:
	case V_BAD:
		return str_cmp(a->s, a->len, b->s, b->len);
	default:
		return 0;
	}
}

static unsigned sign_result(int c)
{
	return c < 0 ? APK_LESS : c > 0 ? APK_GREATER : APK_EQUAL;
}

/* Compare A with B; with FUZZY, B running out first means equal. */
static unsigned compare(const char *a, const char *b, bool fuzzy)
{
	struct vread ra = { a, V_END, false }, rb = { b, V_END, false };
	struct vtok ta, tb;

	for (;;) {
		int c;

		vnext(&ra, &ta);
		vnext(&rb, &tb);
		if (ta.kind != tb.kind)
			break;
		if (ta.kind == V_END)
			return APK_EQUAL;
		c = tok_cmp(&ta, &tb);
		if (c)
			return sign_result(c);
		if (ta.kind == V_BAD)
			return APK_EQUAL;
	}
	if (fuzzy && tb.kind == V_END)
		return APK_EQUAL;
	if (ta.kind == V_BAD || tb.kind == V_BAD)
		return sign_result(str_cmp(ta.s ? ta.s : "", ta.len, tb.s ? tb.s : "", tb.len));
	/* One goes on where the other stops or changes kind. */
	if (ta.kind == V_SUFFIX && ta.suffix < 0)
		return APK_LESS;
	if (tb.kind == V_SUFFIX && tb.suffix < 0)
		return APK_GREATER;
	return ta.kind > tb.kind ? APK_LESS : APK_GREATER;
}

/* See apk.h. */
unsigned apk_version_cmp(const char *a, const char *b)
{
	return compare(a, b, false);
}

/* See apk.h. */
bool apk_version_fuzzy(const char *version, const char *prefix)
{
	return compare(version, prefix, true) == APK_EQUAL;
}

/* See apk.h. */
bool apk_version_valid(const char *v)
{
	struct vread r = { v, V_END, false };
	struct vtok t;

	do
		vnext(&r, &t);
	while (t.kind != V_END && t.kind != V_BAD);
	return t.kind == V_END;
}

/* See apk.h. */
int apk_dep_parse(char *s, struct apk_dep *d)
{
	char *op, *at;

	memset(d, 0, sizeof(*d));
	if (*s == '!') {
		d->conflict = true;
		s++;
	}
	d->name = s;
	op = s + strcspn(s, "<>=~");
	at = strchr(s, '@');
	if (at && at < op) {
		*at = '\0';
		d->tag = at + 1;
	}
	if (*op) {
		char *v = op;
		unsigned bits = 0;

		if (op[0] == '>' && op[1] == '<') {
			bits = APK_CSUM;
			v += 2;
		} else {
			for (; *v == '<' || *v == '>' || *v == '=' || *v == '~'; v++) {
				if (*v == '<')
					bits |= APK_LESS;
				else if (*v == '>')
					bits |= APK_GREATER;
				else if (*v == '=')
					bits |= APK_EQUAL;
				else
					bits |= APK_FUZZY;
			}
			/* "~" and "~=" are the same; "<>" or "<~" mean nothing. */
			if (bits & APK_FUZZY)
				bits = (bits & (APK_LESS | APK_GREATER)) ? 0 : APK_FUZZY;
			if ((bits & APK_LESS) && (bits & APK_GREATER))
				bits = 0;
		}
		if (!bits || !*v)
			return -EINVAL;
		*op = '\0';
		d->op = bits;
		d->version = v;
	}
	if (!*d->name || (d->tag && !*d->tag))
		return -EINVAL;
	return 0;
}

/* See apk.h. */
bool apk_dep_accepts(const struct apk_dep *d, const char *version, const char *csum)
{
	if (!d->version)
		return true;
	if (!version)
		return false;
	if (d->op & APK_CSUM)
		return csum && !strcmp(csum, d->version);
	if (d->op & APK_FUZZY)
		return apk_version_fuzzy(version, d->version);
	return (apk_version_cmp(version, d->version) & d->op) != 0;
}

/* See apk.h. */
char *apk_dep_str(const struct apk_dep *d, char *buf, size_t size)
{
	const char *op = "";

	switch (d->op) {
	case APK_LESS: op = "<"; break;
	case APK_LESS | APK_EQUAL: op = "<="; break;
	case APK_EQUAL: op = "="; break;
	case APK_GREATER | APK_EQUAL: op = ">="; break;
	case APK_GREATER: op = ">"; break;
	case APK_FUZZY: op = "~"; break;
	case APK_CSUM: op = "><"; break;
	}
	snprintf(buf, size, "%s%s%s%s%s%s", d->conflict ? "!" : "", d->name,
	         d->tag ? "@" : "", d->tag ? d->tag : "", d->version ? op : "",
	         d->version ? d->version : "");
	return buf;
}
