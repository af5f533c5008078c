#!/usr/bin/env python3
"""Write the seed corpora under fuzz/corpus/<fuzzer>/ (committed; run again
after changing this file). Text seeds are inline; tar, gzip and compressed
module seeds are built with fixed times so the output does not change."""
import gzip
import io
import lzma
import os
import shutil
import subprocess
import sys
import tarfile

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")

CMDLINE = {
    "alpine-iso": b"BOOT_IMAGE=/boot/vmlinuz-lts modules=loop,squashfs,sd-mod,usb-storage"
                  b" quiet console=tty0 console=ttyS0,115200n8\n",
    "netboot": b'ip=dhcp alpine_repo=http://dl-cdn.alpinelinux.org/alpine/v3.20/main'
               b' modloop=http://10.0.0.1/boot/modloop-lts'
               b' apkovl="http://10.0.0.1/ovl/{MAC}.apkovl.tar.gz"'
               b' ssh_key=http://10.0.0.1/keys/admin.pub\n',
    "static-nfs": b"ip=10.0.2.15:10.0.2.2:10.0.2.2:255.255.255.0:nb1:eth0:off:10.0.2.3"
                  b" alpine_dev=nfs:10.0.2.2:/srv/alpine modules=virtio_net,nfs"
                  b" panic=10 -- single\n",
    "quotes": b'a="b c" "d e"=f "g=h i" =x x= "" y="" pkgs="openssh chrony"'
              b' rootflags="size=512M" "unterminated\n',
    "last-wins": b"ip=off ip=dhcp ip= ip apkovl=a apkovl=\"b\" \t\n debug_init",
}

IPCONF = {
    "dhcp": b"dhcp",
    "off": b"off",
    "static": b"10.0.0.5::10.0.0.1:255.255.255.0:node1:eth0:off",
    "full": b"10.0.2.15:10.0.2.2:10.0.2.2:255.255.255.0:nb1:eth0:none:10.0.2.3:1.1.1.1:10.0.2.2",
    "device-only": b":::::eth0:dhcp",
    "classful": b"192.168.1.20",
    "class-d": b"224.0.0.1::::::",
    "bad-mask": b"10.0.0.5:::255.0.255.0::eth0:off",
}

URL = {
    "alpine-repo": b"http://10.0.0.1/alpine/v3.20/main\n../community\n"
                   b"52:54:00:12:34:56\n4c4c4544-0038-5210-8052-b4c04f4d3732",
    "apkovl": b"https://boot.example.org:8443/ovl/{MAC}.apkovl.tar.gz?v=1#top\n"
              b"/other/{UUID}?x=1\n52-54-00-12-34-56",
    "ipv6": b"http://[fe80::1]:8080/a/b/c/./../d?q=/x\n?only-query\n",
    "scheme-relative": b"http://10.0.0.1\n//mirror.example.org/path\n",
    "other-scheme": b"ftp://10.0.0.1/x\nhttp://other/abs#f\n{MAC}{UUID}",
}

LEASE = (b"interface='eth0'\nip='10.0.2.15'\nsubnet='255.255.255.0'\nmask='24'\n"
         b"router='10.0.2.2'\ndns='10.0.2.3 10.0.2.4'\nhostname='node1'\n"
         b"domain='lab.example'\nsiaddr='10.0.2.2'\nserverid='10.0.2.2'\n"
         b"ntpsrv='10.0.2.2'\nlease='86400'\nboot_file='pxelinux.0'\n"
         b"broadcast='10.0.2.255'\n")

KV = {
    "udhcpc-lease": LEASE,
    "escaped": b"hostname='it'\\''s'\ndomain='a b'\nip=10.0.0.9\nrouter='x\ny'\n",
    "net-conf": b"METHOD='dhcp'\nIFACE='eth0'\nMAC='52:54:00:12:34:56'\n"
                b"ADDRESS='10.0.2.15'\nNETMASK='255.255.255.0'\nPREFIX='24'\n"
                b"GATEWAY=''\nDNS='10.0.2.3'\n",
    "pairs": b"hostname\0node 1's\0domain\0lab\0boot_file\0a\\b'\0ip\0010.0.0.1",
}

MODULES_DEP = (b"kernel/fs/mbcache.ko:\n"
               b"kernel/fs/jbd2/jbd2.ko:\n"
               b"kernel/lib/crc16.ko:\n"
               b"kernel/fs/ext4/ext4.ko: kernel/lib/crc16.ko kernel/fs/mbcache.ko kernel/fs/jbd2/jbd2.ko\n"
               b"kernel/net/core/failover.ko:\n"
               b"kernel/drivers/net/net_failover.ko: kernel/net/core/failover.ko\n"
               b"kernel/drivers/net/virtio_net.ko.xz: kernel/drivers/net/net_failover.ko"
               b" kernel/net/core/failover.ko\n"
               b"kernel/fs/squashfs/squashfs.ko.zst:\n"
               b"kernel/drivers/block/loop.ko.gz:\n")
