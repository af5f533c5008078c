/* Phase 3: the network, when an option needs it. Choose the interface,
 * get an address with busybox udhcpc (retries as data) or apply the static
 * ip=, then apply address, netmask, default route, hostname and DNS. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/route.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "boot.h"
#include "fileio.h"

static int set_addr(int s, const char *ifname, unsigned long req, struct in_addr a)
{
	struct ifreq ifr;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, IF_NAMESIZE, "%s", ifname);
	sin->sin_family = AF_INET;
	sin->sin_addr = a;
	return ioctl(s, req, &ifr) < 0 ? -errno : 0;
}

/* Give IFNAME address ADDR/MASK, set it up, and add a default route via GW
 * (if any). Returns 0 or -errno; WHAT names the failed step. */
static int apply_addr(const char *ifname, struct in_addr addr, struct in_addr mask,
                      struct in_addr gw, const char **what)
{
	struct rtentry rt;
	struct sockaddr_in *sin;
	int s, err;

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0) {
		*what = "socket";
		return -errno;
	}
	if ((err = set_addr(s, ifname, SIOCSIFADDR, addr))) {
		*what = "setting the address";
		goto out;
	}
	if (mask.s_addr && (err = set_addr(s, ifname, SIOCSIFNETMASK, mask))) {
		*what = "setting the netmask";
		goto out;
	}
	if ((err = iface_set_up(ifname))) {
		*what = "setting it up";
		goto out;
	}
	if (gw.s_addr) {
		memset(&rt, 0, sizeof(rt));
		sin = (struct sockaddr_in *)&rt.rt_dst;
		sin->sin_family = AF_INET;
		sin = (struct sockaddr_in *)&rt.rt_genmask;
		sin->sin_family = AF_INET;
		sin = (struct sockaddr_in *)&rt.rt_gateway;
		sin->sin_family = AF_INET;
		sin->sin_addr = gw;
		rt.rt_flags = RTF_UP | RTF_GATEWAY;
		rt.rt_dev = (char *)ifname;
		if (ioctl(s, SIOCADDRT, &rt) < 0 && errno != EEXIST) {
			err = -errno;
			*what = "adding the default route";
		}
	}
out:
	close(s);
	return err;
}

static void loopback_up(void)
{
	struct in_addr lo, mask, none = { 0 };
	const char *what;

	inet_pton(AF_INET, "127.0.0.1", &lo);
	inet_pton(AF_INET, "255.0.0.0", &mask);
	apply_addr("lo", lo, mask, none, &what);
}

static void wait_carrier(struct boot *b, const char *ifname, long wait_ms)
{
	char one[1][IF_NAMESIZE];

	long long t0 = now_ms();
	int r;

	snprintf(one[0], IF_NAMESIZE, "%s", ifname);
	r = carrier_wait(b->root, one, 1, wait_ms);
	tl_wait("carrier", ifname, t0, now_ms());
	if (r < 0)
		log_warn("net: %s: no carrier after %ld s; trying anyway", ifname, wait_ms / 1000);
}

/* First IPv4 address of a space-separated list into A. */
static bool first_addr(const char *list, struct in_addr *a)
{
	char buf[64];
	size_t n = strcspn(list, " \t");

	if (n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, list, n);
	buf[n] = '\0';
	return inet_pton(AF_INET, buf, a) == 1;
}

static int read_lease(struct boot *b, const char *text)
{
	struct netconf *nc = &b->net;
	char v[512], *tok, *save = NULL;

	if (kv_get(text, "ip", v, sizeof(v)) || inet_pton(AF_INET, v, &nc->addr) != 1)
		return -EBADMSG;
	if (!kv_get(text, "subnet", v, sizeof(v)))
		inet_pton(AF_INET, v, &nc->mask);
	if (!kv_get(text, "router", v, sizeof(v)))
		first_addr(v, &nc->gw);
	if (!kv_get(text, "siaddr", v, sizeof(v)))
		inet_pton(AF_INET, v, &nc->next_server);
	if (!kv_get(text, "ntpsrv", v, sizeof(v)))
		first_addr(v, &nc->ntp);
	if (!kv_get(text, "dns", v, sizeof(v)))
		for (tok = strtok_r(v, " \t", &save); tok && nc->ndns < 3; tok = strtok_r(NULL, " \t", &save))
			if (inet_pton(AF_INET, tok, &nc->dns[nc->ndns]) == 1)
				nc->ndns++;
	if (!nc->hostname[0])
		kv_get(text, "hostname", nc->hostname, sizeof(nc->hostname));
	kv_get(text, "domain", nc->domain, sizeof(nc->domain));
	return 0;
}

