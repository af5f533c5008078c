"""The commands that boot: demo, boot, test, and the servers alone."""

import concurrent.futures
import contextlib
import json
import os
import signal
import sys
import threading
import time

from .base import GUEST_HOST, KERNEL_DIR, LabError, SERVERS_STATE, SERVER_LOGS, STOP, Stopped, log, rel
from .procs import vm_lock
from .inputs import kernel_version
from .desc import DHCP_FLAVOURS, desc_client
from .console import ending
from .catalog import SCENARIOS, scenario
from .clients import Client
from .session import Session, boot_inputs, timeout_of
from .report import LivePrinter, client_summary, httpd_offset, show_client, show_pxe_network, show_result
from .selfcheck import selfcheck_problems
from . import transcripts


DEMO_SCENARIO = "pxe"


class Slots:
    """JOBS VM slots for one run: a scenario with several VMs takes up to all of them."""

    def __init__(self, n):
        self.n = self.free = max(1, n)
        self.cond = threading.Condition()

    @contextlib.contextmanager
    def take(self, k):
        k = max(1, min(k, self.n))
        with self.cond:
            while self.free < k:
                if STOP.is_set():
                    raise Stopped("stopped")
                self.cond.wait(0.5)
            self.free -= k
        try:
            yield
        finally:
            with self.cond:
                self.free += k
                self.cond.notify_all()


def scenario_clients(sess, scn, timeout, append):
    """The Clients of SCN: one on QEMU user networking, or one per member on the PXE network."""
    if scn.net == "pxe":
        return [Client(sess.lab, scn, timeout, append, member=desc_client(sess.lab.desc, n), pxenet=sess.pxenet)
                for n in scn.members]
    return [Client(sess.lab, scn, timeout, append)]


def boot_clients(sess, scn, clients, slots, on_line=None):
    """Boot CLIENTS of SCN at once; [(client, boot, results)]. ON_LINE(client, t, line) sees every line."""
    net = sess.pxenet.use(scn.dhcp, [c.member["mac"] for c in clients]) if scn.net == "pxe" \
        else contextlib.nullcontext()
    with net, slots.take(len(clients)):
        def one(c):
            return c.boot(STOP, (lambda t, line: on_line(c, t, line)) if on_line else None)
        if len(clients) == 1:
            boots = [one(clients[0])]
        else:
            with concurrent.futures.ThreadPoolExecutor(max_workers=len(clients)) as pool:
                boots = list(pool.map(one, clients))
    for c, b in zip(clients, boots):
        transcripts.save(c, b)
    return [(c, b, c.evaluate(b)) for c, b in zip(clients, boots)]


def cmd_boot(args, demo=False):
    sess = Session("demo" if demo else "boot", args)
    try:
        with vm_lock():
            scn = scenario(args.scenario if not demo else DEMO_SCENARIO)
            if demo:
                print("nbinit QEMU PXE lab: %s" % scn.title)
                print("")
                print("[1/4] the boot files", flush=True)
            kernel, initrd = boot_inputs(args, announce=demo)
            if demo:
                print("  kernel %s (%s), pxerd %s (%d bytes, out/init packed by ./mkpxerd)"
                      % (rel(kernel), kernel_version(), rel(initrd), os.path.getsize(initrd)))
                print("")
                print("[2/4] servers, in a private network namespace", flush=True)
            sess.start(kernel, initrd)
            SERVER_LOGS.update(sess.servers.logs)
            lab = sess.lab
            print("servers (in the lab's private network namespace%s):"
                  % ("" if scn.net == "pxe" else "; QEMU user networking shows its 127.0.0.1 as " + GUEST_HOST))
            for l in sess.servers.describe():
                print("  " + l)
            print("  boot files: kernel %s, initrd %s" % (rel(kernel), rel(initrd)))
            print("")
            if scn.net == "pxe":
                show_pxe_network(sess, scn)
            clients = scenario_clients(sess, scn, timeout_of(args), args.append)
            if demo:
                print("[3/4] the client", flush=True)
            for c in clients:
                show_client(c)
            off = httpd_offset()
            live = LivePrinter(args.verbose, names=len(clients) > 1)
            if demo:
                print("[4/4] PXE boot (TCG: a minute or so; each line as it happens)", flush=True)
            print("%s (seconds since QEMU started; iPXE itself prints only on the VGA console%s):"
                  % ("console" if args.verbose else "boot",
                     ", [wire] is what the bridge saw" if scn.net == "pxe" else ""), flush=True)
            outcomes = boot_clients(sess, scn, clients, Slots(len(clients)), live)
            if not args.verbose and not live.count:
                print("  (no 'nbinit: ' line on the console)")
            print("")
            ok = True
            for c, b, r in outcomes:
                ok = show_result(c, b, r, httpd_log_from=None if c.member else off) and ok
            if len(outcomes) > 1:
                print("clients:")
                for c, b, r in outcomes:
                    print("  " + client_summary(c, b))
            return 0 if ok else 1
    finally:
        sess.close()
        if demo:
            print("servers stopped, namespace gone: nothing of the lab is left running or listening",
                  flush=True)


