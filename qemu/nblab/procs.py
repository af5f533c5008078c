"""Processes, namespaces and the machine-wide VM lock."""

import contextlib
import ctypes
import fcntl
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time

from .base import (LAB, LAUNCHER, LabError, NS_EXTRA_ADDRS, PR_SET_PDEATHSIG, REPO, STOP, Stopped,
                   VMLOCK, VMLOCK_WAIT, log, rel, tail)


def run(argv, timeout=30, check=True, **kw):
    """Run a short helper command; its output is returned, failure is a LabError."""
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, **kw)
    except FileNotFoundError:
        raise LabError("%s: not installed (tests/setup installs it)" % argv[0])
    except subprocess.TimeoutExpired:
        raise LabError("%s: no answer within %d s" % (shlex.join(argv), timeout))
    if check and p.returncode != 0:
        raise LabError("%s: exit %d: %s" % (shlex.join(argv), p.returncode,
                                             (p.stderr or p.stdout).strip().replace("\n", " | ")))
    return p


def wait_for(what, logfile, seconds, probe, proc=None):
    """Call PROBE until it returns a true value, at most SECONDS; return that value.

    PROBE returns a false value (or raises LabError) while the server is not
    ready. If PROC dies, or time runs out, the LabError names WHAT and LOGFILE.
    """
    deadline = time.monotonic() + seconds
    last = "no answer"
    while True:
        if STOP.is_set():
            raise Stopped("stopped")
        if proc is not None and proc.poll() is not None:
            raise LabError("%s exited with status %s while starting; see %s:\n  %s" % (
                what, proc.returncode, rel(logfile), "\n  ".join(tail(logfile, 8))))
        try:
            got = probe()
            if got:
                return got
        except LabError as e:
            last = str(e)
        if time.monotonic() >= deadline:
            raise LabError("%s did not answer within %d s (%s); see %s:\n  %s" % (
                what, seconds, last, rel(logfile), "\n  ".join(tail(logfile, 8))))
        time.sleep(0.3)


def stop_process(proc, name, grace=5.0):
    """SIGTERM PROC, SIGKILL after GRACE seconds; never raises."""
    if proc is None or proc.poll() is not None:
        return
    try:
        proc.terminate()
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        log("lab: %s ignored SIGTERM for %.0f s; killing it" % (name, grace))
        proc.kill()
        proc.wait()
    except ProcessLookupError:
        pass


# ---------------------------------------------------------------- namespaces

def in_namespace():
    return os.environ.get("NBLAB_NS") == "1"


def run_in_namespace(argv):
    """Re-run 'qemu/lab ARGV' as PID 1 of new net, mount and PID namespaces.

    Returns its exit status. SIGINT/SIGTERM/SIGHUP are passed on as SIGTERM
    (a second one kills). If this process dies, unshare dies with it
    (PDEATHSIG) and takes the whole namespace down (--kill-child).
    """
    if os.geteuid() != 0:
        raise LabError("needs root (network namespace, nfs-ganesha, rpcbind)")
    unshare = shutil.which("unshare")
    if not unshare:
        raise LabError("unshare (util-linux) not found")
    libc = ctypes.CDLL(None, use_errno=True)

    def child_setup():
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)

    env = dict(os.environ, NBLAB_NS="1")
    cmd = [unshare, "--net", "--mount", "--pid", "--fork", "--kill-child=SIGKILL",
           "--propagation", "private", "--", sys.executable, LAUNCHER] + argv
    proc = subprocess.Popen(cmd, env=env, start_new_session=True, preexec_fn=child_setup)
    signals = []

    def forward(sig, frame):
        signals.append(sig)
        try:
            if len(signals) == 1:
                # unshare blocks SIGTERM; the lab in its process group gets it.
                os.killpg(proc.pid, signal.SIGTERM)
            else:
                proc.kill()
        except ProcessLookupError:
            pass

    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, forward)
    rc = proc.wait()
    if rc < 0:
        return 128 - rc
    if rc == 0 and signals:
        return 128 + signals[0]
    return rc


def setup_namespace():
    """Inside the new namespaces: proc, lo, a private /run. Returns our host pid."""
    host_pid = int(os.readlink("/proc/self"))   # the host's /proc is still mounted here
    run(["mount", "-t", "proc", "proc", "/proc"])
    run(["ip", "link", "set", "lo", "up"])
    for addr in NS_EXTRA_ADDRS:
        run(["ip", "addr", "add", addr, "dev", "lo"])
    # rpcbind's socket and lock live in /run; ours must not meet the host's.
    run(["mount", "-t", "tmpfs", "-o", "mode=0755,size=16m", "nblab-run", "/run"])
    os.makedirs("/run/rpcbind", exist_ok=True)
    return host_pid


def install_stop_handlers():
    """SIGINT/SIGTERM/SIGHUP raise Stopped once in the main thread and set STOP."""
    def handler(sig, frame):
        if STOP.is_set():
            return
        STOP.set()
        raise Stopped(signal.Signals(sig).name)

    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, handler)


def ignore_stop_signals():
    """While cleaning up, later signals only (re)set STOP."""
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, lambda sig, frame: STOP.set())


@contextlib.contextmanager
def vm_lock(wait=VMLOCK_WAIT):
    """Hold VMLOCK: one lab run on this machine boots VMs at a time (two cores)."""
    os.makedirs(LAB, exist_ok=True)
    f = open(VMLOCK, "a+")
    with contextlib.suppress(OSError):
        os.chmod(VMLOCK, 0o666)
    deadline = time.monotonic() + wait
    told = False
    try:
        while True:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not told:
                    f.seek(0)
                    holder = f.read().strip() or "?"
                    log("lab: another lab run (%s) is booting VMs; waiting up to %d s for %s"
                        % (holder, wait, VMLOCK))
                    told = True
                if STOP.is_set():
                    raise Stopped("stopped")
                if time.monotonic() >= deadline:
                    raise LabError("%s still held after %d s" % (VMLOCK, wait))
                time.sleep(1)
        f.seek(0)
        f.truncate()
        f.write("pid %s in %s since %s\n" % (os.environ.get("NBLAB_HOST_PID", "?"), REPO,
                                              time.strftime("%H:%M:%S")))
        f.flush()
        yield
    finally:
        f.close()
