/* Phase 3: the network, when an option needs it. The candidate interfaces
 * (the named one, or every physical one) were set up as soon as their
 * drivers were bound (net_link_start, from the modules phase), so their links
 * negotiate while the other modules load. DHCP (dhcp.c) runs udhcpc on
 * every candidate as soon as it has carrier and the first lease wins; a
 * static ip= waits for carrier on its interface. Then address, netmask,
 * default route, hostname and DNS are applied. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
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

	long long t0 = mono_ms();
	int r;

	snprintf(one[0], IF_NAMESIZE, "%s", ifname);
	r = carrier_wait(b->root, one, 1, wait_ms);
	tl_wait("carrier", ifname, t0, mono_ms());
	if (r < 0)
		log_warn("net: %s: no carrier after %ld s; trying anyway", ifname, wait_ms / 1000);
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

/* QEMU's e1000 model receives nothing for a second after each write to its
 * receive control register, which Linux makes whenever a multicast group
 * is joined; IPv6 joins the solicited-node group of the link-local address
 * when carrier comes up, so the DHCP offer would wait that second. Joining
 * the group here, while the link is still down, moves the write to where
 * nothing is received anyway; at carrier the kernel only counts the group
 * again (harmless on any NIC: the group is joined seconds later anyway).
 * The link-local address is known only for addr_gen_mode 0 (EUI-64 from
 * the MAC). The membership lives as long as the socket: close-on-exec,
 * it ends at the switch to the new root, when IPv6 holds the group. */