MODULES_ALIAS = (b"# Aliases extracted from modules themselves.\n"
                 b"alias fs-ext4 ext4\nalias ext3 ext4\n"
                 b"alias pci:v00001AF4d00001000sv*sd*bc*sc*i* virtio_net\n"
                 b"alias virtio:d00000001v* virtio_net\n"
                 b"alias fs-squashfs squashfs\nalias block-major-7-* loop\n"
                 b"alias devname:loop-control loop\n")
MODULES_BUILTIN = b"kernel/drivers/block/virtio_blk.ko\nkernel/fs/nfs/nfs.ko\n"

KMOD = {
    "debian-snippet": MODULES_DEP + b"%%\n" + MODULES_ALIAS + b"%%\n" + MODULES_BUILTIN +
                      b"%%\next4\nvirtio-net\npci:v00001AF4d00001000sv00001AF4sd00000001bc02sc00i00\n"
                      b"fs-squashfs\nvirtio_blk\nnosuchmodule\n",
    "dep-only": MODULES_DEP,
    "cycle": b"a.ko: b.ko\nb.ko: c.ko\nc.ko: a.ko\nd-e.ko: d-e.ko\n%%\nalias x* a\n%%\n%%\na\nd_e\nxyz\n",
    "odd-lines": b"\n:\nnocolon\n/abs/path/m.ko: ../up.ko  \tspaced.ko\nm.ko:m.ko\n%%\n"
                 b"alias\nalias onlypattern\nalias [a-c]-[x_y]* m\nalias * m\n%%\n\n%%\nb-x_1\n[\n",
}

TAR_MTIME = 1700000000


def add(t, name, type_=tarfile.REGTYPE, data=b"", mode=0o644, link="", **kw):
    ti = tarfile.TarInfo(name)
    ti.type = type_
    ti.mode = mode
    ti.mtime = TAR_MTIME
    ti.uname = ti.gname = "root"
    ti.linkname = link
    for k, v in kw.items():
        setattr(ti, k, v)
    if type_ in (tarfile.REGTYPE, tarfile.AREGTYPE):
        ti.size = len(data)
        t.addfile(ti, io.BytesIO(data))
    else:
        t.addfile(ti)


def tar_bytes(fmt, entries):
    buf = io.BytesIO()
    t = tarfile.open(fileobj=buf, mode="w", format=fmt)
    for e in entries:
        add(t, *e[:2], **e[2] if len(e) > 2 else {})
    end = t.offset
    t.close()
    # keep the end-of-archive marker, drop the padding to a 10 KiB record
    return buf.getvalue()[:end + 1024]


APKOVL = [
    ("etc", tarfile.DIRTYPE, {"mode": 0o755}),
    ("etc/hostname", tarfile.REGTYPE, {"data": b"node1\n"}),
    ("etc/apk", tarfile.DIRTYPE, {"mode": 0o755}),
    ("etc/apk/world", tarfile.REGTYPE, {"data": b"alpine-base\nopenssh\nchrony\n"}),
    ("etc/local.d", tarfile.DIRTYPE, {"mode": 0o755}),
    ("etc/local.d/motd.start", tarfile.REGTYPE, {"data": b"#!/bin/sh\necho hi\n", "mode": 0o755}),
    ("etc/runlevels/default", tarfile.DIRTYPE, {"mode": 0o755}),
    ("etc/runlevels/default/sshd", tarfile.SYMTYPE, {"link": "/etc/init.d/sshd"}),
    ("etc/hostname.bak", tarfile.LNKTYPE, {"link": "etc/hostname"}),
    ("run/fifo", tarfile.FIFOTYPE, {}),
]

LONG = "d" * 60 + "/" + "e" * 70 + "/" + "f" * 40 + ".conf"

# One attack per archive, so extraction stopping at the first refusal does
# not hide the others from the seeds.
HOSTILE = {
    "dotdot": [("../escape", tarfile.REGTYPE, {"data": b"x"})],
    "absolute": [("/abs", tarfile.REGTYPE, {"data": b"x"})],
    "inner-dotdot": [("a", tarfile.DIRTYPE, {}),
                     ("a/../../up", tarfile.REGTYPE, {"data": b"x"})],
    "symlink-root": [("link", tarfile.SYMTYPE, {"link": "/"}),
                     ("link/through", tarfile.REGTYPE, {"data": b"x"})],
    "symlink-up": [("up", tarfile.SYMTYPE, {"link": ".."}),
                   ("up/sibling/canary", tarfile.REGTYPE, {"data": b"x"})],
    "symlink-dir": [("s", tarfile.SYMTYPE, {"link": "../sibling"}),
                    ("s/", tarfile.DIRTYPE, {}),
                    ("s/new", tarfile.REGTYPE, {"data": b"x"})],
    "hardlink-out": [("hard", tarfile.LNKTYPE, {"link": "../sibling/canary"})],
    "hardlink-abs": [("hard", tarfile.LNKTYPE, {"link": "/sibling/canary"})],
    "device": [("null", tarfile.CHRTYPE, {"devmajor": 1, "devminor": 3})],
    "mode-0-dir": [("dir", tarfile.DIRTYPE, {"mode": 0o000}),
                   ("dir/x", tarfile.REGTYPE, {"data": b"x"})],
}

