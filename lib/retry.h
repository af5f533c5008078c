/* Retry schedules as data: exponential backoff with a cap and jitter. */
#ifndef NB_RETRY_H
#define NB_RETRY_H

struct retry {
	int attempts;     /* total tries, >= 1 */
	int first_ms;     /* delay after the first failure */
	int cap_ms;       /* upper bound of one delay */
	int jitter_pct;   /* +/- this percent of the delay, drawn per try */
};

/* Delay in ms to wait after failed try number ATTEMPT (1-based), drawn with
 * SEED (updated). 0 when ATTEMPT >= attempts (no more tries). */
int retry_delay_ms(const struct retry *r, int attempt, unsigned *seed);

/* The words every retry note ends with, the same for DHCP, HTTP and NFS:
 * "(try ATTEMPT of ATTEMPTS); retrying in S.D s" for the try that failed
 * and the DELAY_MS drawn for it, written into BUF (SIZE bytes); returns BUF. */
const char *retry_say(char *buf, unsigned size, const struct retry *r, int attempt, int delay_ms);

/* Sum of the largest possible delays: the bound on the total wait. */
long retry_max_total_ms(const struct retry *r);

#endif
