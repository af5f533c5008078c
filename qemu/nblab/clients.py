"""One QEMU client of a scenario: its files, command line, boot and evaluation."""

import contextlib
import os
import shlex
import shutil
import subprocess

import faults       # qemu/faults.py: faults the boot survives or reports (relay, QMP, fault HTTP server)

from .base import LabError
from .procs import stop_process
from .inputs import build_mkinitfs_initrd
from .desc import boot_script, desc_http
from .console import WIRE, watch_console
from .scenarios import Ctx


class Client:
    """One QEMU client of a scenario: files, command line, and its Boot.

    With MEMBER (a client of qemu/lab.conf) it is on the PXE network PXENET:
    a tap on the bridge, no QEMU DHCP or TFTP, the description's boot script.
    """

    def __init__(self, lab, scn, timeout, append="", member=None, pxenet=None):
        self.lab, self.scn, self.timeout = lab, scn, timeout
        self.member, self.pxenet = member, pxenet
        self.name = scn.name + ("-" + member["name"] if member else "")
        self.dir = os.path.join(lab.clients, self.name)
        self.tftp = os.path.join(self.dir, "tftp")
        os.makedirs(self.tftp, exist_ok=True)
        self.console = os.path.join(self.dir, "console.log")
        self.qemulog = os.path.join(self.dir, "qemu.log")
        if member:
            d = lab.desc
            self.ctx = Ctx(scn, desc_http(d), d["nfs_export"], lab.nonce, lab.depot_marker(), member=member, desc=d)
            self.tap = "nbt-" + member["name"]
        else:
            self.ctx = Ctx(scn, lab.http, lab.export, lab.nonce, lab.depot_marker())
        self.cmdline = self.ctx.cmdline() + ((" " + append) if append else "")
        self.disk = None
        self._overlays()
        if member:
            self.script = boot_script(lab.desc, append)
            with open(os.path.join(self.dir, "boot.ipxe"), "w") as f:
                f.write(self.script)
        else:
            self._ipxe()
        self.argv = self._qemu_argv()
        with open(os.path.join(self.dir, "qemu.cmd"), "w") as f:
            f.write(shlex.join(self.argv) + "\n")

    def _overlays(self):
        names = self.ctx.names()
        disk_files = {}
        for key, where in self.scn.overlays.items():
            kind, _, name = where.partition(":")
            name = name.format(**names)
            ident = self.ctx.id(key)
            if kind == "http":
                path = os.path.join(self.lab.www, "ovl", name + ".apkovl.tar.gz")
                self.lab.build_overlay(path, ident, "nblab-" + self.scn.name, self.scn.overlay_files)
            else:
                path = os.path.join(self.lab.fixtures, "%s-%s.apkovl.tar.gz" % (self.scn.name, name))
                self.lab.build_overlay(path, ident, "nblab-" + self.scn.name, self.scn.overlay_files)
                disk_files[name + ".apkovl.tar.gz"] = path
        if self.scn.disk:
            img = self.lab.build_disk(self.scn.name, self.scn.disk["fs"], self.scn.disk["label"], disk_files)
            # The VM writes to its own copy; the fixture stays as built.
            self.disk = os.path.join(self.dir, "disk.img")
            shutil.copyfile(img, self.disk)

    def _ipxe(self):
        initrd = "pxerd"
        if self.scn.initrd == "mkinitfs":
            initrd = "initramfs-mkinitfs"
            dst = os.path.join(self.lab.www, "prov", initrd)
            if not os.path.exists(dst):
                shutil.copyfile(build_mkinitfs_initrd(), dst)
        self.script = "\n".join([
            "#!ipxe",
            "dhcp",
            "kernel %s/prov/vmlinuz %s" % (self.lab.http, self.cmdline),
            "initrd %s/prov/%s" % (self.lab.http, initrd),
            "boot",
        ]) + "\n"
        with open(os.path.join(self.tftp, "boot.ipxe"), "w") as f:
            f.write(self.script)
        with open(os.path.join(self.dir, "boot.ipxe"), "w") as f:
            f.write(self.script)

    def _qemu_argv(self):
        argv = ["qemu-system-x86_64", "-accel", "tcg", "-m", "512", "-smp", "1",
                "-name", "nblab-" + self.name, "-display", "none", "-monitor", "none",
                "-serial", "file:" + self.console, "-no-reboot", "-boot", "n"]
        if self.member:
            return argv + ["-netdev", "tap,id=n0,ifname=%s,script=no,downscript=no" % self.tap,
                           "-device", "e1000,netdev=n0,mac=%s" % self.member["mac"],
                           "-uuid", self.member["uuid"]]
        for i, mac in enumerate(self.scn.macs):
            netdev = "user,id=n%d" % i
            if i == 0:
                netdev += ",tftp=%s,bootfile=boot.ipxe" % self.tftp
            argv += ["-netdev", netdev, "-device", "e1000,netdev=n%d,mac=%s" % (i, mac)]
        if self.scn.uuid:
            argv += ["-uuid", self.scn.uuid]
        if self.disk:
            argv += ["-drive", "file=%s,if=virtio,format=raw" % self.disk]
        return argv

    def boot(self, stop_event, on_line=None):
        if getattr(self.scn, "fault", None):
            return faults.boot(self, stop_event, on_line)
        with contextlib.suppress(OSError):
            os.unlink(self.console)
        extra = drain = None
        if self.member:
            self.pxenet.add_tap(self.tap)
            mac, given = self.member["mac"], [0]

            def extra(start):
                ev = self.pxenet.wire.since(mac, start)
                new, given[0] = ev[given[0]:], len(ev)
                return [(t, WIRE + x) for t, x in new]
            drain = self.pxenet.wire.drain
        proc = None
        try:
            with open(self.qemulog, "wb") as out:
                try:
                    proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=out,
                                            stderr=subprocess.STDOUT, start_new_session=True)
                except FileNotFoundError:
                    raise LabError("qemu-system-x86_64 not installed (tests/setup installs qemu-system-x86)")
            return watch_console(proc, self.console, self.timeout, stop_event, on_line, extra, drain)
        finally:
            stop_process(proc, "qemu", grace=3)
            if self.member:
                self.pxenet.del_tap(self.tap)

    def evaluate(self, boot):
        """[(Check, ok, expected, seen)] for BOOT."""
        out = []
        for c in self.scn.checks(self.ctx):
            try:
                ok, exp, seen = c.test(boot)
            except Exception as e:          # a broken check is a failed check, with its reason
                ok, exp, seen = False, "(check raised)", repr(e)
            out.append((c, ok, exp, seen))
        return out