def run_scenarios(sess, scns, jobs, timeout, append):
    """Boot SCNS, JOBS VMs at a time; yield (index, scenario, [(client, boot, results)]) in order."""
    users = {}
    for scn in scns:
        for m in scn.members:
            if m in users:
                raise LabError("scenarios %s and %s both boot client %s of %s: its overlay (by MAC) would be "
                               "overwritten; give each scenario its own clients"
                               % (users[m], scn.name, m, rel(sess.lab.desc["path"])))
            users[m] = scn.name
    slots = Slots(jobs)
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, len(scns)))
    futures = []
    try:
        for scn in scns:
            clients = scenario_clients(sess, scn, timeout, append)
            futures.append((scn, pool.submit(boot_clients, sess, scn, clients, slots)))
        for i, (scn, fut) in enumerate(futures):
            while True:
                try:
                    outcomes = fut.result(timeout=0.5)
                    break
                except concurrent.futures.TimeoutError:
                    continue
            yield i, scn, outcomes
    finally:
        STOP.set()
        pool.shutdown(wait=True, cancel_futures=True)


def tap_diag(lines, err=False):
    """TAP comments; failure details go to stderr, which prove shows without -v."""
    out = sys.stderr if err else sys.stdout
    for l in lines:
        print("# " + l, file=out)
    out.flush()


def cmd_test(args):
    names = args.scenarios or [s.name for s in SCENARIOS]
    scns = [scenario(n) for n in names]
    sess = Session("test", args)
    n = 0
    failed = 0
    try:
        try:
            with vm_lock():
                kernel, initrd = boot_inputs(args)
                sess.start(kernel, initrd)
                SERVER_LOGS.update(sess.servers.logs)
                selfcheck = not args.scenarios
                print("1..%d" % (len(scns) + (1 if selfcheck else 0)), flush=True)
                tap_diag(["lab run %s (pxerd %s); servers:" % (rel(sess.lab.dir), rel(initrd))]
                         + ["  " + l for l in sess.servers.describe() + sess.pxenet.describe()])
                if selfcheck:
                    n += 1
                    problems = selfcheck_problems()
                    print("%s %d - lab: every scenario check passes on an ideal console and fails on a spoiled one, "
                          "passes on its scenario's recorded console and fails on another's"
                          % ("ok" if not problems else "not ok", n), flush=True)
                    tap_diag(problems, err=True)
                    failed += bool(problems)
                for i, scn, outcomes in run_scenarios(sess, scns, args.jobs, timeout_of(args), args.append):
                    n += 1
                    bad = [(c, b, r) for c, b, r in outcomes if not all(x[1] for x in r)]
                    print("%s %d - %s: %s" % ("not ok" if bad else "ok", n, scn.name, scn.title), flush=True)
                    if scn.net == "pxe":
                        tap_diag(["%s (%s): %s" % (scn.name, scn.dhcp, client_summary(c, b))
                                  for c, b, r in outcomes])
                    if not bad:
                        tap_diag(["%s: %d checks passed in %.1f s" % (
                            scn.name, sum(len(r) for c, b, r in outcomes), max(b.elapsed for c, b, r in outcomes))])
                        continue
                    failed += 1
                    for client, boot, results in bad:
                        wrong = [x for x in results if not x[1]]
                        diag = ["%s: %d of %d checks failed; %s" % (client.name, len(wrong), len(results),
                                                                    ending(boot)),
                                "kernel command line: " + client.cmdline]
                        for c, ok, exp, seen in wrong:
                            diag += ["FAIL %s" % c.what, "  expected: %s" % exp, "  seen:     %s" % seen]
                        nb = [t for _, t in boot.nbinit()]
                        diag += ["the init said (%d nbinit: lines%s):" % (len(nb), ", last 15" if len(nb) > 15 else "")]
                        diag += ["  " + l for l in nb[-15:]] or ["  (nothing)"]
                        diag += ["console: %s" % rel(client.console), "last 20 console lines:"]
                        diag += ["  | " + l for l in boot.text()[-20:]] or ["  (empty console)"]
                        tap_diag(diag, err=True)
        except LabError as e:
            print("Bail out! lab: %s" % str(e).splitlines()[0], flush=True)
            tap_diag(str(e).splitlines()[1:], err=True)
            return 2
    finally:
        sess.close()
    return 1 if failed else 0


