/* udhcpc's event script. The pxerd links /usr/share/udhcpc/default.script to
 * /init, so no shell is needed: on "bound" and "renew" the lease that udhcpc
 * passes in its environment is written as KEY='value' lines to
 * $NBINIT_RUN/dhcp.$interface for the init to apply. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot.h"
#include "fileio.h"

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
