/* Choosing the boot interface, as Alpine does: the ip= device; else the
 * interface whose MAC is BOOTIF; else every physical interface is a
 * candidate (iface_candidates: net.c runs DHCP on all of them at once;
 * for a static ip= iface_pick takes the first with carrier within the link
 * wait, else the first one). Reads only ROOT/sys/class/net so tests run it
 * on a fixture tree. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot.h"
#include "fileio.h"

#define MAX_IFACES 32

struct cand {
	char name[IF_NAMESIZE];
	long ifindex;
	bool physical;
};

static int by_index(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->ifindex != y->ifindex)
		return x->ifindex < y->ifindex ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int list_ifaces(const char *root, struct cand *c, int max)
{
	char dir[BOOT_PATH], p[BOOT_PATH + 64], buf[32];
	struct dirent *de;
	struct stat st;
	int n = 0;
	DIR *d;

	if (fmt_path(dir, sizeof(dir), "%s/sys/class/net", root) || !(d = opendir(dir)))
		return -errno ? -errno : -ENOENT;
	while ((de = readdir(d)) && n < max) {
		if (de->d_name[0] == '.' || strlen(de->d_name) >= IF_NAMESIZE)
			continue;
		snprintf(c[n].name, IF_NAMESIZE, "%s", de->d_name);
		snprintf(p, sizeof(p), "%s/%s/ifindex", dir, de->d_name);
		c[n].ifindex = file_read_str(p, buf, sizeof(buf)) > 0 ? strtol(buf, NULL, 10) : 1000 + n;
		/* Physical interfaces have a device behind them (PCI, USB, virtio). */
		snprintf(p, sizeof(p), "%s/%s/device", dir, de->d_name);
		c[n].physical = stat(p, &st) == 0;
		n++;
	}
	closedir(d);
	qsort(c, (size_t)n, sizeof(*c), by_index);
	return n;
}

static bool has_carrier(const char *root, const char *ifname)
{
	char p[BOOT_PATH], buf[8];

	if (fmt_path(p, sizeof(p), "%s/sys/class/net/%s/carrier", root, ifname))
		return false;
	return file_read_str(p, buf, sizeof(buf)) > 0 && buf[0] == '1';
}

/* Index of the first of NAMES[0..N) with carrier, waiting up to WAIT_MS.
 * Link changes arrive as netlink events (no polling); sysfs is read after
 * subscribing so no change can slip between. Returns the index or -1. */
int carrier_wait(const char *root, char names[][IF_NAMESIZE], int n, long wait_ms)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
	long long deadline = mono_ms() + wait_ms;
	char buf[8192];
	int nl, i;

	nl = wait_ms > 0 ? socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE) : -1;
	if (nl >= 0 && bind(nl, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(nl);
		nl = -1;
	}
	for (;;) {
		long left;

		for (i = 0; i < n; i++)
			if (has_carrier(root, names[i]))
				goto out;
		left = (long)(deadline - mono_ms());
		if (left <= 0) {
			i = -1;
			goto out;
		}
		if (nl >= 0) {
			struct pollfd p = { .fd = nl, .events = POLLIN };
			if (poll(&p, 1, (int)left) > 0 && recv(nl, buf, sizeof(buf), MSG_DONTWAIT) < 0 && errno != EAGAIN)
				sleep_ms(left > 25 ? 25 : left);
		} else {
			sleep_ms(left > 25 ? 25 : left);  /* no netlink (tests, odd kernels) */
		}
	}
out:
	if (nl >= 0)
		close(nl);
	return i;
}

/* Set IFF_UP on IFNAME. Returns 0 or -errno. */
int iface_set_up(const char *ifname)
{
	struct ifreq ifr;
	int s, err = 0;

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, IF_NAMESIZE, "%s", ifname);
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		err = -errno;
	else if (!(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
			err = -errno;
	}
	close(s);
	return err;
}

int iface_candidates(const char *root, const struct iface_req *r, char out[][IF_NAMESIZE], int max,
                     bool *named, char *why, size_t whylen)
{
	struct cand c[MAX_IFACES];
	char names[256] = "";
	int n, i, nphys = 0;

	*named = false;
	n = list_ifaces(root, c, MAX_IFACES);
	if (n < 0) {
		snprintf(why, whylen, "%s/sys/class/net: %s", root, strerror(-n));
		return n;
	}
	for (i = 0; i < n; i++) {
		size_t l = strlen(names);
		snprintf(names + l, sizeof(names) - l, "%s%s", l ? ", " : "", c[i].name);
	}
	if (r->device && *r->device) {
		for (i = 0; i < n; i++)
			if (!strcmp(c[i].name, r->device))
				goto named;
		snprintf(why, whylen, "%s (from ip=): no such interface (found: %s)", r->device,
		         n ? names : "none");
		return -ENODEV;
	}
	if (r->bootif && *r->bootif) {
		for (i = 0; i < n; i++) {
			char p[BOOT_PATH], mac[32];
			if (fmt_path(p, sizeof(p), "%s/sys/class/net/%s/address", root, c[i].name))
				continue;
			if (file_read_str(p, mac, sizeof(mac)) > 0 && !strcasecmp(mac, r->bootif))
				goto named;
		}
	}
	/* Every physical interface, in kernel order. */
	for (i = 0; i < n && nphys < max; i++)
		if (c[i].physical)
			memcpy(out[nphys++], c[i].name, IF_NAMESIZE);
	if (nphys == 0) {
		snprintf(why, whylen, "no physical network interface (found: %s)", n ? names : "none");
		return -ENODEV;
	}
	return nphys;
named:
	*named = true;
	memcpy(out[0], c[i].name, IF_NAMESIZE);
	return 1;
}

int iface_pick(const char *root, const struct iface_req *r, char c[][IF_NAMESIZE], int n, bool named,
               long wait_ms)
{
	long long t0 = mono_ms();
	int i;

	if (named || n <= 1)
		return 0;
	i = carrier_wait(root, c, n, wait_ms);
	tl_wait("carrier", "(choosing the interface)", t0, mono_ms());
	if (i < 0) {
		log_warn("net: no carrier on any interface within %d s; trying %s", r->link_wait_ms / 1000, c[0]);
		i = 0;
	}
	return i;
}
