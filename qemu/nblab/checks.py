"""Checks: one expectation about a Boot each, with an example and a spoiler for the self-check."""

import re

from .base import BOOT_REPO, GUEST_HOST, NFS_PSEUDO
from .desc import desc_http
from .console import WIRE

# The lines the init prints after a fatal failure line: its failure policies.
SHELL = "nbinit: starting rescue shell"
POLICIES = (SHELL, "nbinit: rebooting", "nbinit: powering off", "nbinit: halting")
# A failure line, 'nbinit: PHASE: OBJECT: CAUSE', as every check reads it; a
# warning ('nbinit: warning: ...') has the same shape and is not one.
FAIL_FORM = re.compile(r"nbinit: (?!warning: )[a-z]+: .+: .+")


class Check:
    """One expectation about a Boot.

    test(boot) -> (ok, expected, seen). For the lab's self-check, example()
    gives (console lines, report lines) that satisfy it and spoil(lines,
    meta) returns a transcript on which it must fail.
    """

    def __init__(self, what, test, example, spoil):
        self.what, self.test, self.example, self.spoil = what, test, example, spoil


def replace_line(old, new):
    """A spoiler: the transcript with line OLD replaced by NEW (or dropped if NEW is None)."""
    def spoil(lines, meta):
        out = [l for l in lines if l != old] if new is None else [new if l == old else l for l in lines]
        return out, meta
    return spoil


def c_init_ran():
    def test(b):
        lines = b.nbinit()
        return bool(lines), "lines starting with 'nbinit: '", (lines[0][1] if lines else "none")
    def spoil(lines, meta):
        return [l for l in lines if "nbinit: " not in l], meta
    return Check("the init ran (prints nbinit: lines)", test, lambda: (["nbinit: starting"], []), spoil)


def c_booted():
    def test(b):
        seen = "NBLAB-BEGIN %s, NBLAB-END %s, pid1 %s" % (
            "seen" if b.began else "missing", "seen" if b.finished else "missing",
            ",".join(b.report.get("pid1", [])) or "?")
        return b.began and b.finished and b.report.get("pid1") == ["1"], \
            "the overlay's /sbin/init reports as PID 1", seen
    return Check("booted into the overlay's /sbin/init as PID 1", test,
                 lambda: ([], ["NBLAB pid1 1"]), replace_line("NBLAB pid1 1", "NBLAB pid1 23"))


def c_no_failure():
    bad = POLICIES + ("Kernel panic - not syncing",)

    def test(b):
        hits = [t for t in b.text() if any(x in t for x in bad)]
        return not hits, "no rescue shell, reboot, power-off, halt or panic", (hits[0] if hits else "none")

    def spoil(lines, meta):
        return lines[:1] + ["nbinit: starting rescue shell"] + lines[1:], meta
    return Check("no failure on the way", test, lambda: ([], []), spoil)


def c_nbinit_once(text, what):
    """Exactly one of the init's console lines is TEXT."""
    def test(b):
        hits = [t for _, t in b.nbinit() if t == text]
        return len(hits) == 1, "once: " + text, "%d times" % len(hits)

    def spoil(lines, meta):
        return lines + [text], meta
    return Check(what, test, lambda: ([text], []), spoil)


def c_report(key, want, what):
    line = "NBLAB %s %s" % (key, want)

    def test(b):
        seen = b.report.get(key, [])
        return want in seen, want, (" | ".join(seen) if seen else "no '%s' line" % key)
    return Check(what, test, lambda: ([], [line]), replace_line(line, line + "9"))


def c_report_exact(key, wants, what):
    lines = ["NBLAB %s %s" % (key, w) for w in wants]

    def test(b):
        seen = b.report.get(key, [])
        return seen == wants, " | ".join(wants), (" | ".join(seen) if seen else "no '%s' line" % key)

    def spoil(ls, meta):
        i = ls.index(lines[-1])
        return ls[:i + 1] + ["NBLAB %s http://example.invalid/extra" % key] + ls[i + 1:], meta
    return Check(what, test, lambda: ([], lines), spoil)


