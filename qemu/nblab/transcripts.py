"""Transcripts: what one client showed (console lines and wire events with their
arrival times, how QEMU ended) and the values its checks referred to, saved as
text after every boot (clients/<name>/transcript.txt) so that the self-check
can judge checks on real consoles (tests/lab/transcripts)."""

import gzip
import os

from .base import KERNEL_DIR, PXERD, rel
from .console import WIRE, Boot
from .desc import desc_client, desc_http, load_description
from .scenarios import Ctx

HEAD = "# nblab transcript"
KEYS = ("scenario", "member", "http", "depot", "nonce", "marker", "ended", "rc", "elapsed")
# Optional: "lab" (out/kernel's vmlinuz, the pxerd) unless --kernel or --initrd gave another file.
INPUTS = ("kernel", "initrd")


def save(client, boot):
    """Write CLIENT's BOOT to clients/<name>/transcript.txt; return its path."""
    x = client.ctx
    meta = {"scenario": client.scn.name, "member": client.member["name"] if client.member else "-",
            "http": x.http, "depot": x.depot, "nonce": x.nonce, "marker": x.marker,
            "ended": boot.ended, "rc": "" if boot.rc is None else boot.rc, "elapsed": "%.1f" % boot.elapsed,
            "kernel": "lab" if client.lab.kernel == os.path.join(KERNEL_DIR, "vmlinuz") else rel(client.lab.kernel),
            "initrd": "lab" if client.lab.initrd == PXERD else rel(client.lab.initrd)}
    events = sorted(list(boot.lines) + [(t, WIRE + w) for t, w in boot.wire], key=lambda e: e[0])
    path = os.path.join(client.dir, "transcript.txt")
    with open(path, "w") as f:
        f.write(HEAD + "\n")
        for k in KEYS + INPUTS:
            f.write("# %s %s\n" % (k, meta[k]))
        for t, text in events:
            f.write("%.3f\t%s\n" % (t, text))
    return path


class Transcript:
    """A saved transcript: NAME (its client), META (KEYS) and (seconds, text) EVENTS."""

    def __init__(self, path):
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8", errors="replace") as f:
            text = f.read().split("\n")
        if not text or text[0] != HEAD:
            raise ValueError("%s: not an nblab transcript" % path)
        self.path = path
        self.name = os.path.basename(path).split(".")[0]
        self.meta, self.events = {}, []
        for line in text[1:]:
            if line.startswith("# "):
                k, _, v = line[2:].partition(" ")
                self.meta[k] = v
            elif line:
                t, _, x = line.partition("\t")
                self.events.append((float(t), x))
        missing = [k for k in KEYS if k not in self.meta]
        if missing:
            raise ValueError("%s: no %s" % (path, ", ".join(missing)))
        for k in INPUTS:
            self.meta.setdefault(k, "lab")

    def lab_inputs(self):
        """Whether the client booted the lab's kernel and pxerd (else it is no boot of its scenario)."""
        return all(self.meta[k] == "lab" for k in INPUTS)

    def boot(self):
        """The Boot this transcript records, as the lab saw it."""
        b = Boot(ended=self.meta["ended"], rc=int(self.meta["rc"]) if self.meta["rc"] else None, elapsed=float(self.meta["elapsed"]))
        for t, x in self.events:
            b.feed(t, x)
        return b

    def ctx(self, scn, member=None):
        """SCN's Ctx with this transcript's run values (its own member, or MEMBER of SCN)."""
        m = self.meta
        if scn.net != "pxe":
            return Ctx(scn, m["http"], m["depot"], m["nonce"], m["marker"])
        d = load_description()
        name = member or (m["member"] if m["member"] in scn.members else scn.members[0])
        return Ctx(scn, desc_http(d), d["nfs_export"], m["nonce"], m["marker"], member=desc_client(d, name), desc=d)


def load_all(directory):
    """The transcripts in DIRECTORY (*.txt, *.txt.gz), by client name."""
    out = {}
    if os.path.isdir(directory):
        for n in sorted(os.listdir(directory)):
            if n.endswith((".txt", ".txt.gz")):
                t = Transcript(os.path.join(directory, n))
                out[t.name] = t
    return out
