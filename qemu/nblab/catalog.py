"""Every scenario: the lab's own and qemu/faults.py's."""


import faults       # qemu/faults.py: faults the boot survives or reports (relay, QMP, fault HTTP server)

from .base import LabError


from .scenarios import SCENARIOS as LAB_SCENARIOS

SCENARIOS = LAB_SCENARIOS + faults.scenarios()
BY_NAME = {s.name: s for s in SCENARIOS}


def scenario(name):
    try:
        return BY_NAME[name]
    except KeyError:
        raise LabError("no scenario %r (have: %s)" % (name, ", ".join(BY_NAME)))
