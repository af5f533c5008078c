"""A session inside the namespaces: the Lab with its servers, and what boots take from the options."""

import os

from .base import DEFAULT_TIMEOUT, KERNEL_DIR, LabError, STOP, rel
from .procs import ignore_stop_signals, install_stop_handlers, setup_namespace
from .inputs import build_pxerd
from .rundir import Lab
from .servers import Servers
from .desc import bind_srv, load_description
from .pxenet import PxeNet


class Session:
    """Namespaces are set up; a Lab with its Servers for the commands below."""

    def __init__(self, command, args):
        self.host_pid = setup_namespace()
        os.environ["NBLAB_HOST_PID"] = str(self.host_pid)
        install_stop_handlers()
        self.args = args
        self.command = command
        self.servers = None
        self.lab = None
        self.pxenet = None

    def start(self, kernel, initrd):
        self.lab = Lab(self.command, kernel, initrd, self.host_pid)
        self.lab.desc = desc = load_description()
        bind_srv(self.lab, desc)
        self.lab.export = desc["nfs_export"]
        self.servers = Servers(self.lab)
        self.servers.start()
        self.pxenet = PxeNet(self.lab, self.servers, desc, getattr(self.args, "append", "") or "")
        self.pxenet.start()

    def close(self):
        ignore_stop_signals()
        STOP.set()
        if self.pxenet:
            self.pxenet.stop()
        if self.servers:
            self.servers.stop()


def boot_inputs(args, announce=False):
    """(kernel, initrd) for this run: --kernel/--initrd, else out/kernel and out/pxerd
    (rebuilt when older than an input; ANNOUNCE says so even when it is up to date)."""
    kernel = args.kernel or os.path.join(KERNEL_DIR, "vmlinuz")
    if not os.path.isfile(kernel):
        raise LabError("%s is missing (run tests/setup)" % rel(kernel))
    if args.initrd:
        if not os.path.isfile(args.initrd):
            raise LabError("%s: no such initrd" % args.initrd)
        return kernel, os.path.abspath(args.initrd)
    return kernel, build_pxerd(quiet=not announce)


def timeout_of(args):
    return args.timeout or int(os.environ.get("NBLAB_TIMEOUT", DEFAULT_TIMEOUT))


def check_lines(results):
    return ["%s %s" % ("ok  " if ok else "FAIL", c.what) +
            ("" if ok else "\n       expected: %s\n       seen:     %s" % (exp, seen))
            for c, ok, exp, seen in results]
