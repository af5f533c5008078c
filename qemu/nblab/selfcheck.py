"""The checks' self-check: each check passes on an ideal console and fails on a spoiled one."""


from .console import Boot
from .scenarios import example_ctxs
from .catalog import SCENARIOS


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


def selfcheck_problems():
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


def cmd_selfcheck(args):
    problems = selfcheck_problems()
    total = sum(len(s.checks(example_ctxs(s)[0])) for s in SCENARIOS)
    for l in problems:
        print(l)
    print("%d checks in %d scenarios: %s" % (total, len(SCENARIOS),
                                            "each passes on an ideal console and fails on a spoiled one"
                                            if not problems else "%d problems" % len(problems)))
    return 1 if problems else 0
