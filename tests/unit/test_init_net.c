/* init/dhcp.c (net_up with DHCP) with the real busybox udhcpc against busybox udhcpd over
 * a veth pair, in a network and mount namespace of this test's own (nothing
 * of the host's network is touched; all goes with the process). The init is
 * udhcpc's event script through the link it makes under /run/nbinit: here
 * the link leads to this program, which then acts as the script. Checked:
 * the lease reaches the boot's network settings without any
 * /usr/share/udhcpc/default.script, and a script that writes no lease is
 * named as the cause instead of "no lease". Needs root (namespaces) and a
 * static busybox; skipped otherwise. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "boot.h"
#include "fileio.h"
#include "tap.h"

static char root[] = "/tmp/test_init_net.XXXXXX";

/* As udhcpc's script: fail without a word when the test asks for that. */
static int as_script(int argc, char **argv)
{
	const char *run = getenv("NBINIT_RUN");
	char marker[BOOT_PATH];

	snprintf(marker, sizeof(marker), "%s/fail-script", run ? run : "/nonexistent");
	if (access(marker, F_OK) == 0)
		return 1;
	return dhcp_script_main(argc, argv);
}

static int net_once(struct boot *b, const char *cmdline)
{
	memset(b, 0, sizeof(*b));
	b->root = root;
	b->phase = "net";
	b->seed = 1;
	if (options_parse_text(b, cmdline))
		return -EINVAL;
	return net_up(b);
}

int main(int argc, char **argv)
{
	const char *base = strrchr(argv[0], '/');
	static struct boot b;
	char p[512], link[512], a[INET_ADDRSTRLEN];
	pid_t server;
	ssize_t n;
	int err;

	base = base ? base + 1 : argv[0];
	if (!strcmp(base, DHCP_SCRIPT_NAME))
		return as_script(argc, argv);

	if (geteuid() != 0 || access("/bin/busybox", X_OK) != 0 ||
	    sh("PATH=$PATH:/sbin:/usr/sbin; command -v ip >/dev/null") != 0) {
		printf("1..0 # SKIP needs root, /bin/busybox (busybox-static) and ip (iproute2)\n");
		return 0;
	}
	if (unshare(CLONE_NEWNET | CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		printf("1..0 # SKIP no network and mount namespace here: %s\n", strerror(errno));
		return 0;
	}
	if (!mkdtemp(root))
		return 1;
	if (sh("mkdir -p %s/sys %s/bin %s/run %s/etc && ln -s /bin/busybox %s/bin/busybox", root, root, root, root, root) ||
	    (snprintf(p, sizeof(p), "%s/sys", root), mount("sysfs", p, "sysfs", 0, NULL) < 0)) {
		ok(0, "fixture root %s with its own sysfs", root);
		return done_testing();
	}
	ok(sh("PATH=$PATH:/sbin:/usr/sbin; ip link set lo up && ip link add nbv0 type veth peer name nbv1 &&"
	      " ip addr add 10.9.0.1/24 dev nbv1 && ip link set nbv1 up") == 0,
	   "a veth pair nbv0/nbv1 in the test's own network namespace");
	snprintf(p, sizeof(p), "%s/udhcpd.conf", root);
	{
		char conf[512];
		snprintf(conf, sizeof(conf), "start 10.9.0.10\nend 10.9.0.20\ninterface nbv1\nlease_file %s/leases\n"
		         "pidfile %s/udhcpd.pid\noption subnet 255.255.255.0\noption router 10.9.0.254\n", root, root);
		file_write(p, conf, strlen(conf), 0644);
	}
	server = fork();
	if (server == 0) {
		int fd = open("/dev/null", O_WRONLY);
		dup2(fd, 1);
		dup2(fd, 2);
		execl("/bin/busybox", "udhcpd", "-f", p, (char *)NULL);
		_exit(127);
	}

	err = net_once(&b, "ip=:::::nbv0:dhcp nbinit.dhcp_tries=2 nbinit.link_wait=5 quiet");
	ok(err == 0 && !strcmp(b.net.ifname, "nbv0") && (ntohl(b.net.addr.s_addr) >> 8) == 0x0a0900,
	   "DHCP with udhcpc -s the init: a lease on %s, address %s (%s)", b.net.ifname,
	   inet_ntop(AF_INET, &b.net.addr, a, sizeof(a)), err ? b.why : "ok");
	snprintf(p, sizeof(p), "%s/run/nbinit/%s", root, DHCP_SCRIPT_NAME);
	n = readlink(p, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = '\0';
	ok(n > 0 && !strcmp(link + strlen(link) - strlen("test_init_net"), "test_init_net"),
	   "the script given to udhcpc is a link to the running program (%s -> %s)", p, link);
	snprintf(p, sizeof(p), "%s/usr/share/udhcpc/default.script", root);
	ok(access(p, F_OK) != 0, "no default.script was needed");

	snprintf(p, sizeof(p), "%s/run/nbinit/fail-script", root);
	file_write(p, "", 0, 0644);
	err = net_once(&b, "ip=:::::nbv0:dhcp nbinit.dhcp_tries=2 nbinit.link_wait=5 quiet");
	ok(err < 0 && strstr(b.why, "net: DHCP on nbv0: udhcpc got a lease but its event script ") &&
	   strstr(b.why, "/run/nbinit/udhcpc.script wrote none"),
	   "a script that writes no lease is named as the cause: %s", b.why);

	kill(server, SIGTERM);
	waitpid(server, NULL, 0);
	snprintf(p, sizeof(p), "%s/sys", root);
	umount2(p, MNT_DETACH);
	sh("rm -rf %s", root);
	return done_testing();
}
