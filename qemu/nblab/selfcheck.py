"""The checks' self-check, without a VM.

Made-up consoles: every check passes on its scenario's ideal console (built
from the examples of the scenario's checks) and fails on that console spoiled
by its own spoiler (a hand-written change that must make it fail).

Recorded consoles (tests/lab/transcripts: transcripts of real boots, one per
client of every scenario, from lab runs): every check passes on its
scenario's own recorded console and fails on at least one other scenario's.
A console of a boot of other inputs (--kernel, --initrd) is no scenario's
own, only another console for all. 'qemu/lab selfcheck --record RUN...'
replaces the recorded consoles with those of RUN... (lab runs).
"""

import os
import shutil

from .base import LAB, LabError, REPO, rel
from .console import Boot
from .scenarios import example_ctxs
from .catalog import SCENARIOS
from . import transcripts

RECORDED = os.path.join(REPO, "tests", "lab", "transcripts")


def ideal_transcript(scn, ctx):
    """Console lines satisfying every check of SCN (and the exit state)."""
    console, report = ["[    0.000000] Linux version (self-check)"], []
    for c in scn.checks(ctx):
        con, rep = c.example()
        console += [l for l in con if l not in console]
        report += [l for l in rep if l not in report]
    # The init echoes its lines through /dev/kmsg; the console shows both.
    echoed = []
    for i, l in enumerate(console):
        echoed.append(l)
        if l.startswith("nbinit: "):
            echoed.append("[    %d.%06d] %s" % (3 + i, 1234, l))
    lines = echoed + (["NBLAB-BEGIN"] + report + ["NBLAB-END"] if scn.boots else [])
    return lines, {"ended": "exited"}


def judge(scn, ctx, lines, meta):
    boot = Boot(lines, ended=meta["ended"])
    return [(c.what, c.test(boot)[0]) for c in scn.checks(ctx)]


def passes(check, boot):
    """Whether CHECK passes on BOOT; one that raises has failed (as Client.evaluate has it)."""
    try:
        return bool(check.test(boot)[0])
    except Exception:
        return False


def recorded_problems(directory=RECORDED):
    """Judge every check on the recorded consoles in DIRECTORY.

    Returns (problems, count): PROBLEMS are checks that fail on their own
    scenario's recorded console or on no other scenario's, scenarios without
    a recorded console and consoles of no scenario; COUNT is the consoles read.
    """
    try:
        recs = transcripts.load_all(directory)
    except (OSError, ValueError) as e:
        return ["recorded consoles: %s" % e], 0
    if not recs:
        return ["recorded consoles: none in %s" % rel(directory)], 0
    boots = {name: t.boot() for name, t in recs.items()}
    problems = []
    any_rec = next(iter(recs.values()))
    for scn in SCENARIOS:
        own = [t for t in recs.values() if t.meta["scenario"] == scn.name and t.lab_inputs()]
        if not own:
            problems.append("%s: no recorded console in %s" % (scn.name, rel(directory)))
        for t in own:
            for c in scn.checks(t.ctx(scn)):
                if not passes(c, boots[t.name]):
                    problems.append("%s: '%s' fails on its own recorded console %s" % (
                        scn.name, c.what, rel(t.path)))
        others = [t.name for t in recs.values() if t.meta["scenario"] != scn.name or not t.lab_inputs()]
        for c in scn.checks((own[0] if own else any_rec).ctx(scn)):
            if all(passes(c, boots[n]) for n in others):
                problems.append("%s: '%s' fails on no other scenario's recorded console" % (scn.name, c.what))
    names = set(s.name for s in SCENARIOS)
    for t in recs.values():
        if t.meta["scenario"] not in names:
            problems.append("%s: recorded console of a scenario that does not exist (%s)" % (
                rel(t.path), t.meta["scenario"]))
    return problems, len(recs)


def record(runs):
    """Replace the recorded consoles with the transcripts of the lab runs RUNS (a later
    run's console of a client replaces an earlier one's); return how many."""
    found = {}
    for run in runs:
        clients = os.path.join(run, "clients")
        paths = sorted(os.path.join(clients, n, "transcript.txt") for n in os.listdir(clients)
                       if os.path.exists(os.path.join(clients, n, "transcript.txt"))) \
            if os.path.isdir(clients) else []
        if not paths:
            raise LabError("%s: no clients/*/transcript.txt (run 'qemu/lab test' first)" % rel(run))
        for p in paths:
            t = transcripts.Transcript(p)       # each must read back
            name = os.path.basename(os.path.dirname(p))
            if not t.lab_inputs():
                name += "-initrd-" + os.path.basename(t.meta["initrd"]).split(".")[0]
            found[name] = p
    os.makedirs(RECORDED, exist_ok=True)
    for n in os.listdir(RECORDED):
        if n.endswith(".txt"):
            os.unlink(os.path.join(RECORDED, n))
    for name, p in found.items():
        shutil.copyfile(p, os.path.join(RECORDED, name + ".txt"))
    return len(found)


def made_up_problems():
    """Every check passes on its scenario's ideal transcript and fails when spoiled."""
    problems = []
    for scn, ctx in [(s, c) for s in SCENARIOS for c in example_ctxs(s)[:1]]:
        lines, meta = ideal_transcript(scn, ctx)
        for what, ok in judge(scn, ctx, lines, meta):
            if not ok:
                problems.append("%s: '%s' fails on the ideal console" % (scn.name, what))
        for c in scn.checks(ctx):
            bad_lines, bad_meta = c.spoil(list(lines), dict(meta))
            if (bad_lines, bad_meta) == (lines, meta):
                problems.append("%s: '%s': its spoiler changes nothing" % (scn.name, c.what))
                continue
            if c.test(Boot(bad_lines, ended=bad_meta["ended"]))[0]:
                problems.append("%s: '%s' still passes on a spoiled console" % (scn.name, c.what))
    return problems


def selfcheck_problems():
    """The problems of both halves (for 'qemu/lab test')."""
    return made_up_problems() + recorded_problems()[0]


def cmd_selfcheck(args):
    if args.record is not None:
        runs = args.record or [os.path.join(LAB, "last")]
        n = record(runs)
        print("recorded %d consoles of %s in %s" % (n, ", ".join(rel(os.path.realpath(r)) for r in runs),
                                                   rel(RECORDED)))
    made = made_up_problems()
    real, count = recorded_problems()
    total = sum(len(s.checks(example_ctxs(s)[0])) for s in SCENARIOS)
    for l in made + real:
        print(l)
    print("%d checks in %d scenarios: %s" % (total, len(SCENARIOS),
                                            "each passes on an ideal console and fails on a spoiled one"
                                            if not made else "%d problems" % len(made)))
    print("%d recorded consoles (%s): %s" % (
        count, rel(RECORDED), "each check passes on its scenario's own and fails on another scenario's"
        if not real else "%d problems" % len(real)))
    return 1 if made or real else 0
