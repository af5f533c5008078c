/* One GET with the boot's retries, for the overlay and the packages: the
 * schedule is data (nbinit's struct retry in b->o.http_retry), a try is
 * repeated only for a transient cause (lib/http's http_transient: a
 * timeout, a reset, a truncated body, a 5xx; never a passed
 * nbinit.http_deadline, a 4xx, a body over its limit), and what a caller
 * does around each try (start its sink afresh, check what arrived) is
 * given as hooks. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "boot.h"

int http_get_retry(struct boot *b, const char *url, const struct http_opts *ho, const struct http_try *t,
                   struct http_result *res, char *why, size_t whysz)
{
	const struct retry *r = &b->o.http_retry;
	const char *phase = b->phase ? b->phase : "init";
	int attempt, err, d;
	char say[64];

	if (whysz)
		why[0] = '\0';
	for (attempt = 1; ; attempt++) {
		bool final = false;

		if (t->start && (err = t->start(t->ctx)))
			return err;
		err = http_get(url, ho, t->sink, t->ctx, res);
		if (t->end)
			err = t->end(t->ctx, err, res, &final);
		if (!err || final)
			return err;
		if (!http_transient(err, res) || attempt >= r->attempts) {
			char after[32] = "";

			if (attempt > 1)
				snprintf(after, sizeof(after), " (after %d tries)", attempt);
			snprintf(why, whysz, "GET %s: %s%s", url, res->why[0] ? res->why : strerror(-err), after);
			return err;
		}
		d = retry_delay_ms(r, attempt, &b->seed);
		log_warn("%s: GET %s: %s %s", phase, url, res->why[0] ? res->why : strerror(-err),
		         retry_say(say, sizeof(say), r, attempt, d));
		sleep_ms(d);
	}
}
