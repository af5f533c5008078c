"""How a boot is shown: summaries, milestones, the init's phases, checks and logs."""

import contextlib
import os
import re
import shlex
import threading

from .base import SERVER_LOGS, rel
from .desc import DHCP_FLAVOURS, desc_http
from .console import KMSG_ECHO, WIRE, ending
from .checks import POLICIES
from .session import check_lines


def show_client(client):
    """What is about to boot: NICs, QEMU command, iPXE script, kernel command line."""
    p = print
    p("client %s: %s" % (client.name, client.scn.title))
    if client.member:
        m = client.member
        p("  NIC: e1000 %s on tap %s (bridge %s); -uuid %s; gets %s (%s) from %s"
          % (m["mac"], client.tap, client.pxenet.bridge, m["uuid"], m["ip"], m["name"],
             DHCP_FLAVOURS[client.scn.dhcp].split(" (")[0].split(" +")[0]))
    else:
        p("  NICs: %s%s%s" % (", ".join("e1000 " + m for m in client.scn.macs),
                              ("; -uuid " + client.scn.uuid) if client.scn.uuid else "",
                              ("; virtio disk %s (%s, label %s)" % (rel(client.disk), client.scn.disk["fs"],
                                                                     client.scn.disk["label"]))
                              if client.disk else ""))
    p("  qemu: %s" % shlex.join(client.argv))
    if client.member:
        p("  iPXE script (%s/%s, after DHCP):" % (desc_http(client.lab.desc), client.lab.desc["boot_script"]))
    else:
        p("  iPXE script (QEMU's TFTP hands out boot.ipxe):")
    for l in client.script.splitlines():
        p("    " + l)
    p("  kernel command line: %s" % client.cmdline)
    p("")


class LivePrinter:
    """Prints, as they arrive, the kernel's first line, the init's lines and what the bridge
    saw (or everything); with several clients each line names its client."""

    def __init__(self, everything=False, names=False):
        self.everything, self.names = everything, names
        self.kernel_seen = set()
        self.count = 0
        self.lock = threading.Lock()

    def __call__(self, client, t, line):
        who = ("%-4s " % client.member["name"]) if self.names and client.member else ""
        out = None
        if line.startswith(WIRE):
            out = "  %6.1f  %s[wire] %s" % (t, who, line[len(WIRE):])
        elif self.everything:
            out = "  %6.1f %s| %s" % (t, who, line)
        else:
            i = line.find("nbinit: ")
            if i >= 0 and not KMSG_ECHO.match(line):
                self.count += 1
                out = "  %6.1f  %s%s" % (t, who, line[i:])
            elif client not in self.kernel_seen and "Linux version" in line:
                self.kernel_seen.add(client)
                out = "  %6.1f  %s[kernel] %s" % (t, who, line.strip()[:100])
            elif line.startswith("NBLAB-BEGIN"):
                out = "  %6.1f  %s[new root] the overlay's /sbin/init runs" % (t, who)
        if out:
            with self.lock:
                print(out, flush=True)


def first_error(boot):
    """The first line that says why the boot failed ('' if none): the init's failure line,
    the line before its policy (rescue shell, reboot, power-off, halt), or a kernel panic."""
    nb = [t for _, t in boot.nbinit()]
    for i, t in enumerate(nb):
        if i and t.startswith(POLICIES):
            return nb[i - 1]
    for t in boot.text():
        if "Kernel panic - not syncing" in t:
            return t.strip()
    return ""


def init_total(boot):
    """The init's own total from its 'nbinit: timeline:' line, e.g. '7573 ms' ('' if none)."""
    for _, t in boot.nbinit():
        m = re.match(r"nbinit: timeline: .* total (\d+ ms)", t)
        if m:
            return m.group(1)
    return ""


def client_summary(client, boot):
    """One line: the client, whether and when it reached the new root, its first error."""
    who = "%s %s" % (client.member["name"], client.member["mac"]) if client.member else client.name
    if boot.root_at is not None:
        s = "%s: new root after %.1f s" % (who, boot.root_at)
        if init_total(boot):
            s += " (nbinit %s)" % init_total(boot)
    else:
        s = "%s: no new root (%s)" % (who, ending(boot))
    err = first_error(boot)
    return s + ("; first error: " + err if err else "")


def milestones(client, boot):
    """[(seconds since QEMU started, what)] of one boot, from the bridge and the console."""
    out = []

    def first(pairs, pattern, what, after=-1.0):
        for t, x in pairs:
            if t >= after and re.search(pattern, x):
                out.append((t, what(x) if callable(what) else what))
                return t
        return None

    w = boot.wire
    if client.member:
        d = client.lab.desc
        t = first(w, r"^dhcp DISCOVER", "NIC ROM (iPXE) asks for an address (DHCPDISCOVER)") or 0.0
        t = first(w, r"^dhcp ACK", lambda x: "DHCP: " + x[5:], t) or t
        t2 = first(w, r"^tftp RRQ", lambda x: "TFTP: " + x[5:] + " (the chainloaded iPXE)", t)
        t = first(w, r"^dhcp ACK .*file=http", lambda x: "iPXE's DHCP: " + x[5:], t2 or t) or t
        t = first(w, r"^http GET /%s$" % re.escape(d["boot_script"]), "HTTP: the boot script", t) or t
        t = first(w, r"^http GET /%s$" % re.escape(d["kernel"]), "HTTP: the kernel", t) or t
        t = first(w, r"^http GET /%s$" % re.escape(d["initrd"]), "HTTP: the pxerd", t) or t
    con = [(t, x) for t, x in boot.lines]
    linux = first(con, r"Linux version", "the kernel prints its first line")
    first(con, r"nbinit: starting", "nbinit runs as /init")
    if client.member and linux is not None:
        first(w, r"^dhcp ACK", lambda x: "the init's DHCP (udhcpc): " + x[5:], linux)
        first(w, r"^tcp nfs connect", "NFS: the init mounts the depot")
        first(w, r"^http GET /ovl/", lambda x: "HTTP: the overlay " + x.split()[-1])
    if boot.root_at is not None:
        out.append((boot.root_at, "new root: the overlay's /sbin/init runs as PID 1"))
    return sorted(out, key=lambda p: p[0])


