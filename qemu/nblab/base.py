"""Paths, constants, the lab's errors and its small helpers (messages, file tails)."""

import os
import sys
import threading


REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
LAUNCHER = os.path.join(REPO, "qemu", "lab")   # the command (re-run inside the namespaces)
OUT = os.path.join(REPO, "out")
LAB = os.path.join(OUT, "lab")
RUNS = os.path.join(LAB, "runs")
SERVERS_STATE = os.path.join(LAB, "servers.json")
# The server's MAC on a lab bridge (locally administered, fixed: see PxeNet).
BRIDGE_MAC = "02:6e:62:6c:61:62"
# One lock for the machine, not per checkout: it is the CPU that is shared.
VMLOCK = os.environ.get("NBLAB_VMLOCK", "/tmp/nbinit-qemu-lab.lock")
# The kernel the lab boots and packs modules from: DIR/vmlinuz, DIR/kver and
# DIR/root/lib/modules/KVER (with modules.dep). tests/setup fills out/kernel;
# NBINIT_KERNEL_DIR (the same variable tests/setup honours) points elsewhere.
KERNEL_DIR = os.path.abspath(os.environ.get("NBINIT_KERNEL_DIR") or os.path.join(OUT, "kernel"))
INIT = os.path.join(OUT, "init")
PXERD = os.path.join(OUT, "pxerd") if KERNEL_DIR == os.path.join(OUT, "kernel") \
    else os.path.join(KERNEL_DIR, "pxerd")
MKPXERD = os.path.join(REPO, "mkpxerd")
REPORT_SCRIPT = os.path.join(REPO, "tests", "lab", "nblab-report.sh")

GUEST_HOST = "10.0.2.2"        # QEMU user networking's name for the host's 127.0.0.1
GUEST_ADDR = "10.0.2.15/24"    # what QEMU's DHCP hands out
GUEST_DNS = "10.0.2.3"
NFS_PORT = 2049
MNT_PORT = 20048
NFS_PSEUDO = "/depot"
# Every address of the namespace: 127.0.0.1 for QEMU user networking, the
# bridge's address for the PXE network. Nothing outside the namespace sees it.
NFS_BIND = "0.0.0.0"
BOOT_REPO = "alpine/v3.20/main"   # under the depot, holds .boot_repository
# glibc's getaddrinfo(AI_ADDRCONFIG) ignores loopback addresses: with lo
# alone ganesha cannot resolve Bind_addr 127.0.0.1 at all, and without an
# IPv6 address it binds its IPv6 socket to the wildcard instead of
# ::ffff:127.0.0.1. Addresses from the documentation ranges on lo (routed
# nowhere) make it bind where it is told.
NS_EXTRA_ADDRS = ("198.51.100.1/32", "2001:db8::1/128")
KEEP_RUNS = 10
DEFAULT_TIMEOUT = 120
SERVER_WAIT = {"rpcbind": 10, "nfs-ganesha": 30, "httpd": 10}
VMLOCK_WAIT = 1800

PR_SET_PDEATHSIG = 1


class LabError(Exception):
    """A failure of the lab itself (not of the init): one line for the admin."""


class Stopped(Exception):
    """SIGINT/SIGTERM/SIGHUP arrived: unwind and clean up."""


STOP = threading.Event()


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def rel(path):
    """PATH relative to the repository when it is inside it (shorter messages)."""
    r = os.path.relpath(path, REPO)
    return path if r.startswith("..") else r


def tail(path, n=20):
    """The last N lines of a text file ([] if it cannot be read)."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return []
    text = data.decode("utf-8", "replace").replace("\r", "")
    return text.splitlines()[-n:]

SERVER_LOGS = {}      # server name -> log file, for the messages
