/* retry_delay_ms and retry_max_total_ms: growth, cap, jitter bounds,
 * determinism and the total bound. */
#include <limits.h>
#include <string.h>

#include "retry.h"
#include "tap.h"

struct row {
	const char *file;
	int line;
	struct retry r;
	int want[8];        /* un-jittered delays after tries 1..8 */
	long max_total;
};

#define RETRY_TEST(attempts, first, cap, jitter, want, total) \
	{ __FILE__, __LINE__, { attempts, first, cap, jitter }, want, total }
#define L(...) { __VA_ARGS__ }

static const struct row rows[] = {
	RETRY_TEST(1, 1000, 8000, 0, L(0), 0),
	RETRY_TEST(2, 1000, 8000, 0, L(1000, 0), 1000),
	RETRY_TEST(6, 1000, 8000, 0, L(1000, 2000, 4000, 8000, 8000, 0, 0, 0), 23000),
	RETRY_TEST(4, 500, 1500, 0, L(500, 1000, 1500, 0), 3000),
	RETRY_TEST(4, 3000, 2000, 0, L(2000, 2000, 2000, 0), 6000),
	RETRY_TEST(3, 0, 8000, 0, L(0, 0, 0), 0),
	/* cap 0: no cap */
	RETRY_TEST(5, 100, 0, 0, L(100, 200, 400, 800, 0), 1500),
	/* jitter 25%: the total bound takes the top of each range, still capped */
	RETRY_TEST(4, 1000, 8000, 25, L(1000, 2000, 4000, 0), 8750),
	RETRY_TEST(5, 1000, 4000, 25, L(1000, 2000, 4000, 4000, 0), 11750),
	/* jitter clamped to 100% */
	RETRY_TEST(3, 1000, 0, 300, L(1000, 2000, 0), 6000),
	/* attempts 0 or negative: never wait */
	RETRY_TEST(0, 1000, 8000, 0, L(0, 0), 0),
	RETRY_TEST(-3, 1000, 8000, 0, L(0, 0), 0),
};

static void run_row(const struct row *r)
{
	unsigned seed = 1;
	int i, d;

	for (i = 1; i <= 8; i++) {
		d = retry_delay_ms(&r->r, i, r->r.jitter_pct ? NULL : &seed);
		ok_at(d == r->want[i - 1], r->file, r->line, "{%d,%d,%d,%d} try %d: %d ms (want %d)",
		      r->r.attempts, r->r.first_ms, r->r.cap_ms, r->r.jitter_pct, i, d, r->want[i - 1]);
	}
	ok_at(retry_max_total_ms(&r->r) == r->max_total, r->file, r->line,
	      "{%d,%d,%d,%d} max total %ld (want %ld)", r->r.attempts, r->r.first_ms,
	      r->r.cap_ms, r->r.jitter_pct, retry_max_total_ms(&r->r), r->max_total);
}

/* Many draws stay within +/- jitter and the cap, and actually spread. */
static void jitter_range(void)
{
	const struct retry r = { 10, 1000, 8000, 25 };
	unsigned seed = 12345;
	int i, a, d, lo, hi, base, bad = 0, minseen[10], maxseen[10];
	long sum_max = 0;

	for (a = 1; a < 10; a++) {
		minseen[a] = INT_MAX;
		maxseen[a] = -1;
	}
	for (i = 0; i < 2000; i++) {
		for (a = 1; a < 10; a++) {
			base = 1000 << (a - 1);
			if (base > 8000)
				base = 8000;
			lo = base - base / 4;
			hi = base + base / 4;
			if (hi > 8000)
				hi = 8000;
			d = retry_delay_ms(&r, a, &seed);
			if (d < lo || d > hi) {
				if (!bad++)
					diag("try %d: %d outside [%d, %d]", a, d, lo, hi);
			}
			if (d < minseen[a])
				minseen[a] = d;
			if (d > maxseen[a])
				maxseen[a] = d;
		}
	}
	ok(!bad, "18000 jittered delays within +/-25%% and the cap (%d outside)", bad);
	ok(minseen[1] <= 760 && maxseen[1] >= 1240, "try 1 spreads over [750, 1250]: saw [%d, %d]",
	   minseen[1], maxseen[1]);
	ok(minseen[9] <= 6100 && maxseen[9] == 8000, "capped try 9 spreads over [6000, 8000]: saw [%d, %d]",
	   minseen[9], maxseen[9]);
	for (a = 1; a < 10; a++)
		sum_max += maxseen[a];
	ok(sum_max <= retry_max_total_ms(&r), "largest draws %ld <= max total %ld",
	   sum_max, retry_max_total_ms(&r));
	ok(retry_delay_ms(&r, 10, &seed) == 0, "no delay after the last try");
}

