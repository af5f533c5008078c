"""Reading a client's serial console: Boot (lines, report, wire events) and watch_console."""

import os
import re
import time

from .procs import stop_process


KMSG_ECHO = re.compile(r"^\[\s*\d+\.\d+\] nbinit: ")
# A kernel message the serial console printed into the middle of a line the
# init wrote (printk does not wait for the tty's line to end).
KMSG_INSIDE = re.compile(r"\[\s*\d+\.\d{6}\] ")
WIRE = "lab-wire: "     # prefix of the wire events fed to a Boot (no console line starts so)


class Boot:
    """What one client showed: console lines (with arrival times) and how QEMU ended."""

    def __init__(self, lines=(), ended="exited", rc=0, elapsed=0.0):
        self.lines = []        # (seconds since QEMU start, text)
        self.ended = ended     # exited | timeout | rescue-shell | panic-hang | stopped | powered-off-late
        self.rc = rc
        self.elapsed = elapsed
        self.began = self.finished = False
        self.root_at = None    # seconds after QEMU started when the new root's init reported
        self.report = {}       # key -> [values], from "NBLAB key value"
        self.wire = []         # (t, text): what the lab saw of this client on the bridge
        for t in lines:
            self.feed(0.0, t)

    def feed(self, t, text):
        if text.startswith(WIRE):
            self.wire.append((t, text[len(WIRE):]))
            return
        self.lines.append((t, text))
        i = text.find("NBLAB")
        if i < 0:
            return
        s = text[i:]
        if s.startswith("NBLAB-BEGIN"):
            self.began = True
            self.root_at = t
        elif s.startswith("NBLAB-END"):
            self.finished = True
        elif s.startswith("NBLAB ") and self.began and not self.finished:
            key, _, value = s[6:].partition(" ")
            self.report.setdefault(key, []).append(value.rstrip())

    def text(self):
        return [t for _, t in self.lines]

    def nbinit(self):
        """The init's console lines, from 'nbinit: ' on.

        Lines the init also logs to /dev/kmsg come back on the console as
        '[   1.234] nbinit: ...'; those echoes count only when the init wrote
        nothing to the console directly. A kernel message printed into an
        init's line ('nbinit: starting ...[    1.97] tsc: ...') is cut off it.
        """
        direct, echoes = [], []
        for t, text in self.lines:
            i = text.find("nbinit: ")
            if i < 0:
                continue
            line = text[i:]
            m = KMSG_INSIDE.search(line)
            if m:
                line = line[:m.start()]
            (echoes if KMSG_ECHO.match(text) else direct).append((t, line))
        return direct or echoes

    def kv(self, key):
        """Report lines 'KEY='value'' (net, boot) as a dict, quotes removed."""
        d = {}
        for v in self.report.get(key, []):
            k, eq, val = v.partition("=")
            if eq:
                if len(val) >= 2 and val[0] == val[-1] and val[0] in "'\"":
                    val = val[1:-1]
                d[k] = val
        return d

    def nfs_mounts(self):
        """(device, dir, fstype) of the NFS mounts the report saw."""
        out = []
        for v in self.report.get("mount", []):
            w = v.split()
            if len(w) >= 3 and w[2] in ("nfs", "nfs4"):
                out.append(tuple(w[:3]))
        return out


def watch_console(proc, logfile, timeout, stop_event, on_line=None, extra=None, drain=None):
    """Follow LOGFILE while PROC (QEMU) runs; return a Boot.

    EXTRA, if given, is called with the start time and returns new
    (seconds, line) pairs to feed too (the wire events of this client).
    DRAIN, if given, returns once the events of everything the client sent
    before QEMU ended have reached EXTRA (the wire reader caught up); it is
    called before EXTRA's last reading.

    Stops QEMU when the run is over: the overlay's report ended (grace for
    poweroff), the init started a rescue shell, the kernel panicked without
    rebooting, TIMEOUT seconds passed, or STOP_EVENT was set.
    """
    boot = Boot()
    start = time.monotonic()
    pos = 0
    partial = b""
    stop_at = None          # (monotonic deadline, reason)
    f = None
    while True:
        now = time.monotonic()
        if f is None and os.path.exists(logfile):
            f = open(logfile, "rb")
        if f is not None:
            f.seek(pos)
            data = f.read()
            pos += len(data)
            chunks = (partial + data).split(b"\n")
            partial = chunks.pop()
            for c in chunks:
                line = c.decode("utf-8", "replace").replace("\r", "")
                boot.feed(now - start, line)
                if on_line:
                    on_line(now - start, line)
                if stop_at is None:
                    if boot.finished:
                        stop_at = (now + 15, "powered-off-late")
                    elif "nbinit: starting rescue shell" in line:
                        stop_at = (now + 3, "rescue-shell")
                    elif "Kernel panic - not syncing" in line and "panic=" not in read_cmdline(boot):
                        stop_at = (now + 5, "panic-hang")
        if extra:
            for t, line in extra(start):
                boot.feed(t, line)
                if on_line:
                    on_line(t, line)
        rc = proc.poll()
        if rc is not None:
            boot.ended, boot.rc = "exited", rc
            break
        if stop_event.is_set():
            boot.ended = "stopped"
        elif now - start >= timeout:
            boot.ended = "timeout"
        elif stop_at and now >= stop_at[0]:
            boot.ended = stop_at[1]
        else:
            time.sleep(0.2)
            continue
        stop_process(proc, "qemu", grace=3)
        boot.rc = proc.returncode
        break
    if f is not None:
        f.seek(pos)
        rest = partial + f.read()
        f.close()
        for c in rest.split(b"\n"):
            if c:
                line = c.decode("utf-8", "replace").replace("\r", "")
                boot.feed(time.monotonic() - start, line)
                if on_line:
                    on_line(time.monotonic() - start, line)
    if extra:
        if drain:
            drain()
        for t, line in extra(start):
            boot.feed(t, line)
            if on_line:
                on_line(t, line)
    boot.elapsed = time.monotonic() - start
    return boot


ENDINGS = {
    "exited": "QEMU exited by itself",
    "timeout": "QEMU killed at the timeout",
    "rescue-shell": "QEMU stopped by the lab: the init started a rescue shell",
    "panic-hang": "QEMU stopped by the lab: kernel panic without panic= (no reboot would come)",
    "powered-off-late": "QEMU stopped by the lab: the report ended but poweroff did not",
    "stopped": "QEMU stopped by the lab (interrupted)",
}


def ending(boot):
    return "%s after %.1f s" % (ENDINGS.get(boot.ended, boot.ended), boot.elapsed)


def read_cmdline(boot):
    for _, t in boot.lines:
        i = t.find("Kernel command line: ")
        if i >= 0:
            return t[i + 21:]
    return ""
