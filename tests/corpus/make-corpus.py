#!/usr/bin/env python3
"""Write the apkovl test corpus (tests/corpus/*.tar.gz) next to this script.

Deterministic: fixed mtimes, owners and contents, gzip header mtime 0 and
no file name in it, so running it again gives the same bytes (with the same
zlib). tests/corpus/README says what each archive is and what nbinit must
do with it; tests/unit/test_extract.c checks exactly that.
"""
import gzip
import io
import os
import tarfile

HERE = os.path.dirname(os.path.abspath(__file__))
MTIME = 1700000000


def ent(name, kind=tarfile.REGTYPE, data=b"", mode=0o644, link="", uid=0,
        gid=0, dev=(0, 0), pax=None):
    """A (TarInfo, data) pair with fixed metadata."""
    ti = tarfile.TarInfo(name)
    ti.type = kind
    ti.mode = mode
    ti.mtime = MTIME
    ti.uid, ti.gid = uid, gid
    ti.uname = "root" if uid == 0 else "u%d" % uid
    ti.gname = "root" if gid == 0 else "g%d" % gid
    ti.linkname = link
    ti.devmajor, ti.devminor = dev
    ti.size = len(data) if kind == tarfile.REGTYPE else 0
    if pax:
        ti.pax_headers = dict(pax)
    return ti, data


def tar_bytes(entries, fmt=tarfile.GNU_FORMAT, end_marker=True):
    """The tar archive of ENTRIES; without END_MARKER it stops right after
    the last entry's data (no zero blocks, no record padding)."""
    buf = io.BytesIO()
    t = tarfile.open(fileobj=buf, mode="w", format=fmt)
    for ti, data in entries:
        t.addfile(ti, io.BytesIO(data) if ti.size else None)
    last = t.offset
    t.close()
    raw = buf.getvalue()
    return raw if end_marker else raw[:last]


def gz(raw):
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0,
                       compresslevel=9) as g:
        g.write(raw)
    return out.getvalue()


def noise(n, seed=12345):
    """N bytes of printable pseudo-random text (a fixed LCG, no imports)."""
    x, out = seed, bytearray()
    while len(out) < n:
        x = (x * 1103515245 + 12345) & 0x7FFFFFFF
        out.append(33 + (x >> 16) % 94)
        if len(out) % 64 == 63:
            out.append(10)
    return bytes(out[:n])


LONG = ("etc/ssl/certs/local-ca-with-a-deliberately-long-file-name-so-that-"
        "the-archive-needs-a-gnu-long-name-record.pem")

GOOD = [
    ent("etc/", tarfile.DIRTYPE, mode=0o755),
    ent("etc/hostname", data=b"nbtest\n"),
    ent("etc/apk/", tarfile.DIRTYPE, mode=0o755),
    ent("etc/apk/world", data=b"alpine-base\nopenssh\n"),
    ent("etc/runlevels/", tarfile.DIRTYPE, mode=0o755),
    ent("etc/runlevels/default/", tarfile.DIRTYPE, mode=0o755),
    ent("etc/runlevels/default/sshd", tarfile.SYMTYPE, mode=0o777,
        link="/etc/init.d/sshd"),
    ent("etc/motd", data=b"Welcome to nbtest.\n"),
    ent("etc/issue", tarfile.LNKTYPE, link="etc/motd"),
    ent("./etc/local.d/boot.start", data=b"#!/bin/sh\necho hi\n", mode=0o755),
    ent(LONG, data=b"-----BEGIN CERTIFICATE-----\n"),
    ent("root/", tarfile.DIRTYPE, mode=0o700),
    ent("root/.ssh/", tarfile.DIRTYPE, mode=0o700),
    ent("root/.ssh/authorized_keys", data=b"ssh-ed25519 AAAAC3Nz test@lab\n",
        mode=0o600),
    ent("home/alpine/", tarfile.DIRTYPE, mode=0o750, uid=1000, gid=1000),
    ent("home/alpine/.profile", data=b"export PS1='$ '\n", uid=1000, gid=1000),
]

CORPUS = {
    "good.tar.gz": gz(tar_bytes(GOOD)),
    "abs-path.tar.gz": gz(tar_bytes([ent("/etc/passwd", data=b"pwned::0:0::/:/bin/sh\n")])),
    "dotdot.tar.gz": gz(tar_bytes([
        ent("a/", tarfile.DIRTYPE, mode=0o755),
        ent("a/../../x", data=b"escaped\n"),
        ent("../../x", data=b"escaped\n"),
    ])),
    "symlink-escape.tar.gz": gz(tar_bytes([
        ent("link", tarfile.SYMTYPE, mode=0o777, link="../.."),
        ent("link/escaped", data=b"escaped\n"),
        ent("tmp", tarfile.SYMTYPE, mode=0o777, link="/tmp"),
        ent("tmp/escaped", data=b"escaped\n"),
    ])),
    "symlink-then-write.tar.gz": gz(tar_bytes([
        ent("etc", tarfile.SYMTYPE, mode=0o777, link="/etc"),
        ent("etc/shadow", data=b"root::1:0:::::\n", mode=0o640),
    ])),
    "hardlink-escape.tar.gz": gz(tar_bytes([
        ent("passwd", tarfile.LNKTYPE, link="/etc/passwd"),
        ent("x", tarfile.LNKTYPE, link="../x"),
    ])),
    "hardlink-symlink.tar.gz": gz(tar_bytes([
        ent("l", tarfile.SYMTYPE, mode=0o777, link="/etc/passwd"),
        ent("h", tarfile.LNKTYPE, link="l"),
    ])),
    "pax-dotdot.tar.gz": gz(tar_bytes([
        ent("innocent", data=b"escaped\n", pax={"path": "../../x"}),
    ], fmt=tarfile.PAX_FORMAT)),
    "symlink-replace.tar.gz": gz(tar_bytes([
        ent("x", data=b"first\n"),
        ent("x", tarfile.SYMTYPE, mode=0o777, link="../outside/x"),
        ent("x", data=b"second\n"),
    ])),
    "device.tar.gz": gz(tar_bytes([
        ent("dev/", tarfile.DIRTYPE, mode=0o755),
        ent("dev/mem", tarfile.CHRTYPE, mode=0o600, dev=(1, 1)),
    ])),
    # unpacks fine: the link is only a hazard to the init's own writes
    # later (/etc/apk/repositories, world, keys), which must refuse it
    "planted-apk-link.tar.gz": gz(tar_bytes([
        ent("etc/", tarfile.DIRTYPE, mode=0o755),
        ent("etc/hostname", data=b"planted\n"),
        ent("etc/apk", tarfile.SYMTYPE, mode=0o777, link="/"),
    ])),
    "no-eof-marker.tar.gz": gz(tar_bytes([
        ent("etc/", tarfile.DIRTYPE, mode=0o755),
        ent("etc/hostname", data=b"nbtest\n"),
    ], end_marker=False)),
}

# The good overlay, gzip stream cut in half.
_good = CORPUS["good.tar.gz"]
CORPUS["truncated.tar.gz"] = _good[:len(_good) // 2]

# A 40 KiB file of noise, with bytes flipped in the middle of the deflate data.
_c = bytearray(gz(tar_bytes([ent("etc/noise", data=noise(40000))])))
for i in range(len(_c) // 2, len(_c) // 2 + 8):
    _c[i] ^= 0x5A
CORPUS["corrupt.tar.gz"] = bytes(_c)


def main():
    for name, data in sorted(CORPUS.items()):
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(data)
        print("%-28s %6d bytes" % (name, len(data)))


if __name__ == "__main__":
    main()
