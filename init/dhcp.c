/* DHCP for the net phase: busybox udhcpc on every candidate interface at
 * once, the first lease wins (retries as data). udhcpc's event script is
 * the init itself (main() dispatches on its name to dhcp_script_main),
 * which writes the lease udhcpc hands over in its environment as
 * KEY='value' lines to /run/nbinit/dhcp.IFACE; lease_read reads it back
 * into b->net, dropping a host name or domain that is not a DNS name. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "boot.h"
#include "fileio.h"
#include "names.h"

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


/* One udhcpc per candidate interface. */
struct dhcp_run {
	char ifname[IF_NAMESIZE];
	pid_t pid;                 /* 0: not started (this try) */
	int pidfd;                 /* -1: none (old kernel: polled) */
	bool done;
	long long kill_at;
};

struct dhcp_race {
	struct dhcp_run r[NET_MAX_CANDS];
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
		struct pollfd pfd[NET_MAX_CANDS + 1];
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
int dhcp_lease(struct boot *b, char names[][IF_NAMESIZE], int n, long long link_deadline)
{
	const struct retry *rt = &b->o.dhcp_retry;
	static struct dhcp_race d;
	char all[NET_MAX_CANDS * (IF_NAMESIZE + 2)] = "";
	long long start = mono_ms();
	int attempt, i, won, err;

	memset(&d, 0, sizeof(d));
	if (rpath(b, d.bb, sizeof(d.bb), "/bin/busybox") ||
	    rpath(b, d.script, sizeof(d.script), "/run/nbinit/" DHCP_SCRIPT_NAME) ||
	    rpath(b, d.run, sizeof(d.run), "/run/nbinit") ||
	    fmt_path(d.log, sizeof(d.log), "%s/udhcpc.log", d.run) ||
	    fmt_path(d.env_run, sizeof(d.env_run), "NBINIT_RUN=%s", d.run))
		return boot_fail(b, -ENAMETOOLONG, "/run/nbinit: path too long");
	d.to_console = b->o.debug;
	mkdir_p(d.run, 0755);
	if ((err = script_link(d.script)))
		return boot_fail(b, err, "%s: cannot link udhcpc's event script to the init: %s",
		                 d.script, strerror(-err));
	for (i = 0; i < n && i < NET_MAX_CANDS; i++) {
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
			char say[64];

			log_info("net: DHCP on %s: no lease yet %s", all, retry_say(say, sizeof(say), rt, attempt, ms));
			sleep_ms(ms);
			tl_wait("dhcp", "(backoff)", s0, mono_ms());
		}
	}
	return boot_fail(b, -ETIMEDOUT, "DHCP on %s: no lease after %d tries in %lld s",
	                 all, rt->attempts, (mono_ms() - start) / 1000);
}


/* udhcpc's event script (the init run through a link named DHCP_SCRIPT_NAME,
 * or default.script, mkpxerd's link): on "bound" and "renew" the lease
 * udhcpc passes in its environment is written as KEY='value' lines to
 * $NBINIT_RUN/dhcp.$interface for the init to apply; no shell needed. */
static const char *const lease_keys[] = {
	"interface", "ip", "subnet", "mask", "router", "dns", "hostname", "domain",
	"siaddr", "serverid", "ntpsrv", "lease", "boot_file", "broadcast", NULL,
};

int dhcp_script_main(int argc, char **argv)
{
	const char *event = argc > 1 ? argv[1] : "";
	const char *dir = getenv("NBINIT_RUN");
	const char *ifname = getenv("interface");
	char text[4096], path[BOOT_PATH];
	size_t len = 0;
	int i, err;

	if (strcmp(event, "bound") && strcmp(event, "renew"))
		return 0;   /* deconfig, leasefail, nak: the init decides what to do */
	if (!dir)
		dir = "/run/nbinit";
	if (!ifname || !*ifname || strchr(ifname, '/')) {
		fprintf(stderr, "nbinit: dhcp script: no interface in the environment\n");
		return 1;
	}
	text[0] = '\0';
	for (i = 0; lease_keys[i]; i++) {
		const char *v = getenv(lease_keys[i]);
		if (v && kv_append(text, sizeof(text), &len, lease_keys[i], v)) {
			fprintf(stderr, "nbinit: dhcp script: lease too large\n");
			return 1;
		}
	}
	if (fmt_path(path, sizeof(path), "%s/dhcp.%s", dir, ifname))
		return 1;
	err = file_write(path, text, len, 0644);
	if (err) {
		fprintf(stderr, "nbinit: dhcp script: %s: %s\n", path, strerror(-err));
		return 1;
	}
	return 0;
}