def init_phases(boot):
    """The init's phases from /var/lib/nbinit/timeline: [(name, start_ms, end_ms)]."""
    out = []
    for v in boot.report.get("timeline", []):
        f = v.split("\t")
        if len(f) >= 4 and f[0] == "P":
            with contextlib.suppress(ValueError):
                out.append((f[1], int(f[2]), int(f[3])))
    return out


def show_result(client, boot, results, httpd_log_from=None):
    """Phases, the overlay's report, the checks and where the logs are. True if all checks passed."""
    p = print
    p("=== %s" % client_summary(client, boot))
    if httpd_log_from is not None:
        reqs = httpd_requests(httpd_log_from)
        p("HTTP requests served during the boot: %s" % (", ".join(reqs) or "none"))
        p("")
    ms = milestones(client, boot)
    if ms:
        p("phases (seconds since QEMU started; +time since the step before):")
        prev = 0.0
        for t, what in ms:
            p("  %6.1f  +%5.1f  %s" % (t, t - prev, what))
            prev = t
        p("")
    phases = init_phases(boot)
    if phases:
        p("the init's own timeline (/var/lib/nbinit/timeline in the new root; ms since the kernel started):")
        for name, a, b in phases:
            p("  %-9s %6d -> %6d  %5d ms" % (name, a, b, b - a))
        if init_total(boot):
            p("  total     %s" % init_total(boot))
        p("")
    if boot.began:
        r = boot.report
        p("report from the booted root (the overlay's /sbin/init):")
        rows = [
            ("overlay", [boot.kv("boot")["APKOVL"]] if boot.kv("boot").get("APKOVL") else []),
            ("overlay id", r.get("id", [])),
            ("repositories", r.get("repo", []) or r.get("repo-missing", [])),
            ("addresses", r.get("addr", [])),
            ("default route", ["via %s dev %s" % tuple(v.split()[1:3]) if len(v.split()) >= 3 else v
                               for v in r.get("route", [])]),
            ("host name", r.get("hostname", [])),
            ("nameservers", r.get("nameserver", [])),
            ("mounts", r.get("mount", [])),
            ("boot repos", r.get("bootrepo", [])),
            ("nbinit/net", [" ".join(r.get("net", []))] if r.get("net") else []),
            ("nbinit/boot", [" ".join(r.get("boot", []))] if r.get("boot") else []),
        ]
        for k, vals in rows:
            for i, v in enumerate(vals or ["-"]):
                p("  %-14s %s" % (k if i == 0 else "", v))
        p("")
    else:
        p("the overlay's report never started (no NBLAB-BEGIN); last console lines:")
        for l in boot.text()[-20:]:
            p("  | " + l)
        p("")
    p("checks:")
    for l in check_lines(results):
        p("  " + l)
    passed = sum(1 for r in results if r[1])
    p("")
    p("result: %s (%d/%d checks); %s" % (
        "PASS" if passed == len(results) else "FAIL", passed, len(results), ending(boot)))
    p("logs:   console %s" % rel(client.console))
    p("        qemu    %s   command: %s" % (rel(client.qemulog), rel(os.path.join(client.dir, "qemu.cmd"))))
    p("        servers %s" % ", ".join(rel(v) for k, v in sorted(SERVER_LOGS.items())))
    if client.member:
        p("        wire    %s" % rel(os.path.join(client.lab.rundir, "wire.log")))
    p("        run     %s (out/lab/last)" % rel(client.lab.dir))
    p("")
    return passed == len(results)


def httpd_requests(offset):
    """'GET /path STATUS' for the httpd log lines after OFFSET."""
    path = SERVER_LOGS.get("httpd")
    if not path:
        return []
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            text = f.read().decode("utf-8", "replace")
    except OSError:
        return []
    out, pending = [], {}
    for line in text.splitlines():
        m = re.match(r"(\S+): (url|response):(.*)$", line)
        if not m:
            continue
        if m.group(2) == "url":
            pending[m.group(1)] = m.group(3)
        elif m.group(1) in pending:
            out.append("%s %s" % (pending.pop(m.group(1)), m.group(3)))
    return out


def httpd_offset():
    path = SERVER_LOGS.get("httpd")
    try:
        return os.path.getsize(path) if path else 0
    except OSError:
        return 0


def show_pxe_network(sess, scn):
    """The description and the configuration the scenario's DHCP flavour runs with."""
    d = sess.lab.desc
    print("the PXE network (%s; 'qemu/lab configs' prints every generated file):" % rel(d["path"]))
    for l in sess.pxenet.describe():
        print("  " + l)
    print("")
    for name, text in sess.pxenet.configs(scn.dhcp).items():
        others = len(d["clients"]) - len(scn.members)
        print("%s (%s, generated; in %s%s):" % (name, DHCP_FLAVOURS[scn.dhcp], rel(sess.lab.rundir),
                                               "; the %d other clients' host entries left out here" % others
                                               if others else ""))
        for block in text.split("\n\n"):
            m = re.match(r"host (\S+) {", block)
            if m and m.group(1) not in scn.members:
                continue
            for l in block.splitlines():
                print("    " + l)
            print("")