REPLACE = [
    ("f", tarfile.REGTYPE, {"data": b"one"}),
    ("f", tarfile.SYMTYPE, {"link": "/etc/passwd"}),
    ("f", tarfile.REGTYPE, {"data": b"two"}),
    ("d", tarfile.REGTYPE, {"data": b"file first"}),
    ("d/x", tarfile.REGTYPE, {"data": b"under a file"}),
    ("s", tarfile.SYMTYPE, {"link": "d"}),
    ("s", tarfile.DIRTYPE, {}),
]


def dns_answer(qsel, id_, name, rrs, an, flags=0x81, rcode=0x80):
    """First byte picks the question in fuzz_dns.c; then the message."""
    q = b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0\0\1\0\1"
    hdr = bytes([id_ >> 8, id_ & 255, flags, rcode, 0, 1, 0, an, 0, 0, 0, 0])
    return bytes([qsel]) + hdr + q + rrs


def a_rr(ptr, ip):
    return bytes([0xC0, ptr, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4]) + bytes(ip)


DNS = {
    "a-record": dns_answer(0, 0xBEEF, "boot.example", a_rr(12, [10, 0, 2, 2]), 1),
    "two-a": dns_answer(1, 0x1234, "x", a_rr(12, [10, 0, 0, 1]) + a_rr(12, [10, 0, 0, 2]), 2),
    "cname-a": dns_answer(0, 0x0102, "boot.example",
                          bytes([0xC0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 6, 3]) + b"www" + bytes([0xC0, 12])
                          + a_rr(30, [10, 0, 0, 7]), 2),
    "nxdomain": dns_answer(0, 0x0909, "boot.example", b"", 0, rcode=0x83),
    "truncated": dns_answer(3, 0x7777, "a.b.c.d.e.f.g", a_rr(12, [1, 2, 3, 4])[:9], 1, flags=0x83),
}


def gz(data):
    return gzip.compress(data, mtime=0)


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def main():
    if os.path.isdir(CORPUS):
        shutil.rmtree(CORPUS)
    for name, data in CMDLINE.items():
        write("cmdline", name, data)
    for name, data in IPCONF.items():
        write("ipconf", name, data)
    for name, data in URL.items():
        write("url", name, data)
    for name, data in KV.items():
        write("kv", name, data)
    for name, data in KMOD.items():
        write("kmod", name, data)
    for name, data in DNS.items():
        write("dns", name, data)

    tars = {
        "apkovl-ustar": tar_bytes(tarfile.USTAR_FORMAT, APKOVL),
        "gnu-longname": tar_bytes(tarfile.GNU_FORMAT, [
            (LONG, tarfile.REGTYPE, {"data": b"long\n"}),
            ("l", tarfile.SYMTYPE, {"link": LONG})]),
        "pax": tar_bytes(tarfile.PAX_FORMAT, [
            (LONG + "/\u00e9t\u00e9", tarfile.REGTYPE, {"data": b"pax\n", "uid": 3000000}),
            ("big-mtime", tarfile.REGTYPE, {"data": b"", "mtime": 2 ** 34})]),
        "replace": tar_bytes(tarfile.USTAR_FORMAT, REPLACE),
        "empty": b"\0" * 1024,
    }
    for name, entries in HOSTILE.items():
        tars["hostile-" + name] = tar_bytes(tarfile.USTAR_FORMAT, entries)
    for name, data in tars.items():
        write("tar", name, data)
        write("extract", name + ".tar.gz", gz(data))
    # two gzip members, and one cut short
    write("extract", "multi-member.tar.gz",
          gz(tars["apkovl-ustar"][:1536]) + gz(tars["apkovl-ustar"][1536:]))
    write("extract", "truncated.tar.gz", gz(tars["apkovl-ustar"])[:-9])

    elf = b"\x7fELF\x02\x01\x01" + bytes(9) + b"module text " * 20
    write("modfile", "plain.ko", elf)
    write("modfile", "gzip.ko.gz", gz(elf))
    write("modfile", "xz.ko.xz", lzma.compress(elf, check=lzma.CHECK_CRC32))
    zst = shutil.which("zstd")
    if zst:
        write("modfile", "zstd.ko.zst",
              subprocess.run([zst, "-q", "-c", "-19"], input=elf, stdout=subprocess.PIPE,
                             check=True).stdout)
    else:
        print("mkseeds: no zstd, no zstd seed", file=sys.stderr)
    write("modfile", "bad-gzip.ko.gz", gz(elf)[:10] + b"\xff" * 20)


if __name__ == "__main__":
    main()
