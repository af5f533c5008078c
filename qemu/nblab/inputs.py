"""What a client boots: the pxerd (mkpxerd), the lab's apk key, the mkinitfs-like initrd."""

import contextlib
import os
import shlex
import shutil
import subprocess

from .base import INIT, KERNEL_DIR, LAB, OUT, LabError, MKPXERD, PXERD, REPO, log, rel
from .procs import run


def kernel_version():
    with open(os.path.join(KERNEL_DIR, "kver")) as f:
        return f.read().strip()


# The lab's apk signing key (tests/apk/mkapk); its .pub goes into the pxerd
# through the nbinit feature (/etc/apk/keys/*.pub), from the kernel tree that
# mkpxerd -b reads.
APK_KEY = os.path.join(LAB, "apk-key", "nblab@nbinit.rsa")
APK_KEY_IN_PXERD = os.path.join(KERNEL_DIR, "root", "etc", "apk", "keys", "nblab@nbinit.rsa.pub")


def apk_test_key():
    """Make the lab's apk key once and put its public half where mkpxerd finds it."""
    if not os.path.isfile(APK_KEY + ".pub"):
        run([os.path.join(REPO, "tests", "apk", "mkapk"), "key", os.path.dirname(APK_KEY), "nblab@nbinit"], timeout=120)
    place_in_base(APK_KEY + ".pub", APK_KEY_IN_PXERD, 0o644)


def place_in_base(src, dst, mode):
    """Copy SRC to DST in the tree mkpxerd -b reads, only when the bytes
    differ (so DST's time stamp moves only then), through a temporary file."""
    with open(src, "rb") as f:
        want = f.read()
    if os.path.isfile(dst):
        with open(dst, "rb") as f:
            if f.read() == want:
                return
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    tmp = "%s.tmp.%d" % (dst, os.getpid())
    with open(tmp, "wb") as f:
        f.write(want)
    os.chmod(tmp, mode)
    os.replace(tmp, dst)


# The pxerd's busybox (udhcpc and the rescue shell): built for musl, as
# Alpine's is, from Debian's busybox source package by tests/build-sysroot,
# and put into the kernel tree that mkpxerd -b reads, as the apk key is. The
# mkinitfs-like initrd packs this host's busybox-static instead (see
# mkinitfs_base), so both busyboxes' udhcpc run in the suite.
BUSYBOX = os.path.join(OUT, "sysroot", "bin", "busybox")
BUSYBOX_IN_PXERD = os.path.join(KERNEL_DIR, "root", "bin", "busybox")


def lab_busybox():
    """Copy out/sysroot/bin/busybox where mkpxerd -b finds it (when it differs)."""
    if not os.path.isfile(BUSYBOX):
        raise LabError("%s is missing (busybox built for musl; run tests/setup or tests/build-sysroot)" % rel(BUSYBOX))
    place_in_base(BUSYBOX, BUSYBOX_IN_PXERD, 0o755)


def pxerd_inputs():
    """Files whose change means out/pxerd must be rebuilt."""
    files = [INIT, MKPXERD, os.path.join(KERNEL_DIR, "kver"), APK_KEY_IN_PXERD, BUSYBOX_IN_PXERD]
    for d in ("features", "files.d", "modules.d"):
        top = os.path.join(REPO, d)
        if os.path.isdir(top):
            files += [os.path.join(top, n) for n in sorted(os.listdir(top))]
    try:
        files.append(os.path.join(KERNEL_DIR, "root", "lib", "modules", kernel_version(), "modules.dep"))
    except OSError:
        pass
    return files


