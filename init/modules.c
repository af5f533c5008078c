/* Phase 2: kernel modules from the initrd's /lib/modules/$(uname -r):
 * when the network is needed, the drivers of the network controllers first
 * (then their links are started, net_link_start); then modules=,
 * /etc/modules, what the options imply, and coldplug of every device
 * present (its modalias against modules.alias). A missing module is a
 * warning naming it, never a failure. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <sys/utsname.h>

#include "boot.h"
#include "fileio.h"
#include "kmod.h"
#include "modfile.h"

static struct kmod_db db;
static bool db_open;
static int nloaded;

/* Loads one module file. The kernel reads it (and decompresses it when it
 * can): that, and the driver's probe, are the kernel's work and go into the
 * timeline as a wait named after the module. When the kernel cannot
 * decompress it, reading and decompressing it here is the init's work. */
static int timed_insmod(void *ctx, const char *path, const char *params)
{
	const char *base = strrchr(path, '/');
	long long t0 = mono_ms();
	void *buf = NULL;
	size_t len;
	int err;

	base = base ? base + 1 : path;
	err = kmod_finit(path, params);
	if (err == -EOPNOTSUPP) {
		if ((err = modfile_read(path, &buf, &len)))
			return err;
		t0 = mono_ms();
		err = syscall(SYS_init_module, buf, (unsigned long)len, params ? params : "") < 0 ? -errno : 0;
		free(buf);
	}
	tl_wait("module", base, t0, mono_ms());
	if (!err) {
		nloaded++;
		log_debug("modules: loaded %s", base);
	}
	return err;
}

/* Load NAME (module or alias) if the initrd has it; warn when it does not.
 * Returns 0 or the load error (already reported). */
int modules_want(struct boot *b, const char *name, bool warn_missing)
{
	int err;

	if (!db_open)
		return -ENOENT;
	err = kmod_load(&db, name, NULL);
	if (err == -ENOENT) {
		if (warn_missing)
			log_warn("modules: %s: not in the initrd (%s)", name, db.dir);
	} else if (err == -EOPNOTSUPP) {
		log_warn("modules: %s: compressed with xz or zstd, which neither the kernel "
		         "(CONFIG_MODULE_DECOMPRESS) nor this init (NB_MODULE_XZ=1, NB_MODULE_ZSTD=1) "
		         "can decompress; pack it uncompressed or as .ko.gz", name);
	} else if (err) {
		log_warn("modules: %s: %s", name, strerror(-err));
	}
	return err;
}

static void want_list(struct boot *b, const char *list, const char *seps)
{
	char buf[1024], *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, seps, &save); tok; tok = strtok_r(NULL, seps, &save)) {
		if (tok[0] == '#')
			continue;
		modules_want(b, tok, true);
	}
}

static void etc_modules(struct boot *b)
{
	char path[BOOT_PATH], text[4096], *line, *save = NULL;

	if (rpath(b, path, sizeof(path), "/etc/modules") || file_read_str(path, text, sizeof(text)) < 0)
		return;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sp;
		while (*line == ' ' || *line == '\t')
			line++;
		if (!*line || *line == '#')
			continue;
		sp = strpbrk(line, " \t");
		if (sp)
			*sp = '\0';   /* module parameters in /etc/modules are not supported */
		modules_want(b, line, true);
	}
}

/* True for a network controller: a PCI device of class 02 or a virtio
 * network device. Other buses' NICs (USB) come with the general pass. */
static bool is_nic(const char *alias)
{
	const char *bc;

	if (!strncmp(alias, "pci:", 4))
		return (bc = strstr(alias, "bc")) && !strncmp(bc, "bc02", 4);
	return !strncmp(alias, "virtio:d00000001v", 17);
}

/* One coldplug pass over ROOT/sys/bus/ * /devices/ * /modalias; with
 * NICS_ONLY only network controllers. Returns how many modules got loaded. */
static int coldplug_pass(struct boot *b, bool nics_only)
{
	char busdir[BOOT_PATH], p[BOOT_PATH * 2], alias[512];
	int before = nloaded;
	struct dirent *be, *de;
	DIR *bus, *devs;

	if (rpath(b, busdir, sizeof(busdir), "/sys/bus") || !(bus = opendir(busdir)))
		return 0;
	while ((be = readdir(bus))) {
		if (be->d_name[0] == '.')
			continue;
		/* is_nic() knows PCI and virtio NICs only: leave the other
		 * buses (acpi, platform, memory, ...) to the general pass. */
		if (nics_only && strcmp(be->d_name, "pci") && strcmp(be->d_name, "virtio"))
			continue;
		snprintf(p, sizeof(p), "%s/%s/devices", busdir, be->d_name);
		if (!(devs = opendir(p)))
			continue;
		while ((de = readdir(devs))) {
			int idx[16], n, i;

			if (de->d_name[0] == '.')
				continue;
			snprintf(p, sizeof(p), "%s/%s/devices/%s/modalias", busdir, be->d_name, de->d_name);
			if (file_read_str(p, alias, sizeof(alias)) <= 0 || (nics_only && !is_nic(alias)))
				continue;
			n = kmod_match_alias(&db, alias, idx, 16);
			for (i = 0; i < n; i++) {
				int err = kmod_load(&db, db.mods[idx[i]].name, NULL);
				if (err)
					log_warn("modules: %s (for %s): %s", db.mods[idx[i]].name, alias, strerror(-err));
			}
		}
		closedir(devs);
	}
	closedir(bus);
	return nloaded - before;
}

int modules_load(struct boot *b)
{
	char dir[BOOT_PATH], sm[BOOT_PATH];
	struct utsname u;
	int err, round;

	if (uname(&u) == 0)
		snprintf(b->kver, sizeof(b->kver), "%s", u.release);
	if (fmt_path(dir, sizeof(dir), "%s/lib/modules/%s", b->root, b->kver) ||
	    rpath(b, sm, sizeof(sm), "/sys/module"))
		return boot_fail(b, -ENAMETOOLONG, "/lib/modules/%s: path too long", b->kver);
	err = kmod_open(&db, dir);
	if (err) {
		log_warn("modules: %s: no usable modules.dep (%s); loading no modules", dir, strerror(-err));
		return 0;
	}
	db_open = true;
	snprintf(db.sysmodule, sizeof(db.sysmodule), "%s", sm);
	db.insmod = timed_insmod;

	/* The network first: a link needs seconds to come up, so the NICs are
	 * set up as soon as their drivers are bound and negotiate while the
	 * rest loads. virtio_pci binds first, then virtio_net: a second round. */
	if (b->net_needed) {
		modules_want(b, "af_packet", false);
		for (round = 0; round < 2; round++)
			if (coldplug_pass(b, true) == 0)
				break;
		net_link_start(b);
	}
	if (b->o.modules[0])
		want_list(b, b->o.modules, ",");
	etc_modules(b);
	if (b->o.alpine_dev.kind == DEV_NFS) {
		modules_want(b, "nfs", true);
		modules_want(b, "nfsv3", true);
	}
	/* Loading a bus driver (virtio_pci) makes new devices appear: repeat. */
	for (round = 0; round < 4; round++)
		if (coldplug_pass(b, false) == 0)
			break;

	log_info("modules: %d loaded for kernel %s", nloaded, b->kver);
	return 0;
}
