#!/usr/bin/env python3
"""Write the seed corpora under fuzz/corpus/<fuzzer>/ (committed; run again
after changing this file). Text seeds are inline; tar, gzip and compressed
module seeds are built with fixed times so the output does not change.
A target's directory is emptied when its first seed is written; corpora
this script does not make (http) are left alone. The file system images
(blkprobe: mkfs tools, a missing one is skipped) and the TLS server
flights (tls: a certificate made by the openssl CLI, keys and randoms
fresh each run) and the apk seeds (apksig, apkindex, apkpkg, apkkey: made
by tests/apk/mkapk and tests/fixtures/abuild-sign.py with a fresh key)
change from run to run."""
import gzip
import io
import lzma
import os
import shutil
import subprocess
import sys
import ssl
import tarfile
import tempfile

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


CLEARED = set()


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    if target not in CLEARED:
        shutil.rmtree(d, ignore_errors=True)
        CLEARED.add(target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# apkdb: the world's words on the first line, then APKINDEX text; "\n\n\n"
# starts a second repository.
APKDB = {
    "base": b"alpine-base pkgs>=1 !hates\n"
            b"P:musl\nV:1.2.4-r2\nA:x86_64\nC:Q1AAAAAAAAAAAAAAAAAAAAAAAAAAA=\nS:383152\nI:622592\n"
            b"T:the musl c library\nU:https://musl.libc.org/\nL:MIT\no:musl\nm:Maintainer <m@x>\n"
            b"t:1700000000\nc:abc\np:so:libc.musl-x86_64.so.1=1\n\n"
            b"P:busybox\nV:1.36.1-r5\nA:x86_64\nD:so:libc.musl-x86_64.so.1\n"
            b"p:cmd:busybox=1.36.1-r5 cmd:sh=1.36.1-r5\n\n"
            b"P:alpine-baselayout\nV:3.4.3-r1\nA:x86_64\nD:busybox\n\n"
            b"P:alpine-base\nV:3.19.0-r0\nA:noarch\nD:alpine-baselayout busybox openrc\n\n"
            b"P:openrc\nV:0.52-r0\nA:x86_64\nD:so:libc.musl-x86_64.so.1 cmd:sh\n\n"
            b"P:pkgs\nV:1.0_rc2-r1\nA:x86_64\nD:musl>=1.2 musl<2 busybox~1.36\n\n",
    "versions": b"c>=2.0_beta3 d~1.6 e=1.0-r0 f<1.0a g><Q1AAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
                b"P:c\nV:1.0-r0\nA:x86_64\n\nP:c\nV:2.0_beta10\nA:x86_64\n\n"
                b"P:c\nV:2.0_beta3_p1\nA:x86_64\n\nP:d\nV:1.6.3-r0\nA:x86_64\n\n"
                b"P:d\nV:1.06\nA:x86_64\n\nP:e\nV:1.0-r0\nA:x86_64\n\n"
                b"P:e\nV:1.0_git20240101\nA:x86_64\n\nP:f\nV:0.9z\nA:x86_64\n\n"
                b"P:g\nV:1.0~abcdef-r3\nA:x86_64\nC:Q1AAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n"
                b"\n\nP:c\nV:2.0_cvs\nA:x86_64\n\nP:d\nV:1.6_pre1\nA:aarch64\n\n",
    "providers": b"needs-mta needs-shell top cyc-a real\n"
                 b"P:mta-a\nV:1\nA:x86_64\np:mta\n\nP:mta-b\nV:1\nA:x86_64\np:mta\n\n"
                 b"P:needs-mta\nV:1\nA:x86_64\nD:mta\n\n"
                 b"P:sh-a\nV:1\nA:x86_64\np:shell\nk:10\n\nP:sh-b\nV:1\nA:x86_64\np:shell\nk:20\n\n"
                 b"P:needs-shell\nV:1\nA:x86_64\nD:shell\n\n"
                 b"P:top\nV:1\nA:x86_64\nD:needs-missing\n\nP:needs-missing\nV:1\nA:x86_64\nD:libzz>=2\n\n"
                 b"P:cyc-a\nV:1\nA:x86_64\nD:cyc-b\n\nP:cyc-b\nV:1\nA:x86_64\nD:cyc-a\n\n"
                 b"P:real\nV:1\nA:x86_64\n\nP:fake-real\nV:9\nA:x86_64\np:real=9\n\n"
                 b"P:doc\nV:1\nA:x86_64\ni:busybox=1 docs\n\n",
    "malformed": b"x\nP:\nV:\n\nP:a\nV:1\nD:>=\nX\n\nnot a field\n",
}

# blkprobe: images made by the tools test_blkprobe.c uses, cut after what
# the probe reads so the seeds stay small.
BLKPROBE = {
    "vfat12": "mkfs.vfat -C -F 12 -n NBBOOT -i 1234abcd img 2048",
    "vfat32": "mkfs.vfat -C -F 32 -n 'MY DISK' -i deadbeef img 65536",
    "ext4": "mke2fs -q -F -t ext4 -L NBROOT -U 0e0e0e0e-1111-2222-3333-444444444444 img 4096",
    "ext2": "mke2fs -q -F -t ext2 img 1024",
    "iso9660": "mkdir -p iso && echo x > iso/f && genisoimage -quiet -V ALPINE -o img iso",
    "squashfs": "mkdir -p sq && echo x > sq/f && mksquashfs sq img -quiet -noappend >/dev/null",
    "btrfs": "truncate -s 128M img && mkfs.btrfs -q -L NBBTR img",
    "xfs": "truncate -s 300M img && mkfs.xfs -q -L NBXFS img",
}


def blkprobe_seeds():
    for name, cmd in BLKPROBE.items():
        tool = cmd.split("&&")[-1].split()[0]
        if not shutil.which(tool) and not os.path.exists("/usr/sbin/" + tool):
            print("mkseeds: no %s, no %s seed" % (tool, name), file=sys.stderr)
            continue
        with tempfile.TemporaryDirectory() as d:
            env = dict(os.environ, PATH=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")
            subprocess.run(cmd, shell=True, cwd=d, check=True, env=env)
            # what the probe reads: btrfs's superblock at 64 KiB, the ISO
            # volume descriptors from 32 KiB, the others in the first 4 KiB
            keep = {"btrfs": 70 * 1024, "iso9660": 40 * 1024}.get(name, 8 * 1024)
            with open(os.path.join(d, "img"), "rb") as f:
                write("blkprobe", name, f.read(keep))


def server_flight(cert, key, ciphers):
    """What a TLS 1.2 server sends after the ClientHello of a client like
    ours: ServerHello, Certificate, ServerKeyExchange, ServerHelloDone."""
    sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    sctx.load_cert_chain(cert, key)
    sctx.set_ciphers(ciphers)
    sctx.maximum_version = ssl.TLSVersion.TLSv1_2
    cctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    cctx.check_hostname = False
    cctx.verify_mode = ssl.CERT_NONE
    cctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ci, co, si, so = ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO()
    c = cctx.wrap_bio(ci, co, server_hostname="repo.example.org")
    s = sctx.wrap_bio(si, so, server_side=True)
    try:
        c.do_handshake()
    except ssl.SSLWantReadError:
        pass
    si.write(co.read())
    try:
        s.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return so.read()


def tls_seeds():
    with tempfile.TemporaryDirectory() as d:
        for kind, args in (("ecdsa", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]),
                           ("rsa", ["-newkey", "rsa:2048"])):
            cert, key = os.path.join(d, kind + ".pem"), os.path.join(d, kind + ".key")
            subprocess.run(["openssl", "req", "-x509", "-nodes", "-days", "3650", "-subj",
                            "/CN=repo.example.org", "-addext", "subjectAltName=DNS:repo.example.org",
                            "-keyout", key, "-out", cert] + args,
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            suite = "ECDHE-ECDSA-AES128-GCM-SHA256" if kind == "ecdsa" else "ECDHE-RSA-CHACHA20-POLY1305"
            write("tls", "flight-" + kind, server_flight(cert, key, suite))
    # a handshake_failure alert, a plain HTTP answer, a record too long
    write("tls", "alert", b"\x15\x03\x03\x00\x02\x02\x28")
    write("tls", "plain-http", b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
    write("tls", "long-record", b"\x16\x03\x03\x48\x01" + b"\x02" * 64)


def apk_seeds():
    """Signed streams, indexes, packages and keys made by the project's own
    tools (tests/apk/mkapk, tests/fixtures/abuild-sign.py) with a fresh
    1024-bit key: good ones and issue 11's smuggling variants."""
    src = os.path.dirname(HERE)
    mkapk = os.path.join(src, "tests", "apk", "mkapk")
    sign = os.path.join(src, "tests", "fixtures", "abuild-sign.py")
    with tempfile.TemporaryDirectory() as t:
        def run(*argv):
            subprocess.run(argv, cwd=t, check=True, stdout=subprocess.DEVNULL)

        def read(name):
            with open(os.path.join(t, name), "rb") as f:
                return f.read()

        run(mkapk, "key", "k", "seed", "--bits", "1024")
        os.makedirs(os.path.join(t, "r", "etc"))
        with open(os.path.join(t, "r", "etc", "motd"), "w") as f:
            f.write("hello\n")
        with open(os.path.join(t, "post.sh"), "w") as f:
            f.write("#!/bin/sh\necho hi\n")
        with open(os.path.join(t, "forged"), "w") as f:
            f.write("P:evil\nV:1-r0\n\n")
        key = "k/seed.rsa"
        pkg = ["pkg", "--name", "motd", "--version", "1-r0", "--root", "r"]
        run(mkapk, *pkg, "-o", "signed.apk", "--key", key, "--post-install", "post.sh")
        run(mkapk, *pkg, "-o", "unsigned.apk")
        run(mkapk, *pkg, "-o", "swallow.apk", "--key", key, "--post-install", "post.sh", "--swallow-scripts")
        run(mkapk, "index", "-o", "signed.tar.gz", "--key", key, "signed.apk")
        run(mkapk, "index", "-o", "sha256.tar.gz", "--key", key, "--sha256", "signed.apk")
        run(mkapk, "index", "-o", "unsigned.tar.gz", "signed.apk")
        kn = [os.path.join(t, key), "seed.rsa.pub"]
        run(sign, "--sig-entry", "APKINDEX=forged", *kn, "unsigned.tar.gz", "smuggled.tar.gz")
        run(sign, "--after-end", "APKINDEX=forged", *kn, "unsigned.tar.gz", "after-end.tar.gz")
        run(sign, "--sig-pax", "size=1024", *kn, "unsigned.tar.gz", "sig-pax.tar.gz")
        run(sign, "--sig-gnu-name", "APKINDEX", *kn, "unsigned.tar.gz", "sig-gnu.tar.gz")
        streams = ["signed.tar.gz", "sha256.tar.gz", "unsigned.tar.gz", "smuggled.tar.gz",
                   "after-end.tar.gz", "sig-pax.tar.gz", "sig-gnu.tar.gz"]
        for i, name in enumerate(streams):
            write("apkindex", name, read(name))
            # fuzz_apksig: the first byte picks the chunk size
            write("apksig", name, bytes([i]) + read(name))
        for name in ("signed.apk", "unsigned.apk", "swallow.apk"):
            write("apkpkg", name, read(name))
            write("apksig", name, b"\x05" + read(name))
        run("openssl", "rsa", "-pubin", "-in", "k/seed.rsa.pub", "-RSAPublicKey_out", "-out", "pkcs1.pem")
        write("apkkey", "spki.pem", read("k/seed.rsa.pub"))
        write("apkkey", "pkcs1.pem", read("pkcs1.pem"))
        write("apkkey", "cut.pem", b"-----BEGIN RSA PUBLIC KEY---")
        write("apkkey", "base64", b"Q12jmj7l5rSw0yVb/vlWAYkK/YBwk=")


def main():
    apk_seeds()
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
    for name, data in APKDB.items():
        write("apkdb", name, data)
    blkprobe_seeds()
    tls_seeds()

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