static int dhcp(struct boot *b)
{
	const struct retry *r = &b->o.dhcp_retry;
	char bb[BOOT_PATH], script[BOOT_PATH], run[BOOT_PATH], lease[BOOT_PATH], log[BOOT_PATH];
	char env_run[BOOT_PATH + 16], text[4096];
	char *argv[] = { bb, "udhcpc", "-i", b->net.ifname, "-f", "-q", "-n", "-t", "3", "-T", "2",
	                 "-A", "1", "-s", script, "-O", "ntpsrv", NULL };
	char *envp[] = { env_run, "PATH=/usr/bin:/bin:/usr/sbin:/sbin", NULL };
	long long start = now_ms();
	int attempt, rc = 0;

	if (rpath(b, bb, sizeof(bb), "/bin/busybox") ||
	    rpath(b, script, sizeof(script), "/usr/share/udhcpc/default.script") ||
	    rpath(b, run, sizeof(run), "/run/nbinit") ||
	    fmt_path(lease, sizeof(lease), "%s/dhcp.%s", run, b->net.ifname) ||
	    fmt_path(log, sizeof(log), "%s/udhcpc.log", run) ||
	    fmt_path(env_run, sizeof(env_run), "NBINIT_RUN=%s", run))
		return boot_fail(b, -ENAMETOOLONG, "net: path too long");
	mkdir_p(run, 0755);
	unlink(lease);
	for (attempt = 1; attempt <= r->attempts; attempt++) {
		/* udhcpc sends 3 discovers 2 s apart; 10 s covers it and the request. */
		long long t0 = now_ms();
		rc = run_wait(argv, envp, b->o.debug ? NULL : log, 10000);
		tl_wait("dhcp", b->net.ifname, t0, now_ms());
		if (rc == 0 && file_read_str(lease, text, sizeof(text)) > 0) {
			if (read_lease(b, text))
				return boot_fail(b, -EBADMSG, "net: DHCP on %s: lease in %s has no address", b->net.ifname, lease);
			strcpy(b->net.method, "dhcp");
			return 0;
		}
		if (rc == 127)
			return boot_fail(b, -ENOENT, "net: DHCP on %s: cannot run %s udhcpc", b->net.ifname, bb);
		if (attempt < r->attempts) {
			int d = retry_delay_ms(r, attempt, &b->seed);
			log_info("net: DHCP on %s: no lease yet (try %d of %d), retrying in %d.%d s",
			         b->net.ifname, attempt, r->attempts, d / 1000, d % 1000 / 100);
			sleep_ms(d);
		}
	}
	return boot_fail(b, -ETIMEDOUT, "net: DHCP on %s: no lease after %d tries in %lld s",
	                 b->net.ifname, r->attempts, (now_ms() - start) / 1000);
}

static void static_conf(struct boot *b)
{
	const struct ipconf *ic = &b->o.ip;
	struct netconf *nc = &b->net;
	int i;

	nc->addr = ic->client;
	nc->mask = ic->netmask;
	nc->gw = ic->gw;
	nc->next_server = ic->server;
	nc->ntp = ic->ntp;
	for (i = 0; i < 2; i++)
		if (ic->dns[i].s_addr)
			nc->dns[nc->ndns++] = ic->dns[i];
	snprintf(nc->hostname, sizeof(nc->hostname), "%s", ic->hostname);
	strcpy(nc->method, "static");
}

static int write_resolv(struct boot *b)
{
	struct netconf *nc = &b->net;
	char path[BOOT_PATH], text[1024], a[INET_ADDRSTRLEN];
	size_t len = 0;
	int i;

	if (!nc->ndns && !nc->domain[0])
		return 0;
	if (rpath(b, path, sizeof(path), "/etc"))
		return -ENAMETOOLONG;
	mkdir_p(path, 0755);
	if (nc->domain[0])
		len += (size_t)snprintf(text + len, sizeof(text) - len, "search %s\n", nc->domain);
	for (i = 0; i < nc->ndns && len < sizeof(text); i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "nameserver %s\n",
		                        inet_ntop(AF_INET, &nc->dns[i], a, sizeof(a)));
	if (len >= sizeof(text) || rpath(b, path, sizeof(path), "/etc/resolv.conf"))
		return -ENOSPC;
	return file_write(path, text, len, 0644);
}