def build_pxerd(force=False, quiet=False):
    """Build out/pxerd with ./mkpxerd when missing or older than an input. Returns its path."""
    for need, hint in ((INIT, "run make"), (os.path.join(KERNEL_DIR, "vmlinuz"), "run tests/setup"),
                       (os.path.join(KERNEL_DIR, "kver"), "run tests/setup")):
        if not os.path.isfile(need):
            raise LabError("%s is missing or not a file (%s)" % (rel(need), hint))
    if not os.path.isfile(MKPXERD):
        raise LabError("./mkpxerd is missing; cannot pack out/init into a pxerd")
    apk_test_key()
    lab_busybox()
    newest = max(os.path.getmtime(p) for p in pxerd_inputs() if os.path.exists(p))
    if not force and os.path.exists(PXERD) and os.path.getmtime(PXERD) >= newest:
        if not quiet:
            log("lab: %s is up to date" % rel(PXERD))
        return PXERD
    kver = kernel_version()
    tmp = "%s.tmp.%d" % (PXERD, os.getpid())
    argv = ["./mkpxerd", "-b", rel(os.path.join(KERNEL_DIR, "root")), "-F", "nbinit", "-i", rel(INIT),
            "-o", rel(tmp), kver]
    if not os.access(MKPXERD, os.X_OK):
        argv.insert(0, "sh")          # not (yet) executable in this tree
    log("lab: building %s: %s" % (rel(PXERD), shlex.join(argv)))
    p = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=600)
    if p.returncode != 0 or not os.path.isfile(tmp) or os.path.getsize(tmp) == 0:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        out = (p.stdout + p.stderr).strip().splitlines()[-15:]
        raise LabError("./mkpxerd failed (status %d):\n  %s" % (p.returncode, "\n  ".join(out)))
    os.replace(tmp, PXERD)
    log("lab: %s: %d bytes" % (rel(PXERD), os.path.getsize(PXERD)))
    return PXERD


# An initrd assembled the way Alpine's mkinitfs does it (tests/mkinitfs-like:
# its feature lookup, its layout, gzip), from a base directory laid out as an
# Alpine admin's would be: the kernel's modules, a static busybox, the CA
# bundle and the lab's apk key. No default.script and no /bin/sh: the init
# is udhcpc's script itself and its rescue shell is busybox's.
MKINITFS_INITRD = os.path.join(os.path.dirname(PXERD), "initramfs-mkinitfs")
MKINITFS_LIKE = os.path.join(REPO, "tests", "mkinitfs-like")


def mkinitfs_base(base):
    """Lay out BASE (an admin's root for mkinitfs -b) from out/kernel and this host."""
    kver = kernel_version()
    if os.path.isdir(base):
        shutil.rmtree(base)
    for d in ("lib/modules", "bin", "etc/ssl/certs", "etc/apk/keys"):
        os.makedirs(os.path.join(base, d))
    os.symlink(os.path.join(KERNEL_DIR, "root", "lib", "modules", kver), os.path.join(base, "lib/modules", kver))
    for src, dst in (("/bin/busybox", "bin/busybox"), ("/etc/ssl/certs/ca-certificates.crt",
                                                       "etc/ssl/certs/ca-certificates.crt"),
                     (APK_KEY_IN_PXERD, "etc/apk/keys/" + os.path.basename(APK_KEY_IN_PXERD))):
        if not os.path.isfile(src):
            raise LabError("%s is missing (needed in the mkinitfs base directory; run tests/setup)" % src)
        shutil.copy(src, os.path.join(base, dst))


def build_mkinitfs_initrd():
    """out/initramfs-mkinitfs with tests/mkinitfs-like -F nbinit (rebuilt when an input is newer)."""
    apk_test_key()
    newest = max([os.path.getmtime(p) for p in pxerd_inputs() if os.path.exists(p)] +
                 [os.path.getmtime(MKINITFS_LIKE)])
    if os.path.exists(MKINITFS_INITRD) and os.path.getmtime(MKINITFS_INITRD) >= newest:
        return MKINITFS_INITRD
    base = MKINITFS_INITRD + ".base"
    mkinitfs_base(base)
    tmp = "%s.tmp.%d" % (MKINITFS_INITRD, os.getpid())
    argv = ["sh", MKINITFS_LIKE, "-b", base, "-P", os.path.join(REPO, "features"), "-F", "nbinit",
            "-i", INIT, "-o", tmp, kernel_version()]
    log("lab: building %s: %s" % (rel(MKINITFS_INITRD), shlex.join(argv)))
    p = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=600)
    if p.returncode != 0 or not os.path.isfile(tmp):
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise LabError("tests/mkinitfs-like failed (status %d):\n  %s" %
                       (p.returncode, "\n  ".join((p.stdout + p.stderr).strip().splitlines()[-15:])))
    os.replace(tmp, MKINITFS_INITRD)
    return MKINITFS_INITRD
