/* Reporting the outcome of a boot to the admin's server (nbinit.report=URL):
 * an unattended machine's last error stays visible after it rebooted. The
 * body is KEY='value' lines; the POST is bounded to a few seconds and its
 * own failure is only a warning. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "boot.h"
#include "fileio.h"
#include "http.h"

void report_outcome(struct boot *b, bool ok)
{
	struct http_opts ho = { .connect_timeout_ms = 3000, .io_timeout_ms = 3000, .max_redirects = 0,
	                        .deadline_ms = 10000, .max_body = 65536 };
	static struct http_result res;
	static char body[4096];
	char url[URL_MAX], a[INET_ADDRSTRLEN], p[BOOT_PATH];
	size_t len = 0;
	int err = 0;

	if (!b->o.report[0] || !b->net_up)
		return;
	if (strstr(b->o.report, "{UUID}") && !b->uuid[0] &&
	    !rpath(b, p, sizeof(p), "/sys/class/dmi/id/product_uuid"))
		file_read_str(p, b->uuid, sizeof(b->uuid));
	if (url_subst(url, sizeof(url), b->o.report, b->net.mac, b->uuid[0] ? b->uuid : "unknown")) {
		log_warn("report: %s: URL too long after substitution", b->o.report);
		return;
	}
	body[0] = '\0';
	err |= kv_append(body, sizeof(body), &len, "RESULT", ok ? "ok" : "fail");
	err |= kv_append(body, sizeof(body), &len, "ERROR", ok ? "" : b->why);
	err |= kv_append(body, sizeof(body), &len, "MAC", b->net.mac);
	err |= kv_append(body, sizeof(body), &len, "ADDRESS", inet_ntop(AF_INET, &b->net.addr, a, sizeof(a)));
	err |= kv_append(body, sizeof(body), &len, "UUID", b->uuid);
	err |= kv_append(body, sizeof(body), &len, "KERNEL", b->kver);
	err |= kv_append(body, sizeof(body), &len, "APKOVL", b->ovl_source);
	if (err) {
		log_warn("report: report too large");
		return;
	}
	err = http_post(url, &ho, "text/plain; charset=utf-8", body, len, &res);
	if (err)
		log_warn("report: POST %s: %s", url, res.why);
	else
		log_info("report: sent to %s", url);
}
