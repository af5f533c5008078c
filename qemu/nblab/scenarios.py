"""The lab's scenarios: client setups, kernel command lines and the checks each boot must pass."""

import ipaddress
import string

from .base import GUEST_ADDR, GUEST_DNS, GUEST_HOST
from .desc import desc_client, desc_http, ipxe_expand, load_description
from .checks import (FAIL_FORM, Check, c_booted, c_bootrepo_listed, c_depot_mounted, c_depot_readable,
                     c_fatal_line, c_init_ran, c_nbinit_once, c_net, c_no_failure, c_no_report, c_pxe_chain,
                     c_qemu_exited, c_report, c_report_exact, c_then, replace_line)


class Scenario:
    """A client setup, its kernel command line and what the boot must show.

    cmdline: string.Template with $HTTP (http://10.0.2.2:PORT), $NFS
    (10.0.2.2), $DEPOT (the export's real path), $BOOTIF1 (the second NIC
    as BOOTIF). overlays: key -> "http:NAME" (www/ovl/NAME.apkovl.tar.gz) or
    "disk:NAME" (NAME.apkovl.tar.gz on the disk); NAME may use {mac0},
    {mac1}, {uuid}. checks(ctx) returns the Check list.

    net="pxe" puts the clients on the lab's bridge instead of QEMU user
    networking: members names clients of qemu/lab.conf (MAC, UUID, address),
    all booted at once; dhcp picks the DHCP/TFTP servers (DHCP_FLAVOURS);
    cmdline is None (the description's boot script has it) and macs [].
    """

    def __init__(self, name, title, cmdline, checks, macs, overlays=None, uuid=None, disk=None,
                 boots=True, net="user", dhcp=None, members=(), initrd=None, overlay_files=None):
        self.name, self.title, self.cmdline, self.checks = name, title, cmdline, checks
        self.macs, self.overlays, self.uuid, self.disk, self.boots = \
            macs, overlays or {}, uuid, disk, boots
        self.initrd = initrd    # None: mkpxerd's pxerd; "mkinitfs": build_mkinitfs_initrd()
        self.net, self.dhcp, self.members = net, dhcp, list(members)
        self.overlay_files = overlay_files or {}   # extra files in each overlay: {path: bytes}


class Ctx:
    """Values a scenario's command line and checks refer to."""

    def __init__(self, scn, http, depot, nonce, marker, member=None, desc=None):
        self.scn, self.http, self.depot, self.nonce, self.marker = scn, http, depot, nonce, marker
        self.member, self.desc = member, desc
        self.macs = [member["mac"]] if member else scn.macs
        self.uuid = member["uuid"] if member else scn.uuid
        self.server = desc["network"]["server"] if member else GUEST_HOST

    def id(self, key):
        if self.member:
            return "nblab %s %s %s %s" % (self.scn.name, self.member["name"], key, self.nonce)
        return "nblab %s %s %s" % (self.scn.name, key, self.nonce)

    def names(self):
        d = {"mac%d" % i: m for i, m in enumerate(self.macs)}
        d["uuid"] = self.uuid or ""
        return d

    def cmdline(self):
        if self.member:
            return ipxe_expand(self.desc["kernel_args"], self.desc)
        bootif = "01-" + self.macs[min(1, len(self.macs) - 1)].replace(":", "-")
        opts = string.Template(self.scn.cmdline).substitute(
            HTTP=self.http, NFS=GUEST_HOST, DEPOT=self.depot, BOOTIF1=bootif)
        return "console=ttyS0 " + opts


def overlay_check(ctx, key):
    return c_report("id", ctx.id(key), "the overlay applied is %s" % key)


def booted_checks(ctx):
    return [c_init_ran(), c_no_failure(), c_booted()]


def pxe_checks(x):
    """A client of the PXE network booted the seed's way with what qemu/lab.conf gives it."""
    m, d = x.member, x.desc
    prefix = ipaddress.ip_network(d["network"]["subnet"]).prefixlen
    return booted_checks(x) + [
        overlay_check(x, "mac"),
        c_report("addr", "eth0 %s/%d" % (m["ip"], prefix), "eth0 has %s/%d (its fixed address)" % (m["ip"], prefix)),
        c_report("hostname", m["name"], "host name %s (DHCP host-name)" % m["name"]),
        c_report("route", "default %s eth0" % x.server, "default gateway %s" % x.server),
        c_report_exact("repo", [x.http + "/alpine/v3.20/main"], "/etc/apk/repositories is alpine_repo"),
        c_depot_mounted(x.depot, x.server),
        c_depot_readable(x.marker, x.depot, x.server),
        c_pxe_chain(x),
    ]