static void determinism(void)
{
	const struct retry r = { 8, 700, 30000, 50 };
	unsigned s1 = 42, s2 = 42, s3 = 43, z1 = 0, z2 = 0;
	int a, same = 1, differ = 0, zsame = 1, d1, d3;

	for (a = 1; a < 8; a++) {
		d1 = retry_delay_ms(&r, a, &s1);
		d3 = retry_delay_ms(&r, a, &s3);
		if (d1 != retry_delay_ms(&r, a, &s2))
			same = 0;
		if (d1 != d3)
			differ++;
		if (retry_delay_ms(&r, a, &z1) != retry_delay_ms(&r, a, &z2))
			zsame = 0;
	}
	ok(same && s1 == s2, "same seed, same schedule");
	ok(differ > 0, "different seed, different schedule (%d of 7 differ)", differ);
	ok(zsame && z1 != 0, "seed 0 works and is replaced by a non-zero state");

	s1 = 7;
	retry_delay_ms(&r, 1, &s1);
	ok(s1 != 7, "a jittered draw advances the seed");
	s1 = 7;
	ok(retry_delay_ms(&r, 8, &s1) == 0 && s1 == 7, "no draw after the last try");
	ok(retry_delay_ms(&r, 0, &s1) == 0 && s1 == 7, "try 0 is not a try");
	ok(retry_delay_ms(&r, 3, NULL) == 2800, "NULL seed: no jitter (%d)", retry_delay_ms(&r, 3, NULL));
}

static void large_values(void)
{
	const struct retry r = { 60, 1000, 0, 0 };
	const struct retry j = { 60, INT_MAX, INT_MAX, 100 };
	unsigned seed = 9;
	int a, d, prev = 0, mono = 1;

	for (a = 1; a < 60; a++) {
		d = retry_delay_ms(&r, a, &seed);
		if (d < prev)
			mono = 0;
		prev = d;
	}
	ok(mono && prev == INT_MAX, "uncapped growth saturates at INT_MAX without overflow (%d)", prev);
	for (a = 1; a < 60; a++) {
		d = retry_delay_ms(&j, a, &seed);
		if (d < 0)
			mono = 0;
	}
	ok(mono, "INT_MAX delays with 100%% jitter stay non-negative");
	ok(retry_max_total_ms(&j) == 59L * INT_MAX, "max total of 59 INT_MAX delays (%ld)",
	   retry_max_total_ms(&j));
}

/* The note every retry ends with (DHCP, HTTP and NFS print the same words). */
static void say(void)
{
	const struct retry r = { 4, 1000, 8000, 25 };
	char buf[64], small[12];

	ok(!strcmp(retry_say(buf, sizeof(buf), &r, 1, 1049), "(try 1 of 4); retrying in 1.0 s"),
	   "try 1, 1049 ms: %s", buf);
	ok(!strcmp(retry_say(buf, sizeof(buf), &r, 3, 4560), "(try 3 of 4); retrying in 4.5 s"),
	   "try 3, 4560 ms, tenths cut, not rounded: %s", buf);
	ok(!strcmp(retry_say(buf, sizeof(buf), &r, 2, 0), "(try 2 of 4); retrying in 0.0 s"), "0 ms: %s", buf);
	ok(!strcmp(retry_say(buf, sizeof(buf), &r, 2, -5), "(try 2 of 4); retrying in 0.0 s"),
	   "a negative delay says 0: %s", buf);
	ok(retry_say(small, sizeof(small), &r, 1, 1000) == small && strlen(small) == sizeof(small) - 1 &&
	   !strncmp(small, "(try 1 of 4", 11), "a small buffer is cut and terminated: %s", small);
}

int main(void)
{
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		run_row(&rows[i]);
	jitter_range();
	determinism();
	large_values();
	say();
	return done_testing();
}
