"""A run's directory: depot, HTTP root, fixtures, overlays and disks."""

import contextlib
import io
import os
import secrets
import shutil
import tarfile
import time

from .base import BOOT_REPO, GUEST_HOST, KEEP_RUNS, LAB, LabError, REPO, REPORT_SCRIPT, RUNS
from .procs import run
from .inputs import APK_KEY, apk_test_key


class Lab:
    """One run of the lab: its directory tree, depot, web root and overlays."""

    def __init__(self, command, kernel, initrd, host_pid):
        stamp = time.strftime("%Y%m%d-%H%M%S")
        self.dir = os.path.join(RUNS, "%s-%s-%d" % (stamp, command, host_pid))
        self.depot = os.path.join(self.dir, "depot")
        self.www = os.path.join(self.dir, "www")
        self.rundir = os.path.join(self.dir, "run")
        self.clients = os.path.join(self.dir, "clients")
        self.fixtures = os.path.join(self.dir, "fixtures")
        self.tftp = os.path.join(self.dir, "tftp")
        self.desc = None           # the network description (qemu/lab.conf), set by the Session
        self.export = self.depot   # the depot's path as NFS clients mount it (/srv/nfs/depot)
        self.nonce = secrets.token_hex(4)
        self.kernel = kernel
        self.initrd = initrd
        self.http_port = None
        for d in (self.depot, self.www, self.rundir, self.clients, self.fixtures, self.tftp,
                  os.path.join(self.www, "prov"), os.path.join(self.www, "ovl")):
            os.makedirs(d, exist_ok=True)
        self._prune()
        last = os.path.join(LAB, "last")
        with contextlib.suppress(OSError):
            os.unlink(last)
        with contextlib.suppress(OSError):
            os.symlink(os.path.relpath(self.dir, LAB), last)
        self._make_depot()
        self._make_www()

    def _prune(self):
        """Keep the newest KEEP_RUNS runs; never touch one younger than an hour (it may be running)."""
        runs = sorted(os.listdir(RUNS))
        for old in runs[:-KEEP_RUNS]:
            path = os.path.join(RUNS, old)
            with contextlib.suppress(OSError):
                if time.time() - os.path.getmtime(path) > 3600:
                    shutil.rmtree(path, ignore_errors=True)

    def _make_depot(self):
        repo = os.path.join(self.depot, BOOT_REPO)
        os.makedirs(os.path.join(repo, "x86_64"), exist_ok=True)
        open(os.path.join(repo, ".boot_repository"), "w").close()
        with open(os.path.join(self.depot, ".nblab-depot"), "w") as f:
            f.write(self.depot_marker() + "\n")
        # Signed packages for nbinit's packages phase (and bad ones over HTTP).
        apk_test_key()
        run([os.path.join(REPO, "tests", "apk", "mklabrepo"), APK_KEY, self.depot, self.www], timeout=300)

    def depot_marker(self):
        return "depot " + self.nonce

    def _make_www(self):
        prov = os.path.join(self.www, "prov")
        for src, name in ((self.kernel, "vmlinuz"), (self.initrd, "pxerd")):
            if src is None:
                continue
            dst = os.path.join(prov, name)
            try:
                os.link(src, dst)       # the very file booted stays with the run's logs
            except OSError:
                shutil.copyfile(src, dst)
        with open(os.path.join(self.www, ".nblab-probe"), "w") as f:
            f.write(self.nonce + "\n")
        # alpine_repo URLs point at the depot's repository over HTTP too.
        os.symlink(os.path.relpath(os.path.join(self.depot, "alpine"), self.www),
                   os.path.join(self.www, "alpine"))

    @property
    def http(self):
        return "http://%s:%d" % (GUEST_HOST, self.http_port)

    def build_overlay(self, path, ident, hostname, extra=None):
        """Write an apkovl (tar.gz) at PATH whose /etc/nblab-id is IDENT, with
        EXTRA {path: bytes} files besides (their directories are made)."""
        with open(REPORT_SCRIPT, "rb") as f:
            report = f.read()
        with open("/bin/busybox", "rb") as f:
            busybox = f.read()
        now = int(time.time())

        def add(tar, name, data=None, mode=0o644):
            ti = tarfile.TarInfo(name)
            ti.mtime = now
            ti.uid = ti.gid = 0
            ti.uname = ti.gname = "root"
            if data is None:
                ti.type = tarfile.DIRTYPE
                ti.mode = 0o755
                tar.addfile(ti)
            else:
                ti.size = len(data)
                ti.mode = mode
                tar.addfile(ti, io.BytesIO(data))

        tmp = path + ".tmp"
        with tarfile.open(tmp, "w:gz", format=tarfile.USTAR_FORMAT) as tar:
            for d in ("etc", "etc/apk", "bin", "sbin"):
                add(tar, d)
            add(tar, "etc/hostname", (hostname + "\n").encode())
            add(tar, "etc/nblab-id", (ident + "\n").encode())
            add(tar, "etc/apk/world", b"alpine-base\n")
            add(tar, "bin/busybox", busybox, 0o755)
            add(tar, "sbin/init", report, 0o755)
            made = {"etc", "etc/apk", "bin", "sbin"}
            for name, data in sorted((extra or {}).items()):
                parts = name.split("/")[:-1]
                for i in range(1, len(parts) + 1):
                    d = "/".join(parts[:i])
                    if d not in made:
                        add(tar, d)
                        made.add(d)
                add(tar, name, data)
        os.replace(tmp, path)

    def build_disk(self, name, fs, label, files):
        """A raw disk image with one file system (no partition table) holding FILES."""
        img = os.path.join(self.fixtures, name + ".img")
        if fs == "vfat":
            run(["mkfs.vfat", "-C", "-n", label, img, "8192"])
            for dst, src in files.items():
                run(["mcopy", "-i", img, src, "::" + dst])
        elif fs == "ext4":
            tree = os.path.join(self.fixtures, name + ".tree")
            os.makedirs(tree, exist_ok=True)
            for dst, src in files.items():
                shutil.copyfile(src, os.path.join(tree, dst))
            run(["mke2fs", "-q", "-F", "-t", "ext4", "-L", label, "-d", tree, img, "16M"])
        else:
            raise LabError("unknown disk file system %r" % fs)
        return img
