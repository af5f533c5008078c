"""Faults the boot survives, or reports: scenarios of qemu/lab (issue #4).

It builds on the lab's package (qemu/nblab): nblab.catalog adds scenarios()
to the lab's scenario table and nblab.clients hands the boot of a scenario
with a .fault to boot() here. Each fault is made by something real between the client and
the lab's servers, on QEMU user networking (the guest sees the lab's
127.0.0.1 as 10.0.2.2):

- The relay and the fault LAN. The client's NIC is carried over
  `-netdev dgram` (Unix datagram sockets, one Ethernet frame each) to a
  thread here, which passes each frame on to a tap device on the lab
  namespace's bridge nbfault0 (10.0.2.2/24, the address the user network
  shows the guest for the lab's 127.0.0.1), where dnsmasq answers DHCP and
  the lab's own httpd, rpcbind and nfs-ganesha answer on 10.0.2.2 with the
  host kernel's TCP, as a real server would:

      e1000 <-> dgram n0 <-> relay <-> tap nbft-NN <-> bridge nbfault0 (dnsmasq, httpd, NFS, 10.0.2.2)

  iPXE gets its boot script (the client's boot.ipxe) from the fault HTTP
  server, as dnsmasq's boot file URL. Until the kernel prints its first
  line the relay passes every frame; from then on it drops frames as the
  scenario says: a share of all frames in both directions, the init's
  first DHCP requests or all of them, or every TCP segment to rpcbind,
  mountd and NFS (a server host that has gone silent). The host kernel has
  no sch_netem, QEMU's user network has no loss of its own, and its TCP
  (slirp's, with a 1 s minimum and 12 s maximum retransmission timeout)
  stalls for 10 s and more at 20 % loss where a Linux server's does not:
  hence a real bridge and real servers behind the relay.
- QMP. `set_link n0 off` when the kernel starts and `set_link n0 on` S
  seconds later: the e1000 reports no carrier, as with a switch port that
  comes up late.
- The fault HTTP server: a small Python server on the namespace's
  127.0.0.1:FAULT_PORT (the guest's http://10.0.2.2:FAULT_PORT), next to
  busybox httpd, which keeps serving everything else. Paths are
  /<scenario>/...; the scenario says what the server does with them: cut
  the body short the first times, answer 500, redirect in a loop, accept
  and never answer, serve a hostile tar from tests/corpus, or record the
  body of nbinit.report's POST.

What the relay, QMP and the fault server did is fed to the lab's checks as
wire events ("lab-wire: fault-http #2 GET ... -> 500 ..."), so a check can
insist that the fault really happened: a test of a fault that never
happened proves nothing. Times in the checks are the lab's arrival times of
console lines (seconds since QEMU started).
"""

import contextlib
import fcntl
import json
import os
import random
import re
import select
import shlex
import socket
import struct
import subprocess
import tarfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from nblab.base import LabError
from nblab.procs import stop_process
from nblab.pxenet import RouterAdvertiser
from nblab.console import WIRE, watch_console
from nblab.checks import (FAIL_FORM, SHELL, Check, c_depot_mounted, c_depot_readable, c_init_ran, c_no_report,
                          c_qemu_exited, replace_line)
from nblab.scenarios import APKOVL_MAC, Scenario, booted_checks, overlay_check

REPO = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
CORPUS = os.path.join(REPO, "tests", "corpus")
FAULT_PORT = 8099           # inside the lab's own network namespace: never taken
GUEST_HOST = "10.0.2.2"
FAULT = "http://%s:%d" % (GUEST_HOST, FAULT_PORT)
SOCK_DIR = "/run/nblab-faults"  # the lab's private /run: short Unix socket paths
KERNEL_STARTED = "Linux version"
NFS_PORTS = (111, 2049, 20048)
LAN_BRIDGE = "nbfault0"
LAN_PREFIX = "10.0.2"        # the fault LAN: the server is .2 (as on the user network), clients .1NN
TUNSETIFF = 0x400454ca
IFF_TAP, IFF_NO_PI = 0x0002, 0x1000
# The failure policy lines of the init (init/main.c).


class Fault:
    """What goes wrong for one scenario.

    loss: share of frames the relay drops in each direction once the kernel runs.
    dhcp_drop: the init's first N DHCP requests dropped (None: none; "all": every one).
    arp_drop: the client's first N ARP requests for the server (GUEST_HOST) dropped: its
        first connection fails with EHOSTUNREACH (a switch port or a server that
        is not there yet).
    nfs_silent: TCP to rpcbind, mountd and NFS dropped (the server host is silent).
    nfs_stall: (FROM, UNTIL) console line prefixes: TCP to rpcbind, mountd and NFS
        dropped from the first console line starting with FROM to the first starting
        with UNTIL (a server that stops answering after the mount, and comes back).
    link_late: seconds the link stays down after the kernel starts (QMP set_link).
    http: what the fault server does with /<scenario>/ (see FaultHttp.route).
    """

    def __init__(self, loss=0.0, dhcp_drop=None, nfs_silent=False, nfs_stall=None, link_late=None, http=None,
                 arp_drop=0):
        self.loss, self.dhcp_drop, self.nfs_silent = loss, dhcp_drop, nfs_silent
        self.arp_drop = arp_drop
        self.nfs_stall = nfs_stall
        self.link_late, self.http = link_late, http

    @property
    def relay(self):
        return bool(self.loss or self.dhcp_drop or self.nfs_silent or self.nfs_stall or self.arp_drop)


class Events:
    """(monotonic time, text) records of one boot, read in order by the lab."""

    def __init__(self):
        self.lock = threading.Lock()
        self.items = []
        self.given = 0

    def add(self, text):
        with self.lock:
            self.items.append((time.monotonic(), text))

    def new(self, start, prefix):
        with self.lock:
            out, self.given = self.items[self.given:], len(self.items)
        return [(t - start, prefix + x) for t, x in out]


# ---------------------------------------------------------------- the relay

def frame_kind(f):
    """What an Ethernet frame is, as far as the rules care: ('dhcp', message type),
    ('tcp', destination address, destination port, flags) or (None,)."""
    if len(f) < 34 or f[12:14] != b"\x08\x00":
        return (None,)
    ip = f[14:]
    ihl = (ip[0] & 15) * 4
    proto, dst = ip[9], socket.inet_ntoa(ip[16:20])
    l4 = ip[ihl:]
    if len(l4) < 14:
        return (None,)
    sport, dport = struct.unpack("!HH", l4[:4])
    if proto == 17 and dport == 67:
        d, i, kind = l4[8:], 240, 0
        while i + 1 < len(d) and d[i] != 255:
            if d[i] == 0:
                i += 1
                continue
            if d[i] == 53 and i + 2 < len(d):
                kind = d[i + 2]
            i += 2 + d[i + 1]
        return ("dhcp", {1: "DISCOVER", 3: "REQUEST"}.get(kind, "type %d" % kind))
    if proto == 6:
        return ("tcp", dst, dport, l4[13])
    return (None,)