def example_ctxs(scn, http="http://%s:8080" % GUEST_HOST, depot="/srv/lab/depot", nonce="c0ffee",
                 marker="depot c0ffee"):
    """Contexts for listing and self-checking SCN without a run (one per member on the PXE network)."""
    if scn.net != "pxe":
        return [Ctx(scn, http, depot, nonce, marker)]
    d = load_description()
    return [Ctx(scn, desc_http(d), d["nfs_export"], nonce, marker, member=desc_client(d, n), desc=d)
            for n in scn.members]


def c_refused(has):
    """Checks: a failure line holds every string in HAS, and the next nbinit line reboots."""
    example = "nbinit: packages: x: %s" % " ".join(has)
    then = "nbinit: rebooting in 1 s (panic=1)"

    def find(b):
        lines = [t for _, t in b.nbinit()]
        for i, t in enumerate(lines):
            if all(h in t for h in has) and FAIL_FORM.match(t):
                return lines, i
        return lines, -1

    def t_line(b):
        lines, i = find(b)
        return i >= 0, " ... ".join(has), lines[i] if i >= 0 else (" | ".join(lines[-2:]) or "no nbinit lines")

    def t_then(b):
        lines, i = find(b)
        nxt = lines[i + 1] if 0 <= i < len(lines) - 1 else "(no failure line, or nothing after it)"
        return nxt.startswith("nbinit: rebooting"), "nbinit: rebooting ...", nxt
    return [Check("a failure line says: " + " ... ".join(has), t_line, lambda: ([example, then], []),
                  replace_line(example, example.replace(has[-1], "fine"))),
            Check("then 'nbinit: rebooting'", t_then, lambda: ([example, then], []),
                  replace_line(then, "nbinit: starting rescue shell"))]


def c_refused_once(has):
    """Checks: exactly one failure line holds every string in HAS (a smuggled
    file is refused once, not retried), and the next nbinit line reboots."""
    example = "nbinit: overlay: x: %s" % " ".join(has)
    then = "nbinit: rebooting in 1 s (panic=1)"

    def find(b):
        lines = [t for _, t in b.nbinit()]
        return lines, [i for i, t in enumerate(lines) if all(h in t for h in has) and
                       FAIL_FORM.match(t)]

    def t_line(b):
        lines, hits = find(b)
        seen = " | ".join(lines[i] for i in hits) if hits else (" | ".join(lines[-2:]) or "no nbinit lines")
        return len(hits) == 1, "exactly one line: " + " ... ".join(has), seen

    def t_then(b):
        lines, hits = find(b)
        nxt = lines[hits[0] + 1] if hits and hits[0] < len(lines) - 1 else "(no failure line, or nothing after it)"
        return nxt.startswith("nbinit: rebooting"), "nbinit: rebooting ...", nxt
    return [Check("exactly one failure line says: " + " ... ".join(has), t_line, lambda: ([example, then], []),
                  lambda lines, meta: ([y for x in lines for y in ([x, x] if x == example else [x])], meta)),
            Check("then 'nbinit: rebooting'", t_then, lambda: ([example, then], []),
                  replace_line(then, "nbinit: starting rescue shell"))]


APKOVL_MAC = 'apkovl="$HTTP/ovl/{MAC}.apkovl.tar.gz"'

