/* Phase 3: the network, when an option needs it. The candidate interfaces
 * (the named one, or every physical one) were set up as soon as their
 * drivers were bound (net_link_start, from the modules phase), so their links
 * negotiate while the other modules load. DHCP runs busybox udhcpc on every
 * candidate as soon as it has carrier, all at once, and the first lease
 * wins (retries as data); a static ip= waits for carrier on its interface.
 * Then address, netmask, default route, hostname and DNS are applied. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "boot.h"
#include "fileio.h"
#include "names.h"

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

/* KEY of the lease TEXT into NAME (SIZE bytes) only if it is a DNS name
 * of at most MAX bytes (< SIZE): what a DHCP server sends reaches
 * sethostname and resolv.conf. */
static void lease_name(const char *text, const char *key, char *name, size_t size, size_t max,
                       const char *what)
{
	static char v[1024];
	char shown[96];
	int err;

	memset(v, 0, sizeof(v));	/* kv_get leaves a value too long unterminated */
	err = kv_get(text, key, v, sizeof(v));
	name[0] = '\0';
	if (err == -ENOENT || (!err && !v[0]))
		return;
	if (!err && !name_dns_check(v, max)) {
		memcpy(name, v, strlen(v) + 1);
		return;
	}
	log_warn("net: DHCP %s '%s%s' is not a valid DNS name (RFC 1123, at most %zu bytes); ignored",
	         what, name_shown(shown, sizeof(shown), v), err ? "..." : "", max);
}

int lease_read(struct boot *b, const char *text)
{
	struct netconf *nc = &b->net;
	char v[512], *tok, *save = NULL;

	/* A lease replaces what an earlier, unusable one may have left. */
	nc->addr.s_addr = nc->mask.s_addr = nc->gw.s_addr = nc->next_server.s_addr = nc->ntp.s_addr = 0;
	nc->ndns = 0;
	nc->domain[0] = '\0';
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
		lease_name(text, "hostname", nc->hostname, sizeof(nc->hostname), 64, "host name");
	lease_name(text, "domain", nc->domain, sizeof(nc->domain), 253, "domain");
	return 0;
}

#define MAX_CANDS 16

/* One udhcpc per candidate interface. */
struct dhcp_run {
	char ifname[IF_NAMESIZE];
	pid_t pid;                 /* 0: not started (this try) */
	int pidfd;                 /* -1: none (old kernel: polled) */
	bool done;
	long long kill_at;
};

struct dhcp_race {
	struct dhcp_run r[MAX_CANDS];
	int n;
	char bb[BOOT_PATH], script[BOOT_PATH], run[BOOT_PATH], log[BOOT_PATH];
	char env_run[BOOT_PATH + 16];
	bool to_console;
	bool script_failed;        /* udhcpc got a lease, its script wrote none */
};

/* udhcpc's event script is the init itself, through a link named
 * DHCP_SCRIPT_NAME at PATH (main() dispatches on the name): nothing depends
 * on a distribution's default.script or on a shell in the initrd.
 * Returns 0 or -errno. */
static int script_link(const char *path)
{
	char self[BOOT_PATH];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n < 0)
		return -errno;
	if ((size_t)n >= sizeof(self) - 1)
		return -ENAMETOOLONG;
	self[n] = '\0';
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	return symlink(self, path) < 0 ? -errno : 0;
}

/* Start udhcpc on R->ifname, its output appended to the log (or the
 * console). Returns 0 or -errno. */
static int udhcpc_start(struct dhcp_race *d, struct dhcp_run *r)
{
	char *argv[] = { d->bb, "udhcpc", "-i", r->ifname, "-f", "-q", "-n", "-t", "3", "-T", "2",
	                 "-A", "1", "-s", d->script, "-O", "ntpsrv", NULL };
	char *envp[] = { d->env_run, "PATH=/usr/bin:/bin:/usr/sbin:/sbin", NULL };
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (!d->to_console) {
			int fd = open(d->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
			if (fd >= 0) {
				dup2(fd, STDOUT_FILENO);
				dup2(fd, STDERR_FILENO);
			}
		}
		execve(argv[0], argv, envp);
		_exit(127);
	}
	r->pid = pid;
	r->done = false;
	r->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	/* udhcpc sends 3 discovers 2 s apart; 10 s covers it and the request. */
	r->kill_at = mono_ms() + 10000;
	return 0;
}