class Relay:
    """Passes Ethernet frames between the client's NIC (dgram netdev n0) and tap TAP on the
    fault LAN, dropping what FAULT says once armed (the kernel runs)."""

    def __init__(self, fault, sockdir, tap, events, seed, tracedir):
        self.fault, self.events, self.tapname = fault, events, tap
        self.rng = random.Random(seed)
        self.armed = False
        self.paths = {k: os.path.join(sockdir, k + ".sock") for k in ("qg", "rg")}
        for p in self.paths.values():
            with contextlib.suppress(OSError):
                os.unlink(p)
        self.g = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.g.bind(self.paths["rg"])
        self.g.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        self.tap = os.open("/dev/net/tun", os.O_RDWR | os.O_CLOEXEC)
        fcntl.ioctl(self.tap, TUNSETIFF, struct.pack("16sH", tap.encode(), IFF_TAP | IFF_NO_PI))
        run(["ip", "link", "set", tap, "master", LAN_BRIDGE, "up"])
        # [frames, dropped] per direction, counted once armed
        self.stats = {"out": [0, 0], "in": [0, 0]}
        self.dhcp_dropped = 0
        self.arp_dropped = 0
        self.nfs_dropped = 0
        self.nfs_stalled = False        # Fault.nfs_stall: between its two console lines
        self.traced = 0
        self.trace = open(os.path.join(tracedir, "relay.log"), "w", buffering=1)
        self.done = threading.Event()
        self.threads = [threading.Thread(target=self._pump, args=("out",), daemon=True),
                        threading.Thread(target=self._pump, args=("in",), daemon=True)]
        for t in self.threads:
            t.start()

    def netdev(self):
        """The QEMU -netdev value of the client's NIC (replacing its user netdev n0)."""
        p = self.paths
        return "dgram,id=n0,local.type=unix,local.path=%s,remote.type=unix,remote.path=%s" % (p["qg"], p["rg"])

    def arm(self):
        self.armed = True
        self.traced = 0             # the trace keeps the init's frames, not iPXE's downloads
        self.trace.write("--- armed (the kernel runs)\n")
        what = []
        if self.fault.loss:
            what.append("%d%% of frames in each direction" % round(self.fault.loss * 100))
        if self.fault.dhcp_drop == "all":
            what.append("every DHCP request")
        elif self.fault.dhcp_drop:
            what.append("the first %d DHCP requests" % self.fault.dhcp_drop)
        if self.fault.arp_drop:
            what.append("the first %d ARP requests for %s" % (self.fault.arp_drop, GUEST_HOST))
        if self.fault.nfs_silent:
            what.append("TCP to %s" % "/".join(str(p) for p in NFS_PORTS))
        if self.fault.nfs_stall:
            what.append("TCP to %s from '%s' to '%s'" % ("/".join(str(p) for p in NFS_PORTS), *self.fault.nfs_stall))
        self.events.add("relay armed (the kernel runs): dropping %s" % ", ".join(what))

    def console(self, line):
        """Fault.nfs_stall: start or end the NFS silence on its console lines."""
        start, until = self.fault.nfs_stall
        if not self.nfs_stalled and not self.nfs_dropped and line.startswith(start):
            self.nfs_stalled = True
            self.events.add("relay: NFS silent from now on (console: %s)" % line[:60])
        elif self.nfs_stalled and line.startswith(until):
            self.nfs_stalled = False
            self.events.add("relay: NFS answers again after %d dropped segments (console: %s)"
                            % (self.nfs_dropped, line[:60]))

    def _drop(self, frame, way):
        f = self.fault
        if way == "out":
            k = frame_kind(frame)
            if k[0] == "dhcp" and (f.dhcp_drop == "all" or (f.dhcp_drop and self.dhcp_dropped < f.dhcp_drop)):
                self.dhcp_dropped += 1
                self.events.add("relay dropped the init's DHCP %s #%d" % (k[1], self.dhcp_dropped))
                return True
            if (f.arp_drop and self.arp_dropped < f.arp_drop and frame[12:14] == b"\x08\x06" and len(frame) >= 42
                    and frame[21] == 1 and socket.inet_ntoa(frame[38:42]) == GUEST_HOST):
                self.arp_dropped += 1
                self.events.add("relay dropped the client's ARP request for %s #%d" % (GUEST_HOST, self.arp_dropped))
                return True
            if k[0] == "tcp" and (f.nfs_silent or self.nfs_stalled) and k[1] == GUEST_HOST and k[2] in NFS_PORTS:
                self.nfs_dropped += 1
                if k[3] & 0x12 == 0x02 and self.nfs_dropped <= 20:
                    self.events.add("relay dropped a TCP SYN to %s:%d" % (k[1], k[2]))
                return True
        return bool(f.loss) and self.rng.random() < f.loss

    def _trace(self, way, frame, fate):
        if self.traced >= 20000:
            return
        self.traced += 1
        f = frame
        what = "type %s" % f[12:14].hex()
        if f[12:14] == b"\x08\x06" and len(f) >= 42:
            what = "arp %s %s -> %s" % ({1: "who-has", 2: "reply"}.get(f[21], "?"), socket.inet_ntoa(f[28:32]),
                                      socket.inet_ntoa(f[38:42]))
        elif f[12:14] == b"\x08\x00" and len(f) >= 38:
            ip = f[14:]
            ihl = (ip[0] & 15) * 4
            sp, dp = struct.unpack("!HH", ip[ihl:ihl + 4])
            what = "ip %s:%d -> %s:%d proto %d" % (socket.inet_ntoa(ip[12:16]), sp, socket.inet_ntoa(ip[16:20]), dp,
                                                ip[9])
            if ip[9] == 6:
                what += " flags %02x" % ip[ihl + 13]
        self.trace.write("%.3f %s %s %d %s\n" % (time.monotonic(), way, fate, len(f), what))

    def _pump(self, way):
        """'out': NIC -> tap, 'in': tap -> NIC."""
        while not self.done.is_set():
            src = self.g.fileno() if way == "out" else self.tap
            try:
                ready, _, _ = select.select([src], [], [], 0.2)
                if not ready:
                    continue
                frame = self.g.recv(65536) if way == "out" else os.read(self.tap, 65536)
            except OSError:
                return
            if self.armed:
                st = self.stats[way]
                st[0] += 1
                if self._drop(frame, way):
                    st[1] += 1
                    self._trace(way, frame, "drop")
                    continue
            try:
                if way == "out":
                    os.write(self.tap, frame)
                else:
                    self.g.sendto(frame, self.paths["qg"])
                self._trace(way, frame, "pass")
            except OSError as e:
                self._trace(way, frame, "error %s" % e.errno)

    def stop(self):
        self.done.set()
        for t in self.threads:
            t.join(timeout=2)
        self.g.close()
        os.close(self.tap)          # the tap goes with its last descriptor
        self.trace.close()
        for p in self.paths.values():
            with contextlib.suppress(OSError):
                os.unlink(p)
        if self.armed and self.fault.loss:
            for way, name in (("out", "client->network"), ("in", "network->client")):
                n, d = self.stats[way]
                self.events.add("relay %s: %d frames, %d dropped (%.1f%%)" % (name, n, d, 100.0 * d / max(n, 1)))


