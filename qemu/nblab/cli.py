"""nbinit's QEMU PXE lab: real servers, real kernel, real QEMU.

    qemu/lab demo                 PXE-boot the seed scenario and show what happened
    qemu/lab test [-j2] [SCN...]  boot scenarios, TAP on stdout (tests/vm.t runs this)
    qemu/lab boot SCENARIO        boot one scenario and show it
    qemu/lab list                 the scenarios and their kernel command lines
    qemu/lab pxerd                (re)build out/pxerd from out/init with ./mkpxerd
    qemu/lab servers start        start the servers and keep them up until Ctrl-C
    qemu/lab servers stop         stop servers started by 'servers start'
    qemu/lab servers exec CMD...  run CMD next to the servers (e.g. nfs-ls, busybox wget)
    qemu/lab selfcheck            show that every scenario check can fail (no VM)

Every command that needs servers re-runs itself as PID 1 of fresh network,
mount and PID namespaces (unshare). In there the only interface is lo:
nfs-ganesha and busybox httpd bind 127.0.0.1, rpcbind (whose -h aborts on
this Debian) listens on the namespace's addresses, all of them on lo. QEMU's
user networking shows 127.0.0.1 to the guest as 10.0.2.2, and when the lab
ends the kernel ends every process it started. Runs of the lab do
not collide on ports; VM boots of all lab runs on the machine (any
checkout) take turns through /tmp/nbinit-qemu-lab.lock: it has two cores.

A client is QEMU with an e1000 NIC whose iPXE option ROM gets an address
and an iPXE script (TFTP boot.ipxe) from QEMU's own DHCP and TFTP, then
fetches the kernel and the pxerd over HTTP. What it booted into is an
overlay (apkovl) built here whose /sbin/init is tests/lab/nblab-report.sh:
it prints "NBLAB ..." lines describing the root from the inside and powers
off. The scenario tables (nblab/scenarios.py, qemu/faults.py) say what each
boot must show.

Files of a run: out/lab/runs/<stamp>-<command>-<pid>/ (out/lab/last points at
the newest): depot/ (NFS export), www/ (HTTP root), run/ (server configs and
logs), clients/<scenario>/ (console.log, qemu.log, qemu.cmd, boot.ipxe).
"""

import argparse
import shlex
import string
import sys

from .base import DEFAULT_TIMEOUT, GUEST_HOST, LabError, MNT_PORT, NFS_PORT, NFS_PSEUDO, Stopped, log, rel
from .procs import in_namespace, run_in_namespace
from .inputs import build_pxerd
from .servers import GANESHA_CONF
from .desc import (DHCP_FLAVOURS, IPXE_DIR, boot_script, desc_http, dhcpd_conf, dnsmasq_conf,
                   httpd_argv, load_description, tftpd_argv)
from .scenarios import example_ctxs
from .catalog import SCENARIOS
from .commands import cmd_boot, cmd_servers, cmd_test
from .selfcheck import cmd_selfcheck


def cmd_list(args):
    for s in SCENARIOS:
        ctx = example_ctxs(s, "http://%s" % GUEST_HOST, "/srv/nfs/depot", "N", "M")[0]
        print("%-9s %s" % (s.name, s.title))
        print("          %s" % ctx.cmdline())
        if s.net == "pxe":
            print("          PXE network, %s; clients: %s" % (DHCP_FLAVOURS[s.dhcp], ", ".join(
                "%s (%s %s)" % (c.member["name"], c.member["mac"], c.member["ip"])
                for c in example_ctxs(s))))
        extra = ["e1000 " + m for m in s.macs]
        if s.uuid:
            extra.append("-uuid " + s.uuid)
        if s.disk:
            extra.append("virtio %s disk labelled %s" % (s.disk["fs"], s.disk["label"]))
        if extra:
            print("          client: %s" % ", ".join(extra))
        for c in s.checks(ctx):
            print("          - %s" % c.what)
    return 0


def cmd_describe(args):
    """The lab's network description, and what follows from it for each client."""
    d = load_description(args.conf)
    net = d["network"]
    print("# %s" % rel(d["path"]))
    for l in d.get("about", []):
        print("# " + l)
    print("network     bridge %s, subnet %s, server %s, dynamic range %s - %s, leases %d s"
          % (net["bridge"], net["subnet"], net["server"], net["dynamic_range"][0], net["dynamic_range"][1],
             net["lease_seconds"]))
    print("DHCP        %s: %s (scenarios may pick %s)" % (d["dhcp"], DHCP_FLAVOURS[d["dhcp"]],
                                                          ", ".join(DHCP_FLAVOURS)))
    print("TFTP        %s/%s (iPXE for PXE firmware; from %s)" % (d["tftp_root"], d["pxe_file"], IPXE_DIR))
    print("HTTP        %s/ = %s: %s, %s, %s, ovl/, alpine/" % (desc_http(d), d["http_root"], d["boot_script"],
                                                             d["kernel"], d["initrd"]))
    print("NFS         %s:%s (read-only)" % (net["server"], d["nfs_export"]))
    print("kernel args %s" % d["kernel_args"])
    print("clients:")
    for c in d["clients"]:
        print("  %-5s %s  %-15s uuid %s  overlay %s/ovl/%s.apkovl.tar.gz"
              % (c["name"], c["mac"], c["ip"], c["uuid"], desc_http(d), c["mac"]))
    return 0


