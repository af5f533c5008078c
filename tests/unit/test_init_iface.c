/* Interface choice on fixture sysfs trees, with the two functions net_up
 * chooses with: each row lays out ROOT/sys/class/net/<if>/{address,carrier,
 * ifindex,device} and asks iface_candidates which interfaces may carry the
 * boot (DHCP runs on all of them at once) and iface_pick which one a
 * static ip= takes, by Alpine's rules. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot.h"
#include "fileio.h"
#include "tap.h"

struct fif {
	const char *name, *mac;
	int carrier;      /* 1 up, 0 down */
	int physical;     /* has a device link */
};

struct row {
	const char *file; int line;
	const char *what;
	struct fif ifs[4];
	const char *device, *bootif;
	int want_err;
	const char *want, *why_has;
	const char *cands;     /* iface_candidates' list, ", " between */
};

#define ROW(what, ifs, dev, bootif, err, want, why, cands) \
	{ __FILE__, __LINE__, what, ifs, dev, bootif, err, want, why, cands }
#define IFS(...) { __VA_ARGS__ }

static const struct row rows[] = {
	ROW("no interface at all", IFS({0}), NULL, NULL, -ENODEV, NULL, "no physical network interface (found: none)", NULL),
	ROW("only lo and a bridge: none physical",
	    IFS({ "lo", "00:00:00:00:00:00", 1, 0 }, { "br0", "52:54:00:00:00:09", 1, 0 }),
	    NULL, NULL, -ENODEV, NULL, "found: lo, br0", NULL),
	ROW("all down: the first physical one",
	    IFS({ "lo", "00:00:00:00:00:00", 1, 0 }, { "eth0", "52:54:00:00:00:01", 0, 1 }, { "eth1", "52:54:00:00:00:02", 0, 1 }),
	    NULL, NULL, 0, "eth0", NULL, "eth0, eth1"),
	ROW("first with carrier wins",
	    IFS({ "lo", "00:00:00:00:00:00", 1, 0 }, { "eth0", "52:54:00:00:00:01", 0, 1 }, { "eth1", "52:54:00:00:00:02", 1, 1 }),
	    NULL, NULL, 0, "eth1", NULL, "eth0, eth1"),
	ROW("first up among several up",
	    IFS({ "eth0", "52:54:00:00:00:01", 1, 1 }, { "eth1", "52:54:00:00:00:02", 1, 1 }),
	    NULL, NULL, 0, "eth0", NULL, "eth0, eth1"),
	ROW("virtual interface with carrier is not chosen",
	    IFS({ "dummy0", "52:54:00:00:00:07", 1, 0 }, { "eth0", "52:54:00:00:00:01", 0, 1 }),
	    NULL, NULL, 0, "eth0", NULL, "eth0"),
	ROW("BOOTIF picks the matching MAC even when down",
	    IFS({ "eth0", "52:54:00:00:00:01", 1, 1 }, { "eth1", "52:54:00:00:00:02", 0, 1 }),
	    NULL, "52:54:00:00:00:02", 0, "eth1", NULL, "eth1"),
	ROW("BOOTIF compares case-insensitively",
	    IFS({ "eth0", "52:54:00:aa:bb:01", 1, 1 }, { "eth1", "52:54:00:aa:bb:02", 0, 1 }),
	    NULL, "52:54:00:AA:BB:02", 0, "eth1", NULL, "eth1"),
	ROW("BOOTIF that matches nothing falls back to carrier",
	    IFS({ "eth0", "52:54:00:00:00:01", 0, 1 }, { "eth1", "52:54:00:00:00:02", 1, 1 }),
	    NULL, "52:54:00:00:00:99", 0, "eth1", NULL, "eth0, eth1"),
	ROW("ip= device wins over BOOTIF",
	    IFS({ "eth0", "52:54:00:00:00:01", 0, 1 }, { "eth1", "52:54:00:00:00:02", 1, 1 }),
	    "eth0", "52:54:00:00:00:02", 0, "eth0", NULL, "eth0"),
	ROW("ip= device that does not exist",
	    IFS({ "eth0", "52:54:00:00:00:01", 1, 1 }),
	    "eth7", NULL, -ENODEV, NULL, "eth7 (from ip=): no such interface (found: eth0)", NULL),
};

static void put(const char *dir, const char *name, const char *text)
{
	char p[1024];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	file_write(p, text, strlen(text), 0644);
}

static void lay_out(const char *root, const struct fif *ifs)
{
	char dir[1024], buf[32];
	int i;

	snprintf(dir, sizeof(dir), "%s/sys/class/net", root);
	mkdir_p(dir, 0755);
	for (i = 0; i < 4 && ifs[i].name; i++) {
		snprintf(dir, sizeof(dir), "%s/sys/class/net/%s", root, ifs[i].name);
		mkdir_p(dir, 0755);
		put(dir, "address", ifs[i].mac);
		put(dir, "carrier", ifs[i].carrier ? "1\n" : "0\n");
		snprintf(buf, sizeof(buf), "%d\n", i + 1);
		put(dir, "ifindex", buf);
		if (ifs[i].physical) {
			char dev[1100];
			snprintf(dev, sizeof(dev), "%s/device", dir);
			mkdir(dev, 0755);
		}
	}
}

int main(void)
{
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		char tmpl[] = "/tmp/nbiface.XXXXXX", cmd[64], out[IF_NAMESIZE] = "", why[512] = "";
		struct iface_req req = { r->device, r->bootif, 0 };
		char c[NET_MAX_CANDS][IF_NAMESIZE], list[256] = "";
		char *root = mkdtemp(tmpl);
		bool named = false;
		int err, n, k;

		if (!root) {
			ok_at(0, r->file, r->line, "%s: mkdtemp", r->what);
			continue;
		}
		lay_out(root, r->ifs);
		n = iface_candidates(root, &req, c, NET_MAX_CANDS, &named, why, sizeof(why));
		for (k = 0; k < n; k++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", k ? ", " : "", c[k]);
		if (r->want_err) {
			err = n < 0 ? n : 0;
			ok_at(err == r->want_err && strstr(why, r->why_has), r->file, r->line,
			      "%s: error %d '%s'", r->what, err, why);
		} else {
			ok_at(n > 0 && !strcmp(list, r->cands), r->file, r->line,
			      "%s: candidates '%s' (want '%s'), named %d", r->what, list, r->cands, named);
			k = n > 0 ? iface_pick(root, &req, c, n, named, 0) : -1;
			snprintf(out, sizeof(out), "%s", k >= 0 && k < n ? c[k] : "");
			ok_at(!strcmp(out, r->want), r->file, r->line,
			      "%s: a static ip= takes '%s' (want %s)", r->what, out, r->want);
		}
		snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
		if (system(cmd) != 0)
			diag("cannot remove %s", root);
	}
	return done_testing();
}