def run(argv, timeout=30):
    """A short helper command; RuntimeError with its output if it fails."""
    p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    if p.returncode:
        raise RuntimeError("%s: exit %d: %s" % (shlex.join(argv), p.returncode, (p.stderr or p.stdout).strip()))
    return p


def lan_addr(mac):
    """The fault LAN's fixed address of MAC: 10.0.2.1NN, NN its last byte (0-99)."""
    return "%s.%d" % (LAN_PREFIX, 100 + int(mac.split(":")[-1], 16))


class FaultLan:
    """The fault LAN of a lab run: bridge nbfault0 with 10.0.2.2/24 in the lab's namespace and
    dnsmasq as its DHCP server (fixed addresses per client MAC, iPXE's boot script from the
    fault HTTP server). Started on first use; it dies with the namespace."""

    def __init__(self, rundir, clients):
        run(["ip", "link", "add", LAN_BRIDGE, "type", "bridge"])
        # Fixed, or the bridge takes the lowest MAC of its taps and changes it
        # as clients come and go (the others then lose 10.0.2.2 for a while).
        run(["ip", "link", "set", LAN_BRIDGE, "address", "02:6e:62:66:6c:74"])
        run(["ip", "link", "set", LAN_BRIDGE, "type", "bridge", "forward_delay", "0", "stp_state", "0"])
        run(["ip", "addr", "add", "%s.2/24" % LAN_PREFIX, "dev", LAN_BRIDGE])
        run(["ip", "link", "set", LAN_BRIDGE, "up"])
        conf = os.path.join(rundir, "faults-dnsmasq.conf")
        self.log = os.path.join(rundir, "faults-dnsmasq.log")
        lines = ["# the fault LAN's DHCP server (qemu/faults.py)", "port=0", "interface=" + LAN_BRIDGE,
                 "bind-interfaces", "dhcp-authoritative",
                 "dhcp-range=%s.100,%s.199,255.255.255.0,1h" % (LAN_PREFIX, LAN_PREFIX),
                 "dhcp-option=option:router,%s.2" % LAN_PREFIX, "dhcp-userclass=set:ipxe,iPXE"]
        for i, (name, mac) in enumerate(sorted(clients.items())):
            lines += ["dhcp-host=%s,set:c%d,%s" % (mac, i, lan_addr(mac)),
                      "dhcp-boot=tag:ipxe,tag:c%d,%s/ipxe/%s" % (i, FAULT, name)]
        with open(conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        out = open(os.path.join(rundir, "faults-dnsmasq.out"), "ab")
        self.proc = subprocess.Popen(["dnsmasq", "--keep-in-foreground", "--conf-file=" + conf,
                                      "--log-facility=" + self.log, "--log-dhcp", "--user=root",
                                      "--pid-file=" + os.path.join(rundir, "faults-dnsmasq.pid"),
                                      "--dhcp-leasefile=" + os.path.join(rundir, "faults-dnsmasq.leases")],
                                     stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        out.close()
        deadline = time.monotonic() + 15
        while True:
            with contextlib.suppress(OSError):
                with open(self.log) as f:
                    if "DHCP, IP range" in f.read():
                        break
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("dnsmasq on %s did not start; see %s" % (LAN_BRIDGE, self.log))
            time.sleep(0.2)


_lan = None
LAN_CLIENTS = {}      # scenario (= client) name -> MAC of the scenarios on the fault LAN


def fault_lan(rundir, clients):
    global _lan
    with _server_lock:
        if _lan is None:
            _lan = FaultLan(rundir, clients)
            # iPXE waits some 13 s for an IPv6 router at each DHCP without one; the lab's
            # advertiser (no prefix, no route) answers it on this bridge too.
            _lan.ra = RouterAdvertiser(LAN_BRIDGE)
        return _lan


# ---------------------------------------------------------------- QMP

def qmp(path, command, arguments=None, timeout=5.0):
    """Run one QMP COMMAND on QEMU's socket PATH; its 'return' value (LabError-free:
    raises OSError or RuntimeError)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect(path)
        f = s.makefile("rwb")

        def answer():
            while True:
                line = f.readline()
                if not line:
                    raise RuntimeError("QMP: connection closed")
                msg = json.loads(line)
                if "return" in msg:
                    return msg["return"]
                if "error" in msg:
                    raise RuntimeError("QMP %s: %s" % (command, msg["error"].get("desc")))

        f.readline()                                   # the greeting
        for cmd, args in (("qmp_capabilities", None), (command, arguments)):
            req = {"execute": cmd}
            if args:
                req["arguments"] = args
            f.write((json.dumps(req) + "\n").encode())
            f.flush()
            ret = answer()
        return ret


# ---------------------------------------------------------------- the fault HTTP server

class FaultHttp:
    """One server for the lab run; each scenario's boot registers its paths."""

    def __init__(self):
        self.lock = threading.Lock()
        self.scns = {}          # name -> (Fault, www, Events, counters)
        self.scripts = {}       # client name -> its boot.ipxe (iPXE on the fault LAN)
        # Every address of the namespace: 127.0.0.1 for the user network, 10.0.2.2 on the LAN.
        self.httpd = ThreadingHTTPServer(("0.0.0.0", FAULT_PORT), Handler)
        self.httpd.daemon_threads = True
        self.httpd.fault = self
        threading.Thread(target=self.httpd.serve_forever, name="fault-http", daemon=True).start()

    def register(self, name, fault, www, events):
        with self.lock:
            self.scns[name] = (fault, www, events, {"n": 0, "per": {}})

    def unregister(self, name):
        with self.lock:
            self.scns.pop(name, None)

    def lookup(self, path):
        parts = path.split("?", 1)[0].split("/", 2)
        if len(parts) < 3:
            return None, None, ""
        with self.lock:
            return parts[1], self.scns.get(parts[1]), parts[2]


_server = None
_server_lock = threading.Lock()


def fault_server():
    """The run's fault HTTP server, started on first use (inside the lab's namespace)."""
    global _server
    with _server_lock:
        if _server is None:
            _server = FaultHttp()
        return _server


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "nblab-faults"
    sys_version = ""

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        self.route("GET")

    def do_POST(self):
        self.route("POST")

    def send(self, code, body=b"", headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True

    def route(self, method):
        """What the scenario's Fault.http says:
        ("serve",)            the lab's overlay www/ovl/<rest>
        ("drop", N)           the first N GETs of a path: all headers, half the body, then close
        ("status", CODE, WHY) always CODE WHY
        ("loop",)             a/<rest> redirects to b/<rest> and b/<rest> to a/<rest>
        ("silent",)           read the request, never answer, wait for the client to give up
        ("trickle", MS)       200 with a Content-Length of 1 GB and the start of a valid
                              overlay (gzip header, a stored deflate block, a tar header of
                              a big file), then one byte of that file every MS ms until the
                              client gives up
        ("file", PATH)        PATH (under the repository) as the body
        and POST report/...   record the body, 204."""
        srv = self.server.fault
        if method == "GET" and self.path.startswith("/ipxe/"):
            script = srv.scripts.get(self.path[6:])
            if script:
                entry = srv.lookup("/%s/" % self.path[6:])[1]
                if entry:
                    entry[2].add("fault-http GET %s -> 200, the boot script (iPXE)" % self.path)
                with open(script, "rb") as f:
                    self.send(200, f.read(), [("Content-Type", "text/plain")])
                return
        name, entry, rest = srv.lookup(self.path)
        if entry is None:
            self.send(404, b"no such scenario\n")
            return
        fault, www, events, count = entry
        with srv.lock:
            count["n"] += 1
            seq = count["n"]
            count["per"][rest] = count["per"].get(rest, 0) + 1
            nth = count["per"][rest]
        head = "fault-http #%d %s /%s/%s" % (seq, method, name, rest)
        if method == "POST":
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n).decode("utf-8", "replace")
            events.add("%s -> 204, body of %d bytes" % (head, n))
            for line in body.splitlines():
                events.add("report %s" % line)
            self.send(204)
            return
        kind = fault.http[0]
        if kind == "status":
            events.add("%s -> %d %s" % (head, fault.http[1], fault.http[2]))
            self.send_response(fault.http[1], fault.http[2])
            self.send_header("Content-Length", "0")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            return
        if kind == "loop":
            other = {"a": "b", "b": "a"}.get(rest.split("/", 1)[0], "a")
            to = "/%s/%s/%s" % (name, other, rest.split("/", 1)[-1])
            events.add("%s -> 302 to %s" % (head, to))
            self.send(302, b"", [("Location", FAULT + to)])
            return
        if kind == "silent":
            t0 = time.monotonic()
            self.connection.settimeout(120)
            with contextlib.suppress(OSError):
                while self.connection.recv(4096):
                    pass
            events.add("%s -> no answer; the client closed after %.1f s" % (head, time.monotonic() - t0))
            self.close_connection = True
            return
        if kind == "trickle":
            t0, sent = time.monotonic(), 0
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(10 ** 9))
            self.end_headers()
            info = tarfile.TarInfo("etc/trickle")
            info.size, info.mtime = 10 ** 8, 1700000000
            start = (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + b"\x00\xff\xff\x00\x00"
                     + info.tobuf(tarfile.USTAR_FORMAT))
            with contextlib.suppress(OSError):
                self.wfile.write(start)
                self.wfile.flush()
                while time.monotonic() - t0 < 300:
                    self.wfile.write(b"\x1f")
                    self.wfile.flush()
                    sent += 1
                    # the pause, cut short when the client closes (EOF)
                    if select.select([self.connection], [], [], fault.http[1] / 1000.0)[0] and \
                            not self.connection.recv(4096):
                        break
            events.add("%s -> 200, %d bytes trickled; the client closed after %.1f s"
                       % (head, sent, time.monotonic() - t0))
            self.close_connection = True
            return
        path = os.path.join(REPO, fault.http[1]) if kind == "file" else os.path.join(www, "ovl", rest)
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError:
            events.add("%s -> 404" % head)
            self.send(404, b"not found\n")
            return
        if kind == "drop" and nth <= fault.http[1]:
            half = len(data) // 2
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            with contextlib.suppress(OSError):
                self.wfile.write(data[:half])
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
            events.add("%s -> 200, connection cut after %d of %d bytes" % (head, half, len(data)))
            self.close_connection = True
            return
        events.add("%s -> 200, %d bytes" % (head, len(data)))
        self.send(200, data, [("Content-Type", "application/octet-stream")])


# ---------------------------------------------------------------- booting a fault scenario

def boot(client, stop_event, on_line=None):
    """Boot CLIENT (an nblab Client) with its scenario's fault in place; a Boot."""
    fault = client.scn.fault
    events = Events()
    sockdir = os.path.join(SOCK_DIR, client.name)
    os.makedirs(sockdir, exist_ok=True)
    argv = list(client.argv)
    relay = None
    srv = None
    timers = []
    qmp_path = os.path.join(sockdir, "qmp.sock")
    started = threading.Event()
    try:
        if fault.http or fault.relay:
            srv = fault_server()
            srv.register(client.scn.name, fault, client.lab.www, events)
        if fault.relay:
            mac = client.scn.macs[0]
            try:
                fault_lan(client.lab.rundir, LAN_CLIENTS)
                srv.scripts[client.name] = os.path.join(client.dir, "boot.ipxe")
                relay = Relay(fault, sockdir, "nbft-" + mac.split(":")[-1], events, seed=sum(client.name.encode()),
                              tracedir=client.dir)
            except (OSError, RuntimeError) as e:
                raise LabError("faults: %s: %s" % (client.name, e))
            i = argv.index("-netdev")
            if not argv[i + 1].startswith("user,id=n0"):
                raise LabError("faults: %s: the first netdev is not user,id=n0: %s" % (client.name, argv[i + 1]))
            argv[i + 1] = relay.netdev()
        if fault.link_late:
            with contextlib.suppress(OSError):
                os.unlink(qmp_path)
            argv += ["-qmp", "unix:%s,server=on,wait=off" % qmp_path]
        with open(os.path.join(client.dir, "qemu.cmd"), "w") as f:
            f.write(shlex.join(argv) + "\n")

        link_off = []

        def link(up):
            try:
                qmp(qmp_path, "set_link", {"name": "n0", "up": up})
                if up:
                    events.add("qmp set_link n0 on, %.1f s later" % (time.monotonic() - link_off[0]))
                else:
                    link_off.append(time.monotonic())
                    events.add("qmp set_link n0 off")
            except (OSError, RuntimeError, ValueError, IndexError) as e:
                events.add("qmp set_link n0 %s failed: %s" % ("on" if up else "off", e))

        def kernel_started():
            if relay:
                relay.arm()
            if fault.link_late:
                link(False)
                t = threading.Timer(fault.link_late, link, args=(True,))
                t.daemon = True
                t.start()
                timers.append(t)

        def line_hook(t, line):
            if not started.is_set() and KERNEL_STARTED in line:
                started.set()
                kernel_started()
            if relay and fault.nfs_stall:
                relay.console(line)
            if on_line:
                on_line(t, line)

        with contextlib.suppress(OSError):
            os.unlink(client.console)
        proc = None
        try:
            with open(client.qemulog, "wb") as out:
                try:
                    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                            stderr=subprocess.STDOUT, start_new_session=True)
                except FileNotFoundError:
                    raise LabError("qemu-system-x86_64 not installed (tests/setup installs qemu-system-x86)")
            b = watch_console(proc, client.console, client.timeout, stop_event, line_hook,
                                lambda start: events.new(start, WIRE))
            start = time.monotonic() - b.elapsed
        finally:
            stop_process(proc, "qemu", grace=3)
    finally:
        for t in timers:
            t.cancel()
        if relay:
            relay.stop()
        if srv:
            srv.unregister(client.scn.name)
    for t, line in events.new(start, WIRE):
        b.feed(t, line)
        if on_line:
            on_line(t, line)
    return b