def cmd_servers(args):
    if args.action == "start":
        sess = Session("servers", args)
        try:
            try:
                kernel, initrd = boot_inputs(args)
            except LabError as e:
                log("lab: serving no pxerd: %s" % e)
                kernel, initrd = os.path.join(KERNEL_DIR, "vmlinuz"), None
            sess.start(kernel, initrd)
            # The description's DHCP flavour serves the bridge until the end.
            dhcp = contextlib.ExitStack()
            dhcp.enter_context(sess.pxenet.use(sess.lab.desc["dhcp"], []))
            with open(SERVERS_STATE, "w") as f:
                json.dump({"host_pid": sess.host_pid, "run": sess.lab.dir, "http_port": sess.lab.http_port}, f)
            print("servers up (run %s):" % rel(sess.lab.dir))
            for l in sess.servers.describe() + sess.pxenet.describe():
                print("  " + l)
            print("  on the bridge now: %s" % DHCP_FLAVOURS[sess.lab.desc["dhcp"]])
            print("  logs: %s" % ", ".join(rel(v) for v in sorted(sess.servers.logs.values())))
            print("they live in a private network namespace; reach them with")
            print("  qemu/lab servers exec nfs-ls nfs://%s%s" % (sess.pxenet.server, sess.lab.export))
            print("stop with Ctrl-C or 'qemu/lab servers stop'", flush=True)
            while True:
                for name, proc in sess.servers.procs:
                    if proc.poll() is not None:
                        raise LabError("%s exited (status %s); see %s" % (
                            name, proc.returncode, rel(sess.servers.logs.get(name, "?"))))
                time.sleep(1)
        except Stopped:
            print("stopping servers", flush=True)
            return 0
        finally:
            sess.close()
            with contextlib.suppress(OSError):
                with open(SERVERS_STATE) as f:
                    if json.load(f).get("host_pid") == sess.host_pid:
                        os.unlink(SERVERS_STATE)
    state = servers_state()
    if args.action == "stop":
        if not state:
            print("lab: no servers started by 'qemu/lab servers start'")
            return 0
        pid = state["host_pid"]
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        for _ in range(100):
            if not os.path.exists("/proc/%d" % pid):
                break
            time.sleep(0.1)
        else:
            raise LabError("lab process %d did not stop" % pid)
        with contextlib.suppress(OSError):
            os.unlink(SERVERS_STATE)
        print("servers stopped")
        return 0
    if args.action == "exec":
        if not state:
            raise LabError("no servers running; start them with 'qemu/lab servers start'")
        if not args.cmd:
            raise LabError("servers exec: which command?")
        os.execvp("nsenter", ["nsenter", "-t", str(state["host_pid"]), "-n", "-m", "--"] + args.cmd)
    raise LabError("servers: start, stop or exec")


def servers_state():
    try:
        with open(SERVERS_STATE) as f:
            state = json.load(f)
    except (OSError, ValueError):
        return None
    try:
        with open("/proc/%d/environ" % state["host_pid"], "rb") as f:
            if b"NBLAB_NS=1" not in f.read():
                return None
    except OSError:
        return None
    return state