static void udhcpc_end(struct dhcp_run *r, bool kill_it)
{
	if (r->pid > 0) {
		if (kill_it)
			kill(r->pid, SIGKILL);
		while (waitpid(r->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (r->pidfd >= 0)
		close(r->pidfd);
	r->pid = 0;
	r->pidfd = -1;
	r->done = true;
}

/* One try: udhcpc on every candidate, each started as soon as it has
 * carrier (or at LINK_DEADLINE with none); the first lease wins and the
 * others are killed. Returns the winner's index, -ENOENT when busybox
 * cannot be run, or -EAGAIN when no candidate got a lease. */
static int dhcp_try(struct boot *b, struct dhcp_race *d, long long link_deadline, long long *first_start)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
	char lease[BOOT_PATH + IF_NAMESIZE + 8], text[4096], nlbuf[8192];
	int i, nl, won = -EAGAIN;

	nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
	if (nl >= 0 && bind(nl, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(nl);
		nl = -1;
	}
	for (i = 0; i < d->n; i++) {
		d->r[i].pid = 0;
		d->r[i].pidfd = -1;
		d->r[i].done = false;
	}
	for (;;) {
		struct pollfd pfd[MAX_CANDS + 1];
		long long now = mono_ms(), next = now + 60000;
		bool late = now >= link_deadline;
		int np = 0, pending = 0;

		/* Start udhcpc where the link is up (sysfs read after subscribing). */
		for (i = 0; i < d->n; i++) {
			struct dhcp_run *r = &d->r[i];
			char one[1][IF_NAMESIZE];

			if (r->pid || r->done)
				continue;
			memcpy(one[0], r->ifname, IF_NAMESIZE);
			if (carrier_wait(b->root, one, 1, 0) < 0) {
				if (!late) {
					pending++;
					continue;
				}
				if (link_deadline)
					log_warn("net: %s: no carrier after %d s; trying DHCP anyway", r->ifname,
					         b->o.link_wait_ms / 1000);
			}
			if (udhcpc_start(d, r)) {
				r->done = true;
				continue;
			}
			if (!*first_start)
				*first_start = mono_ms();
		}
		for (i = 0; i < d->n; i++) {
			struct dhcp_run *r = &d->r[i];
			int status;
			pid_t w;

			if (!r->pid)
				continue;
			w = waitpid(r->pid, &status, WNOHANG);
			if (w == r->pid) {
				r->pid = 0;
				udhcpc_end(r, false);
				if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
					won = -ENOENT;
					goto out;
				}
				if (WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
				    !fmt_path(lease, sizeof(lease), "%s/dhcp.%s", d->run, r->ifname)) {
					/* With -q udhcpc exits 0 only after "bound" ran the script. */
					if (file_read_str(lease, text, sizeof(text)) <= 0)
						d->script_failed = true;
					else if (!lease_read(b, text)) {
						won = i;
						goto out;
					}
				}
				continue;
			}
			if (mono_ms() >= r->kill_at) {
				udhcpc_end(r, true);
				continue;
			}
			if (r->kill_at < next)
				next = r->kill_at;
			if (r->pidfd >= 0)
				pfd[np++] = (struct pollfd){ .fd = r->pidfd, .events = POLLIN };
			else if (now + 50 < next)
				next = now + 50;   /* no pidfd (before Linux 5.3): look again soon */
		}
		{
			bool running = false;
			for (i = 0; i < d->n; i++)
				running |= d->r[i].pid > 0;
			if (!running && !pending)
				break;   /* every candidate had its run this try */
		}
		if (pending) {
			if (link_deadline < next)
				next = link_deadline;
			if (nl >= 0)
				pfd[np++] = (struct pollfd){ .fd = nl, .events = POLLIN };
			else if (now + 25 < next)
				next = now + 25;   /* no netlink: look at carrier again soon */
		}
		now = mono_ms();
		if (poll(pfd, (nfds_t)np, next > now ? (int)(next - now) : 0) > 0 && nl >= 0)
			while (recv(nl, nlbuf, sizeof(nlbuf), MSG_DONTWAIT) > 0)
				;
	}
out:
	for (i = 0; i < d->n; i++)
		if (d->r[i].pid)
			udhcpc_end(&d->r[i], true);   /* the losers */
	if (nl >= 0)
		close(nl);
	return won;
}

/* DHCP on the candidates NAMES[0..N) at once (retries as data); the first
 * lease wins and names b->net.ifname. Returns 0 or the failure (reported). */
static int dhcp(struct boot *b, char names[][IF_NAMESIZE], int n, long long link_deadline)
{
	const struct retry *rt = &b->o.dhcp_retry;
	static struct dhcp_race d;
	char all[MAX_CANDS * (IF_NAMESIZE + 2)] = "";
	long long start = mono_ms();
	int attempt, i, won, err;

	memset(&d, 0, sizeof(d));
	if (rpath(b, d.bb, sizeof(d.bb), "/bin/busybox") ||
	    rpath(b, d.script, sizeof(d.script), "/run/nbinit/" DHCP_SCRIPT_NAME) ||
	    rpath(b, d.run, sizeof(d.run), "/run/nbinit") ||
	    fmt_path(d.log, sizeof(d.log), "%s/udhcpc.log", d.run) ||
	    fmt_path(d.env_run, sizeof(d.env_run), "NBINIT_RUN=%s", d.run))
		return boot_fail(b, -ENAMETOOLONG, "path too long");
	d.to_console = b->o.debug;
	mkdir_p(d.run, 0755);
	if ((err = script_link(d.script)))
		return boot_fail(b, err, "%s: cannot link udhcpc's event script to the init: %s",
		                 d.script, strerror(-err));
	for (i = 0; i < n && i < MAX_CANDS; i++) {
		char lease[BOOT_PATH + IF_NAMESIZE + 8];
		size_t l = strlen(all);

		snprintf(d.r[i].ifname, IF_NAMESIZE, "%s", names[i]);
		snprintf(all + l, sizeof(all) - l, "%s%s", l ? ", " : "", names[i]);
		if (!fmt_path(lease, sizeof(lease), "%s/dhcp.%s", d.run, names[i]))
			unlink(lease);
	}
	d.n = i;
	for (attempt = 1; attempt <= rt->attempts; attempt++) {
		long long t0 = mono_ms(), first = 0;

		won = dhcp_try(b, &d, attempt == 1 ? link_deadline : 0, &first);
		if (attempt == 1) {
			if (!first)
				first = mono_ms();
			tl_wait("carrier", all, t0, first);
			t0 = first;
		}
		if (won >= 0) {
			snprintf(b->net.ifname, IF_NAMESIZE, "%s", d.r[won].ifname);
			tl_wait("dhcp", b->net.ifname, t0, mono_ms());
			strcpy(b->net.method, "dhcp");
			if (d.n > 1)
				log_info("net: %s got the first lease (DHCP on %s)", b->net.ifname, all);
			return 0;
		}
		tl_wait("dhcp", all, t0, mono_ms());
		if (won == -ENOENT)
			return boot_fail(b, -ENOENT, "DHCP on %s: cannot run %s udhcpc", all, d.bb);
		if (d.script_failed)
			return boot_fail(b, -EIO, "DHCP on %s: udhcpc got a lease but its event script %s "
			                 "wrote none (%s)", all, d.script, d.to_console ? "see above" : d.log);
		if (attempt < rt->attempts) {
			int ms = retry_delay_ms(rt, attempt, &b->seed);
			long long s0 = mono_ms();
			log_info("net: DHCP on %s: no lease yet (try %d of %d), retrying in %d.%d s",
			         all, attempt, rt->attempts, ms / 1000, ms % 1000 / 100);
			sleep_ms(ms);
			tl_wait("dhcp", "(backoff)", s0, mono_ms());
		}
	}
	return boot_fail(b, -ETIMEDOUT, "DHCP on %s: no lease after %d tries in %lld s",
	                 all, rt->attempts, (mono_ms() - start) / 1000);
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
		.bring_up = true,
	};
	char c[MAX_CANDS][IF_NAMESIZE], why[512];
	bool named;
	int n, i;

	if (!b->net_needed || mode == IPCONF_OFF)
		return;
	n = iface_candidates(b->root, &req, c, MAX_CANDS, &named, why, sizeof(why));
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
		.bring_up = true,
	};
	long long start = mono_ms(), link_deadline = start + b->o.link_wait_ms;
	char why[512], p[BOOT_PATH], a[INET_ADDRSTRLEN], g[INET_ADDRSTRLEN];
	char c[MAX_CANDS][IF_NAMESIZE], mac[18];
	const char *what = "";
	bool named;
	int err, n, i;

	if (!b->net_needed || mode == IPCONF_OFF)
		return 0;
	if (mode == IPCONF_UNSET)
		mode = IPCONF_DHCP;
	loopback_up();
	n = iface_candidates(b->root, &req, c, MAX_CANDS, &named, why, sizeof(why));
	if (n < 0)
		return boot_fail(b, n, "%s", why);
	if (!named && b->o.bootif[0]) {
		char all[MAX_CANDS * (IF_NAMESIZE + 2)] = "";
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
		if ((err = dhcp(b, c, n, link_deadline)))
			return err;
	} else {
		i = 0;
		if (!named && n > 1) {
			long long t0 = mono_ms();
			i = carrier_wait(b->root, c, n, (long)(link_deadline - t0));
			tl_wait("carrier", "(choosing the interface)", t0, mono_ms());
			if (i < 0) {
				log_warn("net: no carrier on any interface within %d s; trying %s",
				         b->o.link_wait_ms / 1000, c[0]);
				i = 0;
			}
		}
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