/* KEY='value' record of the network for the later phases and the new root. */
static int write_state(struct boot *b)
{
	struct netconf *nc = &b->net;
	char path[BOOT_PATH], text[2048], a[INET_ADDRSTRLEN], dns[64 * 3] = "";
	size_t len = 0;
	int i, err = 0, prefix = ipconf_prefixlen(nc->mask);
	char pfx[8];

	for (i = 0; i < nc->ndns; i++) {
		size_t l = strlen(dns);
		snprintf(dns + l, sizeof(dns) - l, "%s%s", i ? " " : "", inet_ntop(AF_INET, &nc->dns[i], a, sizeof(a)));
	}
	snprintf(pfx, sizeof(pfx), "%d", prefix < 0 ? 0 : prefix);
	text[0] = '\0';
	err |= kv_append(text, sizeof(text), &len, "METHOD", nc->method);
	err |= kv_append(text, sizeof(text), &len, "IFACE", nc->ifname);
	err |= kv_append(text, sizeof(text), &len, "MAC", nc->mac);
	err |= kv_append(text, sizeof(text), &len, "ADDRESS", inet_ntop(AF_INET, &nc->addr, a, sizeof(a)));
	err |= kv_append(text, sizeof(text), &len, "NETMASK", inet_ntop(AF_INET, &nc->mask, a, sizeof(a)));
	err |= kv_append(text, sizeof(text), &len, "PREFIX", pfx);
	err |= kv_append(text, sizeof(text), &len, "GATEWAY", nc->gw.s_addr ? inet_ntop(AF_INET, &nc->gw, a, sizeof(a)) : "");
	err |= kv_append(text, sizeof(text), &len, "DNS", dns);
	err |= kv_append(text, sizeof(text), &len, "NEXT_SERVER", nc->next_server.s_addr ? inet_ntop(AF_INET, &nc->next_server, a, sizeof(a)) : "");
	err |= kv_append(text, sizeof(text), &len, "NTP", nc->ntp.s_addr ? inet_ntop(AF_INET, &nc->ntp, a, sizeof(a)) : "");
	err |= kv_append(text, sizeof(text), &len, "HOSTNAME", nc->hostname);
	err |= kv_append(text, sizeof(text), &len, "DOMAIN", nc->domain);
	if (err)
		return -ENOSPC;
	if (rpath(b, path, sizeof(path), "/run/nbinit"))
		return -ENAMETOOLONG;
	mkdir_p(path, 0755);
	if (rpath(b, path, sizeof(path), "/run/nbinit/net"))
		return -ENAMETOOLONG;
	return file_write(path, text, len, 0644);
}

int net_up(struct boot *b)
{
	struct netconf *nc = &b->net;
	enum ipconf_mode mode = b->o.ip_given ? b->o.ip.mode : IPCONF_DHCP;
	struct iface_req req = {
		.device = b->o.ip.device,
		.bootif = b->o.bootif,
		.link_wait_ms = b->o.link_wait_ms,
		.bring_up = true,
	};
	long long start = now_ms();
	char why[512], p[BOOT_PATH], a[INET_ADDRSTRLEN], g[INET_ADDRSTRLEN];
	const char *what = "";
	int err;

	if (!b->net_needed || mode == IPCONF_OFF)
		return 0;
	if (mode == IPCONF_UNSET)
		mode = IPCONF_DHCP;
	loopback_up();
	err = iface_choose(b->root, &req, nc->ifname, why, sizeof(why));
	tl_wait("carrier", "(choosing the interface)", start, now_ms());
	if (err)
		return boot_fail(b, err, "net: %s", why);
	if (fmt_path(p, sizeof(p), "%s/sys/class/net/%s/address", b->root, nc->ifname) == 0)
		file_read_str(p, nc->mac, sizeof(nc->mac));
	/* Machines that power on together draw different jitter. */
	for (const char *m = nc->mac; *m; m++)
		b->seed = b->seed * 31u + (unsigned char)*m;
	iface_set_up(nc->ifname);
	wait_carrier(b, nc->ifname, b->o.link_wait_ms - (long)(now_ms() - start));
	log_info("net: using %s (%s)%s", nc->ifname, nc->mac, b->o.bootif[0] ? " chosen by BOOTIF" : "");

	if (mode == IPCONF_DHCP) {
		if ((err = dhcp(b)))
			return err;
	} else {
		static_conf(b);
	}
	err = apply_addr(nc->ifname, nc->addr, nc->mask, nc->gw, &what);
	if (err)
		return boot_fail(b, err, "net: %s: %s %s: %s", nc->ifname, what,
		                 inet_ntop(AF_INET, &nc->addr, a, sizeof(a)), strerror(-err));
	if (nc->hostname[0] && b->pid1 && sethostname(nc->hostname, strlen(nc->hostname)) < 0)
		log_warn("net: hostname %s: %s", nc->hostname, strerror(errno));
	if ((err = write_resolv(b)))
		log_warn("net: /etc/resolv.conf: %s", strerror(-err));
	if ((err = write_state(b)))
		log_warn("net: /run/nbinit/net: %s", strerror(-err));
	b->net_up = true;
	log_info("net: %s %s/%d gateway %s (%s) in %lld ms", nc->ifname,
	         inet_ntop(AF_INET, &nc->addr, a, sizeof(a)), ipconf_prefixlen(nc->mask),
	         nc->gw.s_addr ? inet_ntop(AF_INET, &nc->gw, g, sizeof(g)) : "none", nc->method,
	         now_ms() - start);
	return 0;
}