static void ipv6_prejoin(struct boot *b, const char *ifname)
{
	static int s = -1;
	struct ipv6_mreq mr;
	char p[BOOT_PATH], v[32], *e;
	unsigned long m[6];
	int i, idx;

	/* sysfs and strtoul, not sscanf and if_nametoindex: in a static glibc
	 * those bring strtod and getifaddrs (140 KB). */
	if (!b->pid1 || fmt_path(p, sizeof(p), "%s/proc/sys/net/ipv6/conf/%s/addr_gen_mode", b->root, ifname) ||
	    file_read_str(p, v, sizeof(v)) <= 0 || atoi(v) != 0 ||
	    fmt_path(p, sizeof(p), "%s/proc/sys/net/ipv6/conf/%s/disable_ipv6", b->root, ifname) ||
	    file_read_str(p, v, sizeof(v)) <= 0 || atoi(v) != 0 ||
	    fmt_path(p, sizeof(p), "%s/sys/class/net/%s/ifindex", b->root, ifname) ||
	    file_read_str(p, v, sizeof(v)) <= 0 || (idx = atoi(v)) <= 0 ||
	    fmt_path(p, sizeof(p), "%s/sys/class/net/%s/address", b->root, ifname) ||
	    file_read_str(p, v, sizeof(v)) <= 0)
		return;
	for (i = 0, e = v; i < 6; i++, e++) {
		m[i] = strtoul(e, &e, 16);
		if (m[i] > 0xff || *e != (i < 5 ? ':' : '\0'))
			return;
	}
	memset(&mr, 0, sizeof(mr));
	mr.ipv6mr_interface = (unsigned)idx;
	/* ff02::1:ffXX:XXXX, the low 24 bits of the EUI-64 interface id */
	mr.ipv6mr_multiaddr.s6_addr[0] = 0xff;
	mr.ipv6mr_multiaddr.s6_addr[1] = 0x02;
	mr.ipv6mr_multiaddr.s6_addr[11] = 0x01;
	mr.ipv6mr_multiaddr.s6_addr[12] = 0xff;
	mr.ipv6mr_multiaddr.s6_addr[13] = (unsigned char)m[3];
	mr.ipv6mr_multiaddr.s6_addr[14] = (unsigned char)m[4];
	mr.ipv6mr_multiaddr.s6_addr[15] = (unsigned char)m[5];
	if (s < 0 && (s = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return;
	if (setsockopt(s, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &mr, sizeof(mr)) == 0)
		log_debug("net: %s: solicited-node group of its link-local address joined early", ifname);
}

void net_link_start(struct boot *b)
{
	enum ipconf_mode mode = b->o.ip_given ? b->o.ip.mode : IPCONF_DHCP;
	struct iface_req req = {
		.device = b->o.ip.device,
		.bootif = b->o.bootif,
	};
	char c[NET_MAX_CANDS][IF_NAMESIZE], why[512];
	bool named;
	int n, i;

	if (!b->net_needed || mode == IPCONF_OFF)
		return;
	n = iface_candidates(b->root, &req, c, NET_MAX_CANDS, &named, why, sizeof(why));
	for (i = 0; i < n; i++) {
		long long t0 = mono_ms();
		int err = iface_set_up(c[i]);

		/* Opening the device is its driver's work (rings, interrupts,
		 * the PHY): the kernel's time, like a module's probe. */
		tl_wait("ifup", c[i], t0, mono_ms());
		if (err == 0) {
			log_debug("net: %s set up; its link negotiates while modules load", c[i]);
			ipv6_prejoin(b, c[i]);
		}
	}
}

int net_up(struct boot *b)
{
	struct netconf *nc = &b->net;
	enum ipconf_mode mode = b->o.ip_given ? b->o.ip.mode : IPCONF_DHCP;
	struct iface_req req = {
		.device = b->o.ip.device,
		.bootif = b->o.bootif,
		.link_wait_ms = b->o.link_wait_ms,
	};
	long long start = mono_ms(), link_deadline = start + b->o.link_wait_ms;
	char why[512], p[BOOT_PATH], a[INET_ADDRSTRLEN], g[INET_ADDRSTRLEN];
	char c[NET_MAX_CANDS][IF_NAMESIZE], mac[18];
	const char *what = "";
	bool named;
	int err, n, i;

	if (!b->net_needed || mode == IPCONF_OFF)
		return 0;
	if (mode == IPCONF_UNSET)
		mode = IPCONF_DHCP;
	loopback_up();
	n = iface_candidates(b->root, &req, c, NET_MAX_CANDS, &named, why, sizeof(why));
	if (n < 0)
		return boot_fail(b, n, "%s", why);
	if (!named && b->o.bootif[0]) {
		char all[NET_MAX_CANDS * (IF_NAMESIZE + 2)] = "";
		for (i = 0; i < n; i++) {
			size_t l = strlen(all);
			snprintf(all + l, sizeof(all) - l, "%s%s", l ? ", " : "", c[i]);
		}
		log_warn("net: BOOTIF %s: no interface has this address; DHCP on %s", b->o.bootif, all);
	}
	for (i = 0; i < n; i++) {
		/* Machines that power on together draw different jitter. */
		if (fmt_path(p, sizeof(p), "%s/sys/class/net/%s/address", b->root, c[i]) == 0 &&
		    file_read_str(p, mac, sizeof(mac)) > 0)
			for (const char *m = mac; *m; m++)
				b->seed = b->seed * 31u + (unsigned char)*m;
		if ((err = iface_set_up(c[i])))
			log_warn("net: %s: cannot set it up: %s", c[i], strerror(-err));
		else
			ipv6_prejoin(b, c[i]);
	}

	if (mode == IPCONF_DHCP) {
		if (named)
			log_info("net: using %s%s", c[0], b->o.ip.device[0] ? "" : " chosen by BOOTIF");
		if ((err = dhcp_lease(b, c, n, link_deadline)))
			return err;
	} else {
		i = iface_pick(b->root, &req, c, n, named, (long)(link_deadline - mono_ms()));
		snprintf(nc->ifname, IF_NAMESIZE, "%s", c[i]);
		wait_carrier(b, nc->ifname, (long)(link_deadline - mono_ms()));
		log_info("net: using %s", nc->ifname);
		static_conf(b);
	}
	if (fmt_path(p, sizeof(p), "%s/sys/class/net/%s/address", b->root, nc->ifname) == 0)
		file_read_str(p, nc->mac, sizeof(nc->mac));
	err = apply_addr(nc->ifname, nc->addr, nc->mask, nc->gw, &what);
	if (err)
		return boot_fail(b, err, "%s: %s %s: %s", nc->ifname, what,
		                 inet_ntop(AF_INET, &nc->addr, a, sizeof(a)), strerror(-err));
	if (nc->hostname[0] && b->pid1 && sethostname(nc->hostname, strlen(nc->hostname)) < 0)
		log_warn("net: hostname %s: %s", nc->hostname, strerror(errno));
	if ((err = write_resolv(b)))
		log_warn("net: /etc/resolv.conf: %s", strerror(-err));
	if ((err = write_state(b)))
		log_warn("net: /run/nbinit/net: %s", strerror(-err));
	b->net_up = true;
	log_info("net: %s (%s) %s/%d gateway %s (%s) in %lld ms", nc->ifname, nc->mac,
	         inet_ntop(AF_INET, &nc->addr, a, sizeof(a)), ipconf_prefixlen(nc->mask),
	         nc->gw.s_addr ? inet_ntop(AF_INET, &nc->gw, g, sizeof(g)) : "none", nc->method,
	         mono_ms() - start);
	return 0;
}