# ---------------------------------------------------------------- checks

def scenarios():
    """The fault scenarios, as Scenario objects with a .fault."""
    W = WIRE

    def nb(b):
        return b.nbinit()

    def c_fails(example, has, policy, ref=None, bound=None):
        """Checks: exactly one failure line (PHASE: OBJECT: CAUSE) holds every string of
        HAS; the next init line is POLICY; with REF (a regex of an earlier init line) and
        BOUND, the failure line came at most BOUND seconds after it."""
        if policy == SHELL:
            then, other = SHELL + " (exit it to reboot)", "nbinit: rebooting in 1 s (panic=1)"
        else:
            then, other = policy, SHELL + " (exit it to reboot)"

        def find(b):
            lines = nb(b)
            hits = [i for i, (t, x) in enumerate(lines) if FAIL_FORM.match(x) and all(h in x for h in has)]
            return lines, hits

        def t_line(b):
            lines, hits = find(b)
            seen = " | ".join(lines[i][1] for i in hits) if hits else \
                (" | ".join(x for _, x in lines[-3:]) or "no nbinit lines")
            return len(hits) == 1, "one line 'nbinit: PHASE: ...: ...' with " + " ... ".join(has), seen

        def t_then(b):
            lines, hits = find(b)
            if not hits:
                return False, policy, "no failure line"
            nxt = lines[hits[0] + 1][1] if hits[0] + 1 < len(lines) else "(no further nbinit line)"
            return nxt.startswith(policy), policy, nxt

        checks = [Check("one failure line names " + " ... ".join(has), t_line,
                          lambda: ([example, then], []),
                          replace_line(example, example.replace(has[-1], "fine"))),
                  Check("then '%s'" % policy, t_then, lambda: ([example, then], []),
                          replace_line(then, other))]
        if ref:
            ref_rx, ref_example = ref

            def t_bound(b):
                lines, hits = find(b)
                t0 = next((t for t, x in lines if re.search(ref_rx, x)), None)
                if t0 is None or not hits:
                    return False, "the failure within %g s" % bound, "no '%s' line or no failure line" % ref_rx
                dt = lines[hits[0]][0] - t0
                return 0 <= dt <= bound, "at most %g s after '%s'" % (bound, ref_rx), "%.1f s" % dt
            checks.append(Check("the failure comes within %g s (%s)" % (bound, ref_example[8:40]), t_bound,
                                  lambda: ([ref_example, example, then], []),
                                  replace_line(ref_example, None)))
        return checks

    def c_events(rx, examples, what, exact=True):
        """The lab saw len(EXAMPLES) wire events matching RX (at least that many if not EXACT)."""
        n = len(examples)

        def test(b):
            hits = [x for _, x in b.wire if re.search(rx, x)]
            ok = len(hits) == n if exact else len(hits) >= n
            return ok, "%s%d event(s) /%s/" % ("" if exact else ">= ", n, rx), \
                ("%d: " % len(hits)) + (" | ".join(hits[:8]) or " | ".join(x for _, x in b.wire[-6:]) or "none")
        return Check(what, test, lambda: ([W + e for e in examples], []),
                       replace_line(W + examples[-1], None))

    def c_lost(share, low, high):
        """The relay dropped between LOW and HIGH of the frames each way (and saw enough)."""
        ex = ["relay client->network: 3000 frames, %d dropped (%.1f%%)" % (3000 * share, share * 100),
              "relay network->client: 4000 frames, %d dropped (%.1f%%)" % (4000 * share, share * 100)]

        def test(b):
            seen = [x for _, x in b.wire if re.match(r"relay \S+->\S+: \d+ frames", x)]
            ok = len(seen) == 2
            for x in seen:
                m = re.search(r": (\d+) frames, (\d+) dropped", x)
                ok = ok and bool(m) and int(m.group(1)) >= 200 and \
                    low <= int(m.group(2)) / int(m.group(1)) <= high
            return ok, "both ways: >= 200 frames, %d-%d%% dropped" % (low * 100, high * 100), \
                " | ".join(seen) or "no relay counts"
        return Check("the relay dropped %d%% of the frames both ways" % round(share * 100), test,
                       lambda: ([W + e for e in ex], []),
                       replace_line(W + ex[0], W + "relay client->network: 3000 frames, 0 dropped (0.0%)"))

    def c_link_late(seconds):
        ex = [W + "qmp set_link n0 off", W + "qmp set_link n0 on, %.1f s later" % seconds]

        def test(b):
            off = next((t for t, x in b.wire if x == "qmp set_link n0 off"), None)
            on = next(((t, x) for t, x in b.wire if x.startswith("qmp set_link n0 on, ")), None)
            if off is None or on is None:
                return False, "set_link off, then on", " | ".join(x for _, x in b.wire) or "no QMP events"
            down = float(re.search(r"on, ([\d.]+) s later", on[1]).group(1))
            root = b.root_at
            ok = root is not None and root >= on[0] and seconds - 2 <= down <= seconds + 2
            return ok, "link down %d s, the new root after it came up" % seconds, \
                "down %.1f s, up at %.1f s, new root at %s" % (down, on[0], "%.1f s" % root if root is not None
                                                              else "never")
        return Check("the link was down %d s from the kernel's start; the boot waited for it" % seconds,
                       test, lambda: (ex, []), replace_line(ex[1], None))

    def c_line(rx, example, what):
        def test(b):
            hits = [x for _, x in nb(b) if re.search(rx, x)]
            return bool(hits), "an init line /%s/" % rx, hits[0] if hits else "none"
        return Check(what, test, lambda: ([example], []), replace_line(example, None))

    def ovl(scn, mac):
        return "%s/%s/%s.apkovl.tar.gz" % (FAULT, scn, mac)

    seed = "ip=dhcp alpine_dev=nfs:$NFS:$DEPOT alpine_repo=$HTTP/alpine/v3.20/main " + APKOVL_MAC

    def seed_checks(x):
        return booted_checks(x) + [overlay_check(x, "mac"), c_depot_mounted(x.depot),
                                     c_depot_readable(x.marker, x.depot)]

    def S(name, title, cmdline, checks, mac, fault, boots=True, **kw):
        s = Scenario(name, title, cmdline, checks, macs=[mac], boots=boots,
                       overlays=kw.pop("overlays", {"mac": "http:{mac0}"}), **kw)
        s.fault = fault
        if fault.relay:
            LAN_CLIENTS[name] = mac
        return s

    def failing_overlay(name, title, args, mac, fails, events, http, path="", **kw):
        """A boot whose apkovl comes from the fault HTTP server (FAULT/NAME/PATH{MAC}...) and
        fails: the init ran, FAILS (c_fails' checks), the server's EVENTS, then QEMU exited
        with no overlay report."""
        cmdline = ('ip=dhcp apkovl="%s" ' % ovl(name, path + "{MAC}") + args).strip()
        return S(name, title, cmdline,
                 lambda x: [c_init_ran()] + fails + events + [c_qemu_exited(), c_no_report()],
                 mac, Fault(http=http), boots=False, **kw)

    out = []
    # ---- loss and delay
    out.append(S(
        "loss", "20% of the frames lost both ways from the kernel's start: the seed chain still boots",
        seed, lambda x: seed_checks(x) + [c_lost(0.2, 0.13, 0.27)],
        "52:54:00:fa:00:01", Fault(loss=0.2)))
    out.append(S(
        "link-late", "the link comes up 30 s after the kernel starts (QMP set_link): DHCP waits and retries",
        seed, lambda x: seed_checks(x) + [
            c_line(r"^nbinit: warning: net: .*no carrier",
                   "nbinit: warning: net: eth0: no carrier after 10 s; trying DHCP anyway",
                   "the init said the link had no carrier"),
            c_link_late(30)],
        "52:54:00:fa:00:02", Fault(link_late=30)))
    # ---- DHCP
    out.append(S(
        "dhcp-slow", "the DHCP server gets none of the init's first 4 requests: a later try gets the lease",
        "ip=dhcp " + APKOVL_MAC, lambda x: booted_checks(x) + [
            overlay_check(x, "mac"),
            c_line(r"^nbinit: net: DHCP on eth0: no lease yet \(try 1 of 4\); retrying in \d",
                   "nbinit: net: DHCP on eth0: no lease yet (try 1 of 4); retrying in 1.0 s",
                   "the init retried DHCP after backoff"),
            c_events(r"^relay dropped the init's DHCP ", ["relay dropped the init's DHCP DISCOVER #%d" % i
                                                          for i in range(1, 5)],
                     "the relay dropped exactly the first 4 DHCP requests")],
        "52:54:00:fa:00:03", Fault(dhcp_drop=4)))
    out.append(S(
        "dhcp-absent", "no DHCP answer at all, nbinit.dhcp_tries=2: one line after 2 tries, rescue shell",
        "ip=dhcp nbinit.dhcp_tries=2 " + APKOVL_MAC, lambda x: [c_init_ran()] + c_fails(
            "nbinit: net: DHCP on eth0: no lease after 2 tries in 13 s",
            ["net: DHCP on eth0: ", "no lease after 2 tries"], SHELL,
            (r"^nbinit: starting \(kernel command line parsed\)$", "nbinit: starting (kernel command line parsed)"), 40) + [
            c_events(r"^relay dropped the init's DHCP ", ["relay dropped the init's DHCP DISCOVER #%d" % i
                                                          for i in range(1, 7)],
                     "the relay dropped the init's DHCP requests (3 a try)", exact=False),
            c_line(r"^nbinit: net: DHCP on eth0: no lease yet \(try 1 of 2\); retrying in ",
                   "nbinit: net: DHCP on eth0: no lease yet (try 1 of 2); retrying in 1.1 s",
                   "one backoff between the 2 tries"),
            c_no_report()],
        "52:54:00:fa:00:04", Fault(dhcp_drop="all"), boots=False))
    # ---- HTTP
    mac = "52:54:00:fa:00:05"
    out.append(S(
        "http-drop", "the overlay's server cuts the connection mid-body twice: the third GET boots",
        'ip=dhcp apkovl="%s"' % ovl("http-drop", "{MAC}"), lambda x, mac=mac: booted_checks(x) + [
            overlay_check(x, "mac"),
            c_events(r"^fault-http #\d+ GET /http-drop/%s\.apkovl\.tar\.gz -> 200, connection cut" % mac,
                     ["fault-http #1 GET /http-drop/%s.apkovl.tar.gz -> 200, connection cut after 5 of 10 bytes" % mac,
                      "fault-http #2 GET /http-drop/%s.apkovl.tar.gz -> 200, connection cut after 5 of 10 bytes" % mac],
                     "the server cut the first two GETs short"),
            c_events(r"^fault-http #3 GET /http-drop/%s\.apkovl\.tar\.gz -> 200, \d+ bytes$" % mac,
                     ["fault-http #3 GET /http-drop/%s.apkovl.tar.gz -> 200, 10 bytes" % mac],
                     "the third GET got the whole overlay"),
            c_line(r"^nbinit: warning: overlay: GET %s: truncated: \d+ of \d+ bytes \(try 1 of 4\); retrying in \d"
                   % re.escape(ovl("http-drop", mac)),
                   "nbinit: warning: overlay: GET %s: truncated: 5 of 10 bytes (try 1 of 4); retrying in 1.0 s"
                   % ovl("http-drop", mac), "the init said the body was truncated and retried")],
        mac, Fault(http=("drop", 2))))
    mac = "52:54:00:fa:00:06"
    url = ovl("http-500", mac)
    out.append(failing_overlay(
        "http-500", "the overlay's server answers 500: 4 tries with backoff, one line naming the URL, panic=1",
        "panic=1", mac, c_fails(
            "nbinit: overlay: GET %s: 500 Internal Server Error (after 4 tries)" % url,
            ["overlay: GET %s: " % url, "500 Internal Server Error (after 4 tries)"], "nbinit: rebooting in 1 s (panic=1)",
            (r"^nbinit: overlay: GET \S+$", "nbinit: overlay: GET %s" % url), 8.75 + 4),
        [c_events(r"^fault-http #\d GET /http-500/.* -> 500 ",
                  ["fault-http #%d GET /http-500/%s.apkovl.tar.gz -> 500 Internal Server Error" % (i, mac)
                   for i in range(1, 5)], "the server was asked 4 times (nbinit's default tries)")],
        ("status", 500, "Internal Server Error")))
    mac = "52:54:00:fa:00:07"
    url = ovl("http-loop", "a/" + mac)
    out.append(failing_overlay(
        "http-loop", "two URLs redirect to each other: 'redirect loop', no retry, nbinit.onfail=reboot:1",
        "nbinit.onfail=reboot:1", mac, c_fails(
            "nbinit: overlay: GET %s: redirect loop: more than 5 redirects" % url,
            ["overlay: GET %s: " % url, "redirect loop: more than 5 redirects"],
            "nbinit: rebooting in 1 s (nbinit.onfail=reboot)",
            (r"^nbinit: overlay: GET \S+$", "nbinit: overlay: GET %s" % url), 3),
        [c_events(r"^fault-http #\d GET /http-loop/.* -> 302 ",
                  ["fault-http #%d GET /http-loop/%s/%s.apkovl.tar.gz -> 302 to /http-loop/%s/%s.apkovl.tar.gz"
                   % (i, "ab"[(i + 1) % 2], mac, "ab"[i % 2], mac) for i in range(1, 7)],
                  "the server saw the first GET and 5 redirects followed, once (a loop is not retried)")],
        ("loop",), path="a/"))
    mac = "52:54:00:fa:00:08"
    url = ovl("http-silent", mac)
    out.append(failing_overlay(
        "http-silent", "the overlay's server accepts and never answers: nbinit.http_timeout=3 bounds each try, "
        "nbinit.onfail=poweroff",
        "nbinit.http_timeout=3 nbinit.onfail=poweroff", mac, c_fails(
            "nbinit: overlay: GET %s: no response within 3 s (after 4 tries)" % url,
            ["overlay: GET %s: " % url, "no response within 3 s (after 4 tries)"],
            "nbinit: powering off (nbinit.onfail=poweroff)",
            (r"^nbinit: overlay: GET \S+$", "nbinit: overlay: GET %s" % url), 4 * 3 + 8.75 + 3),
        [c_events(r"^fault-http #\d GET /http-silent/.* -> no answer; the client closed after [2-4]\.\d s$",
                  ["fault-http #%d GET /http-silent/%s.apkovl.tar.gz -> no answer; the client closed after 3.0 s"
                   % (i, mac) for i in range(1, 5)], "4 tries, each given up by the init after 3 s")],
        ("silent",)))
    mac = "52:54:00:fa:00:0e"
    url = ovl("http-trickle", mac)
    out.append(failing_overlay(
        "http-trickle", "the overlay's server sends a byte every 2 s, well within nbinit.http_timeout=3: "
        "nbinit.http_deadline=10 ends the request, one line, no retry, nbinit.onfail=poweroff",
        "nbinit.http_timeout=3 nbinit.http_deadline=10 nbinit.onfail=poweroff", mac, c_fails(
            "nbinit: overlay: GET %s: no complete answer within the deadline of 10 s (532 body bytes received)" % url,
            ["overlay: GET %s: " % url, "no complete answer within the deadline of 10 s"],
            "nbinit: powering off (nbinit.onfail=poweroff)",
            (r"^nbinit: overlay: GET \S+$", "nbinit: overlay: GET %s" % url), 10 + 3),
        [c_events(r"^fault-http #\d GET /http-trickle/.* -> 200, \d+ bytes trickled; the client closed after (9|10|11)\.\d s$",
                  ["fault-http #1 GET /http-trickle/%s.apkovl.tar.gz -> 200, 5 bytes trickled; the client closed after 10.0 s"
                   % mac], "one GET (a passed deadline is not retried), given up by the init after 10 s")],
        ("trickle", 2000)))
    # ---- NFS
    mac = "52:54:00:fa:00:09"
    out.append(S(
        "nfs-down", "the NFS server's host is silent (rpcbind, mountd, NFS): nbinit.nfs_timeout=5 bounds it, panic=1",
        "ip=dhcp alpine_dev=nfs:$NFS:$DEPOT nbinit.nfs_timeout=5 panic=1 " + APKOVL_MAC,
        lambda x, mac=mac: [c_init_ran()] + c_fails(
            "nbinit: media: nfs %s:%s: no answer from %s within 5 s" % (GUEST_HOST, x.depot, GUEST_HOST),
            ["media: nfs %s:%s: " % (GUEST_HOST, x.depot), "no answer from %s within 5 s" % GUEST_HOST],
            "nbinit: rebooting in 1 s (panic=1)",
            (r"^nbinit: net: eth0 ", "nbinit: net: eth0 (%s) 10.0.2.15/24 gateway 10.0.2.2 (dhcp) in 3000 ms" % mac),
            5 + 3) + [
            c_events(r"^relay dropped a TCP SYN to 10\.0\.2\.2:(111|2049|20048)$",
                     ["relay dropped a TCP SYN to 10.0.2.2:111"], "the relay dropped the client's SYNs", exact=False),
            c_qemu_exited(), c_no_report()],
        mac, Fault(nfs_silent=True), boots=False))
    mac = "52:54:00:fa:00:10"
    out.append(S(
        "nfs-arp", "the NFS server's address gets no ARP answer at first (the client's first 3 ARP requests for it "
        "are dropped): the mount fails with EHOSTUNREACH, the init retries it and boots",
        seed, lambda x: seed_checks(x) + [
            c_events(r"^relay dropped the client's ARP request for 10\.0\.2\.2 #\d+$",
                     ["relay dropped the client's ARP request for 10.0.2.2 #%d" % i for i in range(1, 4)],
                     "the relay dropped exactly the first 3 ARP requests for the server"),
            c_line(r"^nbinit: warning: media: nfs 10\.0\.2\.2:\S+: (No route to host|Host is unreachable) \(try 1 of 4\); "
                   r"retrying in \d",
                   "nbinit: warning: media: nfs 10.0.2.2:/srv/nfs/depot: No route to host (try 1 of 4); "
                   "retrying in 1.0 s", "the init retried the unreachable NFS server after backoff")],
        mac, Fault(arp_drop=3)))
    out.append(S(
        "nfs-stall", "the NFS server stops answering after the mount and the .boot_repository search (from "
        "the line naming the repository found on): the soft mount's read of a package fails within ~30 s, "
        "the packages come over HTTP, the boot goes on",
        seed, lambda x: booted_checks(x) + [
            overlay_check(x, "mac"), c_depot_mounted(x.depot),
            c_events(r"^relay: NFS silent from now on", ["relay: NFS silent from now on (console: nbinit: media: "
                                                         "boot repository /media/nfs/alpine/v3.20/m)"],
                     "the NFS server went silent after the mount"),
            c_line(r"^nbinit: warning: packages: /media/nfs/\S+\.apk: .*; the depot is not used for the other packages$",
                   "nbinit: warning: packages: /media/nfs/alpine/v3.20/main/x86_64/musl-1.2.4-r0.apk: "
                   "read: Input/output error; the depot is not used for the other packages",
                   "the init said the depot failed and stopped using it"),
            c_line(r"^nbinit: packages: \(\d/5\) \S+ \(\d+ KiB\) from http://",
                   "nbinit: packages: (3/5) alpine-baselayout-3.4.3-r1 (2 KiB) from "
                   "http://10.0.2.2:80/alpine/v3.20/main/x86_64/alpine-baselayout-3.4.3-r1.apk",
                   "the packages after the failed read came over HTTP")],
        "52:54:00:fa:00:0d", Fault(nfs_stall=("nbinit: media: boot repository ", "nbinit: newroot: "))))
    mac = "52:54:00:fa:00:0a"
    out.append(S(
        "nfs-noexport", "alpine_dev names an export the NFS server does not have: one line, nbinit.onfail=poweroff",
        "ip=dhcp alpine_dev=nfs:$NFS:/srv/nfs/no-such-export nbinit.nfs_timeout=5 nbinit.onfail=poweroff "
        + APKOVL_MAC,
        lambda x, mac=mac: [c_init_ran()] + c_fails(
            "nbinit: media: nfs %s:/srv/nfs/no-such-export: the server refused the mount (Permission denied): "
            "no such export, or not for this machine" % GUEST_HOST,
            ["media: nfs %s:/srv/nfs/no-such-export: " % GUEST_HOST, "no such export"],
            "nbinit: powering off (nbinit.onfail=poweroff)",
            (r"^nbinit: net: eth0 ", "nbinit: net: eth0 (%s) 10.0.2.15/24 gateway 10.0.2.2 (dhcp) in 3000 ms" % mac),
            2 * 5 + 3) + [c_qemu_exited(), c_no_report()],
        mac, Fault(), boots=False))
    # ---- nbinit.report
    mac = "52:54:00:fa:00:0b"
    url = ovl("report", mac)
    err = "overlay: GET %s: 404 Not Found" % url
    out.append(failing_overlay(
        "report", "a failing overlay with nbinit.report=: the fault server receives RESULT='fail' and the line",
        "nbinit.report=%s/report/report/{MAC} panic=1" % FAULT, mac, c_fails(
            "nbinit: " + err, ["overlay: GET %s: " % url, "404 Not Found"], "nbinit: rebooting in 1 s (panic=1)"),
        [c_events(r"^fault-http #\d POST /report/report/%s -> 204" % mac,
                  ["fault-http #2 POST /report/report/%s -> 204, body of 200 bytes" % mac],
                  "the report was POSTed to nbinit.report's URL with {MAC}"),
         c_events(r"^report RESULT='fail'$", ["report RESULT='fail'"], "the report says RESULT='fail'"),
         c_events(r"^report ERROR='%s'$" % re.escape(err), ["report ERROR='%s'" % err],
                  "the report's ERROR is the failure line"),
         c_events(r"^report MAC='%s'$" % mac, ["report MAC='%s'" % mac], "the report names the MAC")],
        ("status", 404, "Not Found")))
    # ---- a hostile overlay
    mac = "52:54:00:fa:00:0c"
    url = ovl("hostile", mac)
    out.append(failing_overlay(
        "hostile", "the overlay (tests/corpus/symlink-then-write.tar.gz) writes through a symlink to /etc: refused",
        "nbinit.onfail=poweroff", mac, c_fails(
            "nbinit: overlay: %s: etc/shadow: etc is a symbolic link; refusing to go through it" % url,
            ["overlay: %s: " % url, "etc/shadow: etc is a symbolic link"],
            "nbinit: powering off (nbinit.onfail=poweroff)"),
        [c_events(r"^fault-http #1 GET /hostile/.* -> 200, \d+ bytes$",
                  ["fault-http #1 GET /hostile/%s.apkovl.tar.gz -> 200, 300 bytes" % mac],
                  "the server handed out the hostile overlay once (a refused overlay is not retried)")],
        ("file", "tests/corpus/symlink-then-write.tar.gz"), overlays={}))
    mac = "52:54:00:fa:00:0f"
    url = ovl("planted-link", mac)
    out.append(failing_overlay(
        "planted-link", "the overlay (tests/corpus/planted-apk-link.tar.gz) plants etc/apk -> /: the init's own "
        "writes of apk's files do not follow it, one line, nbinit.onfail=poweroff",
        "alpine_repo=http://10.0.2.2/alpine/v3.20/main nbinit.onfail=poweroff", mac, c_fails(
            "nbinit: packages: writing /etc/apk/world: a symbolic link is in the way",
            ["a symbolic link is in the way"],
            "nbinit: powering off (nbinit.onfail=poweroff)"),
        [c_events(r"^fault-http #1 GET /planted-link/.* -> 200, \d+ bytes$",
                  ["fault-http #1 GET /planted-link/%s.apkovl.tar.gz -> 200, 200 bytes" % mac],
                  "the server handed out the overlay once")],
        ("file", "tests/corpus/planted-apk-link.tar.gz"), overlays={}))
    return out