SCENARIOS = [
    Scenario(
        "seed", "the wiki's PXE boot: ip=dhcp, NFS depot, alpine_repo, apkovl with {MAC}",
        "ip=dhcp alpine_dev=nfs:$NFS:$DEPOT alpine_repo=$HTTP/alpine/v3.20/main " + APKOVL_MAC,
        lambda x: booted_checks(x) + [
            overlay_check(x, "mac"),
            c_report_exact("repo", [x.http + "/alpine/v3.20/main"], "/etc/apk/repositories is alpine_repo"),
            c_report("addr", "eth0 " + GUEST_ADDR, "eth0 has %s" % GUEST_ADDR),
            c_report("route", "default %s eth0" % GUEST_HOST, "default gateway %s" % GUEST_HOST),
            c_report("nameserver", GUEST_DNS, "nameserver %s" % GUEST_DNS),
            c_depot_mounted(x.depot),
            c_depot_readable(x.marker, x.depot),
        ],
        macs=["52:54:00:12:34:56"], overlays={"mac": "http:{mac0}"}),
    Scenario(
        "mkinitfs", "the seed's boot from an initrd packed the mkinitfs way (mkinitfs -P features -F nbinit:"
        " no default.script, no /bin/sh), the wiki's alpine_repo=.../x86_64 and a mistyped option",
        "ip=dhcp alpine_dev=nfs:$NFS:$DEPOT alpine_repo=$HTTP/alpine/v3.20/main/x86_64 nbinit.linkwait=9 "
        + APKOVL_MAC,
        lambda x: booted_checks(x) + [
            overlay_check(x, "mac"),
            c_report_exact("repo", [x.http + "/alpine/v3.20/main"],
                           "/etc/apk/repositories is alpine_repo without the architecture the wiki's form ends in"),
            c_report("addr", "eth0 " + GUEST_ADDR, "eth0 has %s (udhcpc ran /init as its script)" % GUEST_ADDR),
            c_depot_mounted(x.depot),
            c_nbinit_once("nbinit: warning: cmdline: nbinit.linkwait=: unknown option, ignored; "
                          "did you mean nbinit.link_wait=?", "the command line's warnings, once, as --check prints them"),
        ],
        macs=["52:54:00:12:34:61"], overlays={"mac": "http:{mac0}"}, initrd="mkinitfs"),
    Scenario(
        "uuid", "apkovl with {UUID} from QEMU -uuid",
        'ip=dhcp apkovl="$HTTP/ovl/{UUID}.apkovl.tar.gz"',
        lambda x: booted_checks(x) + [overlay_check(x, "uuid")],
        macs=["52:54:00:12:34:57"], uuid="6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b",
        overlays={"uuid": "http:{uuid}"}),
    Scenario(
        "static", "static ip= (kernel nfsroot form) with hostname and DNS",
        "ip=10.0.2.15::10.0.2.2:255.255.255.0:nbstatic:eth0:off:10.0.2.3 " + APKOVL_MAC,
        lambda x: booted_checks(x) + [
            overlay_check(x, "mac"),
            c_report("addr", "eth0 " + GUEST_ADDR, "eth0 has %s" % GUEST_ADDR),
            c_report("route", "default %s eth0" % GUEST_HOST, "default gateway %s" % GUEST_HOST),
            c_report("hostname", "nbstatic", "host name nbstatic"),
            c_report("nameserver", GUEST_DNS, "nameserver %s" % GUEST_DNS),
        ],
        macs=["52:54:00:12:34:58"], overlays={"mac": "http:{mac0}"}),
    Scenario(
        "bootrepo", "no alpine_repo: the depot's .boot_repository is found",
        "ip=dhcp alpine_dev=nfs:$NFS:$DEPOT " + APKOVL_MAC,
        lambda x: booted_checks(x) + [
            overlay_check(x, "mac"),
            c_depot_mounted(x.depot),
            c_bootrepo_listed(x.depot),
        ],
        macs=["52:54:00:12:34:59"], overlays={"mac": "http:{mac0}"}),
    Scenario(
        "bootif", "two NICs, BOOTIF names the second",
        "ip=dhcp BOOTIF=$BOOTIF1 " + APKOVL_MAC,
        lambda x: booted_checks(x) + [
            c_report("link", "eth1 " + x.macs[1], "eth1 is the second NIC (lab precondition)"),
            overlay_check(x, "mac1"),
            c_net("IFACE", "eth1", "IFACE='eth1' in /var/lib/nbinit/net"),
            c_report("addr", "eth1 " + GUEST_ADDR, "eth1 has %s" % GUEST_ADDR),
        ],
        macs=["52:54:00:12:34:5a", "52:54:00:12:34:5b"],
        overlays={"mac0": "http:{mac0}", "mac1": "http:{mac1}"}),
    Scenario(
        "ovldev", "ovl_dev=LABEL=NBOVL: the overlay comes from a vfat virtio disk",
        "ip=dhcp ovl_dev=LABEL=NBOVL",
        lambda x: booted_checks(x) + [overlay_check(x, "disk")],
        macs=["52:54:00:12:34:5c"], overlays={"disk": "disk:host"},
        disk={"fs": "vfat", "label": "NBOVL"}),
    Scenario(
        "notfound", "apkovl URL that 404s with panic=1: one line, then reboot",
        'ip=dhcp apkovl="$HTTP/ovl/missing-{MAC}.apkovl.tar.gz" panic=1',
        lambda x: [
            c_init_ran(),
            c_fatal_line("%s/ovl/missing-%s.apkovl.tar.gz" % (x.http, x.macs[0]), "404"),
            c_then("%s/ovl/missing-%s.apkovl.tar.gz" % (x.http, x.macs[0]), "404", "nbinit: rebooting",
                   "then 'nbinit: rebooting'"),
            c_qemu_exited(),
            c_no_report(),
        ],
        macs=["52:54:00:12:34:5d"], boots=False),
    Scenario(
        "apk", "packages: alpine-base from the depot, pkgs= from HTTP via provides, install scripts, apk's db",
        "ip=dhcp alpine_dev=nfs:$NFS:$DEPOT alpine_repo=$HTTP/alpine/v3.20/main,$HTTP/alpine-http/v3.20/community"
        " pkgs=hello-nblab " + APKOVL_MAC,
        lambda x: booted_checks(x) + [
            overlay_check(x, "mac"),
            c_report_exact("apk-pkg", ["musl-1.2.4-r0", "busybox-1.36.1-r5", "alpine-baselayout-3.4.3-r1",
                                       "nblab-tools-1.0-r0", "alpine-base-3.20.0-r0", "hello-nblab-1.0-r0"],
                           "/lib/apk/db/installed lists the resolved packages in install order"),
            c_report("apk-db", "ok 6 files", "every file in apk's db is on disk with its checksum, nothing else"),
            c_report("apk-ran", "busybox post-install 1.36.1-r5", "busybox's post-install ran in the new root"),
            c_report("apk-ran", "alpine-baselayout pre-install 3.4.3-r1", "alpine-baselayout's pre-install ran"),
            c_report("apk-ran", "hello-nblab post-install 1.0-r0", "the HTTP package's post-install ran"),
            c_report_exact("apk-world", ["alpine-base", "hello-nblab"], "/etc/apk/world is what was asked for"),
        ],
        macs=["52:54:00:12:34:5e"], overlays={"mac": "http:{mac0}"}),
    Scenario(
        "apk-abuild", "packages made as abuild makes them, installed as apk does: a system user from a pre-install"
        " with 2>/dev/null (/dev and /proc in the new root), owners by name, a file capability, busybox's"
        " #!/bin/busybox post-install, replaces and a conflict, a meta package",
        "ip=dhcp alpine_repo=$HTTP/alpine-abuild/v3.20/main pkgs=nblab-cap,x-clash,nblab-meta " + APKOVL_MAC,
        lambda x: booted_checks(x) + [
            overlay_check(x, "mac"),
            c_report("passwd", "ldap 101 102", "nblab-ldap's pre-install added the ldap user (its 2>/dev/null"
                     " found /dev/null)"),
            c_report("apk-owner", "/var/lib/openldap ldap:ldap 700", "/var/lib/openldap is ldap:ldap 0700 by name"
                     " (the tar says ldap:ldap with number 0)"),
            c_report("apk-owner", "/etc/openldap/slapd.conf root:ldap 640", "slapd.conf is root:ldap 0640 by name"),
            c_report("apk-xattr", "/usr/bin/nblab-xattr security.capability " + "01000002002" + "0" * 29,
                     "nblab-xattr has its file capability (cap_net_raw+ep), read back in the guest"),
            c_report("applet", "/bin/ls /bin/busybox", "busybox's post-install (#!/bin/busybox sh) made the applet"
                     " links before any /bin/sh"),
            c_report("apk-replaces", "x-new x-old", "x-new's replaces is in apk's db (r:)"),
            c_report("apk-who", "/usr/share/x/common x-new", "only x-new lists /usr/share/x/common: apk del x-old"
                     " or x-clash would leave it"),
            c_report("apk-flags", "x-clash f", "x-clash's conflict with x-new is recorded (f:f)"),
            c_report_exact("apk-ran", ["alpine-baselayout pre-install 3.4.3-r2", "busybox post-install 1.36.1-r6",
                                       "nblab-ldap pre-install saw /proc"],
                           "the scripts that ran: busybox's, nblab-ldap's pre-install with /proc mounted;"
                           " not the meta package's (I:0)"),
            c_report("apk-db", "ok 11 files", "every file in apk's db is on disk with its checksum, owner and"
                     " mode, listed once, and nothing else is there (the overlay's /usr/share/nblab/cap-note gave"
                     " way to nblab-cap's)"),
            c_report("apk-new", "/etc/issue.apk-new", "the overlay's /etc/issue stays (a protected path),"
                     " alpine-baselayout's is /etc/issue.apk-new"),
        ],
        macs=["52:54:00:12:34:62"], overlays={"mac": "http:{mac0}"},
        overlay_files={"etc/issue": b"the overlay's issue\n", "usr/share/nblab/cap-note": b"the overlay's note\n"}),
    Scenario(
        "apk-unsigned", "packages: an unsigned APKINDEX is refused (panic=1)",
        "ip=dhcp alpine_repo=$HTTP/alpine-bad/unsigned panic=1 " + APKOVL_MAC,
        lambda x: [
            c_init_ran(),
            c_fatal_line("%s/alpine-bad/unsigned/x86_64/APKINDEX.tar.gz" % x.http, "unsigned"),
            c_then("%s/alpine-bad/unsigned/x86_64/APKINDEX.tar.gz" % x.http, "unsigned", "nbinit: rebooting",
                   "then 'nbinit: rebooting'"),
            c_qemu_exited(),
            c_no_report(),
        ],
        macs=["52:54:00:12:34:5f"], overlays={"mac": "http:{mac0}"}, boots=False),
    Scenario(
        "apk-tampered", "packages: a package whose data does not match its index is refused (panic=1)",
        "ip=dhcp alpine_repo=$HTTP/alpine-bad/tampered panic=1 " + APKOVL_MAC,
        lambda x: [
            c_init_ran(),
        ] + c_refused(["%s/alpine-bad/tampered/x86_64/busybox-1.36.1-r5.apk" % x.http, "is not the datahash"]) + [
            c_qemu_exited(),
            c_no_report(),
        ],
        macs=["52:54:00:12:34:60"], overlays={"mac": "http:{mac0}"}, boots=False),
    Scenario(
        "apk-forged", "packages: a genuinely signed APKINDEX whose signature member also holds a forged"
        " APKINDEX is refused in one line (panic=1)",
        "ip=dhcp alpine_repo=$HTTP/alpine-bad/forged panic=1 " + APKOVL_MAC,
        lambda x: [c_init_ran()] + c_refused_once(
            ["%s/alpine-bad/forged/x86_64/APKINDEX.tar.gz" % x.http,
             "the signature member holds APKINDEX (only .SIGN.* files may be there)"]) + [
            c_qemu_exited(),
            c_no_report(),
        ],
        macs=["52:54:00:12:34:63"], overlays={"mac": "http:{mac0}"}, boots=False),
    Scenario(
        "ovl-smuggled", "overlay: a genuinely signed overlay whose signature member ends with a pax size="
        " header (it would swallow etc/ssh/sshd_config) is refused in one line (nbinit.apkovl_verify, panic=1)",
        'ip=dhcp apkovl="$HTTP/alpine-bad/smuggled.apkovl.tar.gz" nbinit.apkovl_verify panic=1',
        lambda x: [c_init_ran()] + c_refused_once(
            ["overlay: %s/alpine-bad/smuggled.apkovl.tar.gz: " % x.http,
             "the signature member holds an extended tar header"]) + [
            c_qemu_exited(),
            c_no_report(),
        ],
        macs=["52:54:00:12:34:64"], overlays={}, boots=False),
    Scenario(
        "pxe", "the seed's network: dhcpd + tftpd-hpa chainload undionly.kpxe, iPXE runs the boot script",
        None, pxe_checks, [], overlays={"mac": "http:{mac0}"}, net="pxe", dhcp="isc", members=["nb1"]),
    Scenario(
        "fleet", "four clients at once on the seed's network, each with its own address and overlay",
        None, pxe_checks, [], overlays={"mac": "http:{mac0}"}, net="pxe", dhcp="isc",
        members=["nb2", "nb3", "nb4", "nb5"]),
    Scenario(
        "dnsmasq", "dnsmasq alone (DHCP + TFTP) on the seed's network",
        None, pxe_checks, [], overlays={"mac": "http:{mac0}"}, net="pxe", dhcp="dnsmasq", members=["nb6"]),
    Scenario(
        "proxy", "dhcpd for addresses, dnsmasq proxy-DHCP + TFTP for booting",
        None, pxe_checks, [], overlays={"mac": "http:{mac0}"}, net="pxe", dhcp="proxy", members=["nb7"]),
]
