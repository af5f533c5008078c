/* Exponential backoff: first_ms, 2*first_ms, 4*first_ms ... capped at
 * cap_ms, each moved by up to +/- jitter_pct percent and then clipped to
 * [0, cap_ms]. The jitter comes from a xorshift32 generator on *seed, so a
 * schedule is reproducible from its seed. cap_ms <= 0 means no cap. */
#include <limits.h>
#include <stdio.h>

#include "retry.h"

static unsigned next_rand(unsigned *seed)
{
	unsigned x = *seed ? *seed : 0x9e3779b9u;	/* xorshift32 sticks at 0 */

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*seed = x;
	return x;
}

static long cap_of(const struct retry *r)
{
	return r->cap_ms > 0 ? r->cap_ms : INT_MAX;
}

static long clamp_pct(int pct)
{
	return pct < 0 ? 0 : pct > 100 ? 100 : pct;
}

/* The un-jittered delay after try ATTEMPT (>= 1), already capped. */
static long base_delay(const struct retry *r, int attempt)
{
	long cap = cap_of(r), d = r->first_ms > 0 ? r->first_ms : 0;
	int i;

	for (i = 1; i < attempt && d < cap; i++)
		d *= 2;	/* d < cap <= INT_MAX, so this cannot overflow a long */
	return d < cap ? d : cap;
}

/* Delay in ms after failed try ATTEMPT (1-based), or 0 when no try is left.
 * Draws one number from *SEED (updated); a NULL SEED means no jitter. */
int retry_delay_ms(const struct retry *r, int attempt, unsigned *seed)
{
	long d, j, cap = cap_of(r);

	if (attempt < 1 || attempt >= r->attempts)
		return 0;
	d = base_delay(r, attempt);
	j = d * clamp_pct(r->jitter_pct) / 100;
	if (j > 0 && seed)
		d += (long)(next_rand(seed) % (unsigned long)(2 * j + 1)) - j;
	if (d < 0)
		d = 0;
	return (int)(d < cap ? d : cap);
}

const char *retry_say(char *buf, unsigned size, const struct retry *r, int attempt, int delay_ms)
{
	if (delay_ms < 0)
		delay_ms = 0;
	snprintf(buf, size, "(try %d of %d); retrying in %d.%d s", attempt, r->attempts,
	         delay_ms / 1000, delay_ms % 1000 / 100);
	return buf;
}

/* Sum over all waits of the largest delay each can draw: an upper bound of
 * the total time spent waiting between tries. */
long retry_max_total_ms(const struct retry *r)
{
	long total = 0, d, cap = cap_of(r);
	int i;

	for (i = 1; i < r->attempts; i++) {
		d = base_delay(r, i);
		d += d * clamp_pct(r->jitter_pct) / 100;
		total += d < cap ? d : cap;
	}
	return total;
}