def c_net(key, want, what):
    line = "NBLAB net %s='%s'" % (key, want)

    def test(b):
        seen = b.kv("net").get(key)
        return seen == want, "%s='%s' in /var/lib/nbinit/net" % (key, want), \
            ("%s='%s'" % (key, seen) if seen is not None else "no %s" % key)
    return Check(what, test, lambda: ([], [line]), replace_line(line, "NBLAB net %s='%sx'" % (key, want)))


def c_depot_mounted(depot, server=GUEST_HOST):
    devs = ("%s:%s" % (server, depot), "%s:%s" % (server, NFS_PSEUDO))
    line = "NBLAB mount %s /media/nfs nfs" % devs[0]

    def test(b):
        m = [x for x in b.nfs_mounts() if x[0] in devs and x[1].startswith("/media/")]
        seen = " | ".join(" ".join(x) for x in b.nfs_mounts()) or "no nfs mount"
        return bool(m), "%s on /media/... (nfs)" % devs[0], seen
    return Check("the depot is NFS-mounted under /media", test, lambda: ([], [line]),
                 replace_line(line, "NBLAB mount %s /mnt nfs" % devs[0]))


def c_depot_readable(lab_marker, depot, server=GUEST_HOST):
    line = "NBLAB marker /media/nfs %s" % lab_marker
    mount = "NBLAB mount %s:%s /media/nfs nfs" % (server, depot)

    def test(b):
        seen = b.report.get("marker", [])
        ok = any(v.split(" ", 1)[1:] == [lab_marker] and v.startswith("/media/") for v in seen)
        return ok, "/media/*/.nblab-depot reads '%s'" % lab_marker, " | ".join(seen) or "no marker read"
    return Check("the depot's files are readable in the guest", test, lambda: ([], [mount, line]),
                 replace_line(line, None))


def c_bootrepo_listed(depot):
    mount = "NBLAB mount %s:%s /media/nfs nfs" % (GUEST_HOST, depot)
    repo = "NBLAB repo /media/nfs/%s" % BOOT_REPO

    devs = ("%s:%s" % (GUEST_HOST, depot), "%s:%s" % (GUEST_HOST, NFS_PSEUDO))

    def test(b):
        mounts = [m for m in b.nfs_mounts() if m[0] in devs] or b.nfs_mounts()
        if not mounts:
            return False, "<nfs mount>/%s" % BOOT_REPO, "no nfs mount, so no boot repository"
        want = [mounts[0][1].rstrip("/") + "/" + BOOT_REPO]
        seen = b.report.get("repo", [])
        return seen == want, " | ".join(want), " | ".join(seen) or "no repository line"
    return Check("/etc/apk/repositories lists the depot's .boot_repository directory", test,
                 lambda: ([], [mount, repo]), replace_line(repo, "NBLAB repo /media/nfs/alpine"))


def fatal_example(url):
    """What an init's progress line and failure line for URL may look like (self-check)."""
    return ["nbinit: overlay: GET %s" % url, "nbinit: overlay: GET %s: 404 Not Found" % url]


def failure_index(lines, url, cause):
    """Index of the first of LINES naming URL and CAUSE in the failure form, or -1."""
    for i, t in enumerate(lines):
        if url in t and cause in t and FAIL_FORM.match(t):
            return i
    return -1


def c_fatal_line(url, cause):
    progress, line = fatal_example(url)

    def test(b):
        lines = [t for _, t in b.nbinit()]
        i = failure_index(lines, url, cause)
        near = [t for t in lines if url in t]
        seen = lines[i] if i >= 0 else (" | ".join(near) or
                                         ("last nbinit lines: " + " | ".join(lines[-3:]) if lines else "no nbinit lines"))
        return i >= 0, "nbinit: <phase>: ...%s...: ...%s..." % (url, cause), seen
    return Check("a failure line names the URL and %s" % cause, test, lambda: ([progress, line], []),
                 replace_line(line, line.replace(cause, "500")))


