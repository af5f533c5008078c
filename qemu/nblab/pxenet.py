"""The PXE network: bridge and taps, DHCP/TFTP servers per flavour, router advertisements, the wire log."""

import contextlib
import ctypes
import fcntl
import ipaddress
import os
import select
import shutil
import socket
import struct
import threading
import time

from .base import BRIDGE_MAC, LabError, SERVER_LOGS, STOP, Stopped, rel, tail
from .procs import run, stop_process, wait_for
from .desc import (DHCP_FLAVOURS, DHCP_WAIT, IPXE_DIR, SIOCGIFHWADDR, boot_script, desc_http,
                   dhcpd_conf, dnsmasq_conf, tftpd_argv)


def tftp_probe(server, name, timeout=2.0):
    """Read the first block of NAME from the TFTP server at SERVER; its length, or LabError."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    try:
        s.sendto(b"\0\1" + name.encode() + b"\0octet\0", (server, 69))
        data, peer = s.recvfrom(1024)
        if data[:2] == b"\0\5":
            raise LabError("TFTP error %s" % data[4:-1].decode("ascii", "replace"))
        if data[:4] != b"\0\3\0\1":
            raise LabError("unexpected TFTP answer %r" % data[:8])
        s.sendto(b"\0\5\0\0done\0", peer)      # end the transfer
        return len(data) - 4
    except OSError as e:
        raise LabError("TFTP %s from %s: %s" % (name, server, e))
    finally:
        s.close()


class Wire:
    """What crosses the lab's bridge, per client MAC: DHCP (with the file handed out), TFTP
    read requests, HTTP requests and TCP connections to NFS and rpcbind. One thread reads
    every frame on the bridge (AF_PACKET); events are (monotonic time, text)."""

    PORTS = {2049: "nfs", 111: "rpcbind", 20048: "mountd"}

    def __init__(self, ifname, logfile):
        self.events = {}               # mac -> [(t, text)]
        self.lock = threading.Lock()
        self.log = open(logfile, "a", buffering=1)
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
        # The kernel drops the bulk (the server's TCP data) before it is copied,
        # and a large buffer absorbs four clients' bursts: no event is lost.
        self._filter = wire_filter()
        self.sock.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER, self._filter[0])
        with contextlib.suppress(OSError):
            self.sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 16 << 20)
        self.sock.bind((ifname, 0))
        self.sock.setblocking(False)
        self.ifname = ifname
        self.done = threading.Event()
        # The reader notes when it last found the socket empty (read_all);
        # drain() wakes it through the pipe and waits for a later note.
        self.idle = threading.Condition()
        self.read_all = 0.0
        self.wake_r, self.wake_w = os.pipe()
        os.set_blocking(self.wake_r, False)
        self.thread = threading.Thread(target=self._loop, name="wire", daemon=True)
        self.thread.start()

    def stop(self):
        self.done.set()
        os.write(self.wake_w, b"x")
        self.thread.join(timeout=3)
        self.sock.close()
        os.close(self.wake_r)
        os.close(self.wake_w)
        self.log.close()

    def drain(self, timeout=5.0):
        """Return once every frame the bridge carried before this call has been read
        and recorded: the reader found its socket empty after the call. A LabError
        after TIMEOUT seconds, or if the reader has stopped."""
        asked = time.monotonic()
        os.write(self.wake_w, b"x")
        with self.idle:
            if self.idle.wait_for(lambda: self.read_all > asked or not self.thread.is_alive(), timeout) \
                    and self.thread.is_alive():
                return
        raise LabError("wire log: the reader on %s %s" % (
            self.ifname, "has stopped" if not self.thread.is_alive() else
            "still had frames to read after %.0f s (the last events of a boot may be missing)" % timeout))

    def since(self, mac, t0):
        with self.lock:
            return [(t - t0, x) for t, x in self.events.get(mac, []) if t >= t0]

    def _add(self, mac, text):
        t = time.monotonic()
        with self.lock:
            self.events.setdefault(mac, []).append((t, text))
        self.log.write("%s %s %s\n" % (time.strftime("%H:%M:%S"), mac, text))

    def _loop(self):
        poller = select.poll()
        poller.register(self.sock, select.POLLIN)
        poller.register(self.wake_r, select.POLLIN)
        while not self.done.is_set():
            try:
                frame, addr = self.sock.recvfrom(65535)
            except BlockingIOError:
                with self.idle:
                    self.read_all = time.monotonic()
                    self.idle.notify_all()
                poller.poll()
                with contextlib.suppress(BlockingIOError):
                    os.read(self.wake_r, 512)
                continue
            except OSError:
                return
            try:
                self._frame(frame, addr[2] == socket.PACKET_OUTGOING)
            except (IndexError, struct.error, ValueError):
                pass

    def _frame(self, f, outgoing):
        if f[12:14] != b"\x08\x00":
            return
        ip = f[14:]
        ihl = (ip[0] & 15) * 4
        proto = ip[9]
        src = socket.inet_ntoa(ip[12:16])
        l4 = ip[ihl:]
        sport, dport = struct.unpack("!HH", l4[:4])
        if proto == 17 and (dport in (67, 4011) or sport in (67, 4011)):
            self._dhcp(l4[8:], " (port 4011)" if 4011 in (sport, dport) else "")
        elif outgoing:
            return
        elif proto == 17 and dport == 69:
            d = l4[8:]
            if d[:2] == b"\0\1":
                self._add(mac_text(f[6:12]), "tftp RRQ %s" % d[2:].split(b"\0")[0].decode("ascii", "replace"))
        elif proto == 6:
            flags = l4[13]
            payload = l4[(l4[12] >> 4) * 4:]
            if payload[:4] in (b"GET ", b"POST", b"HEAD"):
                line = payload.split(b"\r\n", 1)[0].decode("ascii", "replace")
                self._add(mac_text(f[6:12]), "http %s" % " ".join(line.split(" ")[:2]))
            elif flags & 0x12 == 0x02 and dport in self.PORTS:
                self._add(mac_text(f[6:12]), "tcp %s connect from %s" % (self.PORTS[dport], src))

    def _dhcp(self, d, note=""):
        op, flags = d[0], struct.unpack("!H", d[10:12])[0]
        mac = mac_text(d[28:34])
        yiaddr, siaddr = socket.inet_ntoa(d[16:20]), socket.inet_ntoa(d[20:24])
        opts, i, o = {}, 240, d
        while i < len(o) and o[i] != 255:
            if o[i] == 0:
                i += 1
                continue
            opts[o[i]] = o[i + 2:i + 2 + o[i + 1]]
            i += 2 + o[i + 1]
        kinds = {1: "DISCOVER", 2: "OFFER", 3: "REQUEST", 4: "DECLINE", 5: "ACK", 6: "NAK", 7: "RELEASE",
                 8: "INFORM"}
        kind = kinds.get(opts.get(53, b"\0")[0], "BOOTP")
        if op == 1:
            who = opts.get(77, b"").decode("ascii", "replace") or opts.get(60, b"").decode("ascii", "replace")[:9]
            self._add(mac, "dhcp %s%s%s%s" % (kind, (" from " + who) if who else "",
                                              " (broadcast flag)" if flags & 0x8000 else "", note))
        else:
            fname = opts.get(67, b"") or d[108:236].split(b"\0")[0]
            fname = fname.split(b"\0")[0].decode("ascii", "replace")
            self._add(mac, "dhcp %s %s%s%s%s" % (kind, yiaddr, (" file=" + fname) if fname else "",
                                                 (" next-server=" + siaddr) if siaddr != "0.0.0.0" else "", note))


SO_ATTACH_FILTER = 26
SO_RCVBUFFORCE = 33
SERVER_TCP_PORTS = (80, 111, 2049, 20048)


def wire_filter():
    """A classic BPF program for the wire socket that drops IPv4 TCP segments sent from the
    server's ports (HTTP, rpcbind, NFS, mountd: file data) and keeps everything else.
    Returns (struct sock_fprog bytes, the buffer it points to, which must stay alive)."""
    def op(code, jt, jf, k):
        return struct.pack("HBBI", code, jt, jf, k)
    ld_h, ld_b, ldx_msh, ld_h_ind, jeq, jset, ret = 0x28, 0x30, 0xb1, 0x48, 0x15, 0x45, 0x06
    n = len(SERVER_TCP_PORTS)
    accept = 8 + n                                  # index of 'ret accept'
    prog = [op(ld_h, 0, 0, 12),                     # 0 ethertype
            op(jeq, 0, accept - 2, 0x0800),         # 1 not IPv4: accept
            op(ld_b, 0, 0, 23),                     # 2 IP protocol
            op(jeq, 0, accept - 4, 6),              # 3 not TCP: accept
            op(ld_h, 0, 0, 20),                     # 4 flags and fragment offset
            op(jset, accept - 6, 0, 0x1fff),        # 5 a later fragment: accept
            op(ldx_msh, 0, 0, 14),                  # 6 X = IP header length
            op(ld_h_ind, 0, 0, 14)]                 # 7 TCP source port
    for i, port in enumerate(SERVER_TCP_PORTS):     # 8.. from a server port: drop
        prog.append(op(jeq, accept + 1 - (8 + i + 1), 0, port))
    prog += [op(ret, 0, 0, 0x40000), op(ret, 0, 0, 0)]
    buf = ctypes.create_string_buffer(b"".join(prog))
    return struct.pack("HL", len(prog), ctypes.addressof(buf)), buf


def mac_text(b):
    return ":".join("%02x" % x for x in b)


class RouterAdvertiser:
    """Answers IPv6 router solicitations on the bridge with a router advertisement that
    offers no prefix and no default route. iPXE configures IPv6 next to DHCP and, on a
    network without a router, waits about 13 s for one in every stage (ROM and
    undionly.kpxe); a real LAN usually has a router that answers at once."""

    def __init__(self, ifname):
        self.ifname = ifname
        idx = socket.if_nametoindex(ifname)
        self.idx = idx
        s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, 255)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, idx)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP,
                     socket.inet_pton(socket.AF_INET6, "ff02::2") + struct.pack("@I", idx))
        s.settimeout(0.5)
        mac = fcntl.ioctl(s.fileno(), SIOCGIFHWADDR, struct.pack("256s", ifname.encode()))[18:24]
        # type 134, code 0, checksum (the kernel's), hop limit 64, no flags, router
        # lifetime 0, reachable 0, retransmit 0; source link-layer address option.
        self.ra = struct.pack("!BBHBBHII", 134, 0, 0, 64, 0, 0, 0, 0) + bytes([1, 1]) + mac
        self.sock = s
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="ra", daemon=True)
        self.thread.start()

    def _loop(self):
        while not self.done.is_set():
            try:
                data, addr = self.sock.recvfrom(1500)
            except socket.timeout:
                continue
            except OSError:
                return
            if data[:1] == b"\x85":      # router solicitation
                with contextlib.suppress(OSError):
                    self.sock.sendto(self.ra, ("ff02::1", 0, 0, self.idx))

    def stop(self):
        self.done.set()
        self.thread.join(timeout=3)
        self.sock.close()


class PxeNet:
    """The seed's layer-2 network inside the lab's namespace: a bridge with the server
    address, a tap per client NIC, the wire log, router advertisements, and the DHCP/TFTP
    servers of one flavour at a time (started on first use, stopped when the last client
    of that flavour is done, so that two DHCP servers never answer on the bridge)."""

    def __init__(self, lab, servers, desc, append=""):
        self.lab, self.servers, self.desc = lab, servers, desc
        net = desc["network"]
        self.bridge = net["bridge"]
        self.server = net["server"]
        self.prefix = ipaddress.ip_network(net["subnet"]).prefixlen
        self.cond = threading.Condition()
        self.flavour = None
        self.users = 0
        self.procs = []                 # (name, Popen) of the running flavour
        self.macs = set()               # MACs of the clients on the bridge now
        self.append = append
        self.wire = self.ra = None

    def start(self):
        run(["ip", "link", "add", self.bridge, "type", "bridge"])
        # A fixed MAC: a Linux bridge otherwise takes the lowest MAC of its
        # ports, which changes as taps come and go, and the clients still
        # booting lose the server until their ARP entry expires (seen as
        # "nfs: server 192.168.100.1 not responding" in the fleet).
        run(["ip", "link", "set", self.bridge, "address", BRIDGE_MAC])
        # No STP, no forwarding delay: a tap is usable the moment QEMU opens it.
        run(["ip", "link", "set", self.bridge, "type", "bridge", "forward_delay", "0", "stp_state", "0"])
        run(["ip", "addr", "add", "%s/%d" % (self.server, self.prefix), "dev", self.bridge])
        run(["ip", "link", "set", self.bridge, "up"])
        d = self.desc
        script = os.path.join(self.lab.www, d["boot_script"])
        os.makedirs(os.path.dirname(script), exist_ok=True)
        with open(script, "w") as f:
            f.write(boot_script(d, self.append))
        image = os.path.join(IPXE_DIR, d["pxe_file"])
        if not os.path.isfile(image):
            raise LabError("%s is missing (package ipxe; tests/setup installs it)" % image)
        shutil.copyfile(image, os.path.join(self.lab.tftp, d["pxe_file"]))
        self.wire = Wire(self.bridge, os.path.join(self.lab.rundir, "wire.log"))
        self.ra = RouterAdvertiser(self.bridge)

    def stop(self):
        self._stop_flavour()
        for x in (self.ra, self.wire):
            if x:
                x.stop()

    def configs(self, flavour):
        """{file name: text} of what FLAVOUR runs with."""
        d = self.desc
        out = {}
        if flavour in ("isc", "proxy"):
            out["dhcpd.conf"] = dhcpd_conf(d, flavour)
        if flavour in ("dnsmasq", "proxy"):
            out["dnsmasq.conf"] = dnsmasq_conf(d, flavour)
        return out

    @contextlib.contextmanager
    def use(self, flavour, macs):
        """Hold the bridge's DHCP servers in FLAVOUR for clients with MACS: waits while
        another flavour is in use or one of MACS is on the bridge already."""
        macs = set(macs)
        with self.cond:
            while self.flavour not in (None, flavour) or self.macs & macs:
                if STOP.is_set():
                    raise Stopped("stopped")
                self.cond.wait(0.5)
            if self.flavour is None:
                self._start_flavour(flavour)
            self.users += 1
            self.macs |= macs
        try:
            yield
        finally:
            with self.cond:
                self.users -= 1
                self.macs -= macs
                if self.users == 0:
                    self._stop_flavour()
                self.cond.notify_all()

    def _start_flavour(self, flavour):
        d = self.desc
        rd = self.lab.rundir
        self.flavour = flavour
        try:
            for name, text in self.configs(flavour).items():
                with open(os.path.join(rd, name), "w") as f:
                    f.write(text)
            if flavour in ("isc", "proxy"):
                leases = os.path.join(rd, "dhcpd.leases")
                open(leases, "w").close()
                conf = os.path.join(rd, "dhcpd.conf")
                run(["dhcpd", "-t", "-4", "-cf", conf, "-lf", leases])
                proc, logfile = self.servers._spawn("dhcpd", [
                    "dhcpd", "-f", "-d", "-4", "-cf", conf, "-lf", leases,
                    "-pf", os.path.join(rd, "dhcpd.pid"), self.bridge])
                self.procs.append(("dhcpd", proc))
                wait_for("dhcpd", logfile, DHCP_WAIT,
                         lambda: "Sending on" in "\n".join(tail(logfile, 40)), proc)
            if flavour == "isc":
                proc, logfile = self.servers._spawn("tftpd-hpa", tftpd_argv(d))
                self.procs.append(("tftpd-hpa", proc))
                wait_for("tftpd-hpa on %s:69" % self.server, logfile, DHCP_WAIT,
                         lambda: tftp_probe(self.server, d["pxe_file"]), proc)
            if flavour in ("dnsmasq", "proxy"):
                logfile = os.path.join(rd, "dnsmasq.log")
                proc, out = self.servers._spawn("dnsmasq.out", [
                    "dnsmasq", "--keep-in-foreground", "--conf-file=" + os.path.join(rd, "dnsmasq.conf"),
                    "--log-facility=" + logfile, "--log-dhcp", "--pid-file=" + os.path.join(rd, "dnsmasq.pid"),
                    "--dhcp-leasefile=" + os.path.join(rd, "dnsmasq.leases"), "--user=root"])
                self.servers.logs["dnsmasq"] = logfile
                self.procs.append(("dnsmasq", proc))
                wait_for("dnsmasq on %s" % self.bridge, logfile, DHCP_WAIT,
                         lambda: "TFTP root" in "\n".join(tail(logfile, 40)), proc)
                wait_for("dnsmasq TFTP on %s:69" % self.server, logfile, DHCP_WAIT,
                         lambda: tftp_probe(self.server, d["pxe_file"]), proc)
            SERVER_LOGS.update(self.servers.logs)
        except BaseException:
            self._stop_flavour()
            raise

    def _stop_flavour(self):
        for name, proc in reversed(self.procs):
            stop_process(proc, name)
            with contextlib.suppress(ValueError):
                self.servers.procs.remove((name, proc))
        self.procs = []
        self.flavour = None

    def add_tap(self, name):
        """Tap device NAME on the bridge, for one QEMU NIC."""
        run(["ip", "tuntap", "add", "dev", name, "mode", "tap"])
        run(["ip", "link", "set", name, "master", self.bridge, "up"])

    @staticmethod
    def del_tap(name):
        run(["ip", "link", "del", name], check=False)

    def describe(self):
        d = self.desc
        return [
            "bridge       %s %s/%d (only inside the lab's network namespace), a tap per client NIC"
            % (self.bridge, self.server, self.prefix),
            "DHCP/TFTP    per scenario: %s" % "; ".join("%s = %s" % kv for kv in DHCP_FLAVOURS.items()),
            "iPXE         %s:69 %s/%s (tftp), then %s/%s"
            % (self.server, d["tftp_root"], d["pxe_file"], desc_http(d), d["boot_script"]),
            "IPv6         router advertisements without prefix or route (iPXE stops waiting for a router)",
            "wire log     %s (DHCP, TFTP, HTTP, NFS connections per MAC)"
            % rel(os.path.join(self.lab.rundir, "wire.log")),
        ]