def cmd_configs(args):
    """Every configuration file the description generates, as an admin would deploy it."""
    d = load_description(args.conf)
    flavours = [args.dhcp] if args.dhcp else list(DHCP_FLAVOURS)
    files = []
    for f in flavours:
        if f in ("isc", "proxy"):
            files.append(("/etc/dhcp/dhcpd.conf  [%s]" % f, dhcpd_conf(d, f)))
        if f in ("dnsmasq", "proxy"):
            files.append(("/etc/dnsmasq.conf  [%s]" % f, dnsmasq_conf(d, f)))
    if not args.dhcp or args.dhcp == "isc":
        files.append(("/etc/default/tftpd-hpa  [isc; the lab runs: %s]" % shlex.join(tftpd_argv(d)),
                      'TFTP_USERNAME="tftp"\nTFTP_DIRECTORY="%s"\nTFTP_ADDRESS="%s:69"\nTFTP_OPTIONS="--secure"\n'
                      % (d["tftp_root"], d["network"]["server"])))
    files.append(("%s/%s  [the iPXE boot script, the seed's gpxe-script]" % (d["http_root"], d["boot_script"]),
                  boot_script(d)))
    files.append(("/etc/exports  [kernel nfsd, as in the seed]",
                  "%s  *(ro,no_root_squash,no_subtree_check)\n" % d["nfs_export"]))
    files.append(("/etc/ganesha/ganesha.conf  [nfs-ganesha, what the lab runs]",
                  string.Template(GANESHA_CONF).substitute(
                      nfs_port=NFS_PORT, mnt_port=MNT_PORT, recovery="/var/lib/nfs/ganesha",
                      depot=d["nfs_export"], pseudo=NFS_PSEUDO, bind=d["network"]["server"])))
    files.append(("HTTP  [the lab runs: %s]" % shlex.join(httpd_argv(d)),
                  "".join("%s/%s\n" % (d["http_root"], p) for p in
                          (d["boot_script"], d["kernel"], d["initrd"]))
                  + "".join("%s/ovl/%s.apkovl.tar.gz\n" % (d["http_root"], c["mac"]) for c in d["clients"])))
    for name, text in files:
        print("==> %s <==" % name)
        sys.stdout.write(text)
        print("")
    return 0


# ---------------------------------------------------------------- main

def parse(argv):
    ap = argparse.ArgumentParser(prog="qemu/lab", description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)

    def boot_opts(p):
        p.add_argument("--timeout", type=int, help="seconds per boot (default %d, or $NBLAB_TIMEOUT)"
                       % DEFAULT_TIMEOUT)
        p.add_argument("--kernel", help="kernel to boot (default out/kernel/vmlinuz)")
        p.add_argument("--initrd", help="initrd to boot instead of out/pxerd (lab plumbing checks)")
        p.add_argument("--append", default="", help="extra kernel options (e.g. debug_init)")

    p = sub.add_parser("demo", help="PXE-boot the seed scenario and show what happened")
    boot_opts(p)
    p.add_argument("-v", "--verbose", action="store_true", help="also show the console as it comes")
    p = sub.add_parser("boot", help="boot one scenario and show it")
    p.add_argument("scenario")
    p.add_argument("-v", "--verbose", action="store_true", help="also show the console as it comes")
    boot_opts(p)
    p = sub.add_parser("test", help="boot scenarios, TAP output")
    p.add_argument("-j", "--jobs", type=int, default=2, help="VMs at a time (default 2)")
    p.add_argument("scenarios", nargs="*")
    boot_opts(p)
    sub.add_parser("list", help="scenarios, command lines and checks")
    p = sub.add_parser("describe", help="the PXE network's description (qemu/lab.conf)")
    p.add_argument("--conf", help="another description (default qemu/lab.conf, or $NBLAB_CONF)")
    p = sub.add_parser("configs", help="the server configurations generated from the description")
    p.add_argument("--conf", help="another description (default qemu/lab.conf, or $NBLAB_CONF)")
    p.add_argument("--dhcp", choices=list(DHCP_FLAVOURS), help="only this DHCP flavour's files")
    p = sub.add_parser("pxerd", help="build out/pxerd with ./mkpxerd if an input is newer")
    p.add_argument("-f", "--force", action="store_true")
    p = sub.add_parser("selfcheck", help="every check can fail (no VM)")
    p.add_argument("--record", nargs="*", metavar="RUN",
                   help="first replace tests/lab/transcripts with the transcripts of the lab runs RUN... "
                   "(default out/lab/last; a later run's console of a client replaces an earlier one's)")
    p = sub.add_parser("servers", help="start|stop|exec the lab's servers")
    p.add_argument("action", choices=["start", "stop", "exec"])
    p.add_argument("cmd", nargs=argparse.REMAINDER)
    boot_opts(p)
    return ap.parse_args(argv)


NEEDS_NAMESPACE = {"demo", "boot", "test"}


def main(argv):
    args = parse(argv)
    try:
        if args.command == "servers" and args.action == "start" or args.command in NEEDS_NAMESPACE:
            if not in_namespace():
                if args.command == "test":
                    # Bail out before the namespace if it cannot be made.
                    try:
                        return run_in_namespace(argv)
                    except LabError as e:
                        print("Bail out! lab: %s" % e, flush=True)
                        return 2
                return run_in_namespace(argv)
        if args.command == "demo":
            return cmd_boot(args, demo=True)
        if args.command == "boot":
            return cmd_boot(args)
        if args.command == "test":
            return cmd_test(args)
        if args.command == "servers":
            return cmd_servers(args)
        if args.command == "pxerd":
            build_pxerd(force=args.force)
            return 0
        if args.command == "selfcheck":
            return cmd_selfcheck(args)
        if args.command == "list":
            return cmd_list(args)
        if args.command == "describe":
            return cmd_describe(args)
        if args.command == "configs":
            return cmd_configs(args)
    except LabError as e:
        log("lab: %s" % e)
        return 2
    except Stopped as e:
        log("lab: stopped (%s); servers and VMs are down" % e)
        return 130
    return 2