def c_then(url, cause, then_prefix, what):
    """The nbinit line after the failure line (URL and CAUSE) starts with THEN_PREFIX."""
    progress, line = fatal_example(url)
    then = then_prefix + " in 1 s (panic=1)"

    def test(b):
        lines = [t for _, t in b.nbinit()]
        i = failure_index(lines, url, cause)
        if i < 0:
            return False, then_prefix + " ... after the failure line", "no failure line"
        nxt = lines[i + 1] if i + 1 < len(lines) else "(no further nbinit line)"
        return nxt.startswith(then_prefix), then_prefix + " ...", nxt
    return Check(what, test, lambda: ([progress, line, then], []),
                 replace_line(then, "nbinit: starting rescue shell"))


def c_qemu_exited():
    def test(b):
        return b.ended == "exited", "QEMU exits by itself (reboot with -no-reboot)", \
            "QEMU %s after %.0f s" % (b.ended if b.ended != "exited" else "exited", b.elapsed)

    def spoil(lines, meta):
        return lines, dict(meta, ended="timeout")
    return Check("the VM rebooted (QEMU exited) within the timeout", test, lambda: ([], []), spoil)


def c_no_report():
    def test(b):
        return not b.began, "no NBLAB-BEGIN", "NBLAB-BEGIN seen" if b.began else "none"

    def spoil(lines, meta):
        return lines + ["NBLAB-BEGIN"], meta
    return Check("nothing booted (no overlay report)", test, lambda: ([], []), spoil)


def c_wire(steps, what):
    """The client's wire events hold STEPS, [(regex, example)], in this order."""
    examples = [WIRE + ex for _, ex in steps]
    want = " -> ".join(ex for _, ex in steps)

    def test(b):
        texts = [x for _, x in b.wire]
        i = 0
        for rx, ex in steps:
            while i < len(texts) and not re.search(rx, texts[i]):
                i += 1
            if i == len(texts):
                return False, want, "no '%s' after the steps before it; the wire showed: %s" % (
                    ex, " | ".join(texts[:60]) or "nothing")
            i += 1
        return True, want, " | ".join(texts)
    return Check(what, test, lambda: (examples, []), replace_line(examples[0], None))


def c_pxe_chain(x):
    """The chain of a PXE-network boot as the bridge saw it, for the scenario's DHCP flavour."""
    d, m = x.desc, x.member
    ip, pxe_file = m["ip"], d["pxe_file"]
    script = "%s/%s" % (desc_http(d), d["boot_script"])
    e = re.escape
    if x.scn.dhcp == "isc":
        steps = [(r"^dhcp ACK %s file=%s( |$)" % (e(ip), e(pxe_file)),
                  "dhcp ACK %s file=%s next-server=%s" % (ip, pxe_file, x.server)),
                 (r"^tftp RRQ %s$" % e(pxe_file), "tftp RRQ " + pxe_file),
                 (r"^dhcp ACK %s file=%s( |$)" % (e(ip), e(script)), "dhcp ACK %s file=%s" % (ip, script))]
        what = "the ROM got %s over TFTP, iPXE then the boot script by DHCP" % pxe_file
    elif x.scn.dhcp == "dnsmasq":
        steps = [(r"^dhcp ACK %s file=%s( |$)" % (e(ip), e(script)), "dhcp ACK %s file=%s" % (ip, script))]
        what = "dnsmasq gave the ROM's iPXE its address and the boot script"
    else:
        steps = [(r"^dhcp ACK %s( |$)" % e(ip), "dhcp ACK %s next-server=%s" % (ip, x.server)),
                 (r"^dhcp ACK \S+ file=%s .*\(port 4011\)$" % e(script),
                  "dhcp ACK %s file=%s (port 4011)" % (ip, script))]
        what = "dhcpd gave the address, the proxy-DHCP answer the boot script"
    steps += [(r"^http GET /%s$" % e(d["boot_script"]), "http GET /" + d["boot_script"]),
              (r"^http GET /%s$" % e(d["kernel"]), "http GET /" + d["kernel"]),
              (r"^http GET /%s$" % e(d["initrd"]), "http GET /" + d["initrd"]),
              (r"^tcp nfs connect from %s$" % e(ip), "tcp nfs connect from " + ip),
              (r"^http GET /ovl/%s\.apkovl\.tar\.gz$" % e(m["mac"]), "http GET /ovl/%s.apkovl.tar.gz" % m["mac"])]
    return c_wire(steps, "on the wire: " + what + ", then kernel, pxerd, NFS, overlay")
