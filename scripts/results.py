#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""results: turn the guest's logs into a per-test table and a verdict.

Reads the kernel console log (KUnit's KTAP, printed at boot, and every kernel
message) and the guest's test output (the kselftest runner's TAP). Prints one
row per test and ends with exactly "N passed, N failed" (", N skipped" when
any were skipped). Exits non-zero on any failed test, on an expected test that
did not report, and on any panic, oops, BUG, WARN, lockdep, KASAN or similar
report in the console log. With --panic-console, one more row: the boot that
must panic (boot.sh panic) passes only if it panicked as panic_boot() says.

Nesting: KUnit nests by indentation; the kselftest runner nests a program's
own TAP under a "# " prefix. Both are read the same way: a result line at
depth d closes the results at depth d + 1 that came before it (its subtests).
"""

import argparse
import os
import re
import sys

TIMESTAMP = re.compile(r'^\[\s*\d+\.\d+\]\s?')
RESULT = re.compile(r'^(not ok|ok)\s+\d+(?:\s+-)?\s*([^#]*?)\s*(?:#\s*(.*))?$')

# Kernel reports that fail the run whatever the tests said.
SPLATS = [
    r'Kernel panic',
    r'\bOops\b',
    r'\bBUG[: ]',
    r'kernel BUG at',
    r'WARNING:',
    r'-+\[ cut here \]-+',
    r'possible circular locking',
    r'possible recursive locking',
    r'inconsistent lock state',
    r'INFO: lockdep is turned off',
    r'DEBUG_LOCKS_WARN_ON',
    r'irq lock inversion',
    r'lock held when returning',
    r'suspicious RCU usage',
    r'KASAN:',
    r'UBSAN:',
    r'general protection fault',
    r'INFO: task .* blocked',
    r'rcu: INFO:',
    r'soft lockup',
    r'hard LOCKUP',
    r'page dumped because',
    r'list_(add|del) corruption',
    r'Call Trace:',
    r'Call trace:',                     # arm64's
    r'Unable to handle kernel',         # arm64's bad kernel access
    r'SError Interrupt',
    r'\bbad (pgd|p4d|pud|pmd|pte)\b',    # pgtable-generic.c: an entry cleared as bad
    r'Bad page (map|state)',
]
SPLAT = re.compile('|'.join(SPLATS))


class Result:
    def __init__(self, depth, ok, name, directive):
        self.depth = depth
        self.ok = ok
        self.name = name
        self.skip = bool(directive) and directive.upper().startswith('SKIP')
        self.directive = directive or ''
        self.children = []

    @property
    def status(self):
        if self.skip:
            return 'skip'
        return 'pass' if self.ok else 'fail'


def parse(lines):
    """Parse (depth, text) pairs into a forest of Results."""
    pending = {}            # depth -> results waiting for their parent
    roots = []
    for depth, text in lines:
        m = RESULT.match(text)
        if not m:
            continue
        r = Result(depth, m.group(1) == 'ok', m.group(2), m.group(3))
        r.children = pending.pop(depth + 1, [])
        # Anything deeper still pending belonged to an aborted subtest.
        for d in [d for d in pending if d > depth + 1]:
            r.children.extend(pending.pop(d))
        pending.setdefault(depth, []).append(r)
    for d in sorted(pending):
        roots.extend(pending[d])
    return roots


def leaves(result, prefix=''):
    """Yield (name, status, note) for the leaves under result.

    A parent that failed although none of its leaves did (a suite whose init
    failed, a program that crashed after its last result) is a failure of
    its own.
    """
    name = prefix + result.name
    if not result.children:
        yield name, result.status, result.directive
        return
    rows = []
    for c in result.children:
        rows.extend(leaves(c, name + ': '))
    yield from rows
    if result.status == 'fail' and all(s != 'fail' for _, s, _ in rows):
        yield name, 'fail', 'failed as a whole'


def kunit_lines(console, timestamps=True):
    """KTAP lines that KUnit printed, with depth from indent.

    On the test kernel's console they come through printk, with timestamps;
    kunit.py --raw_output=kunit gives them bare.
    """
    out = []
    inside = False
    for raw in console:
        m = TIMESTAMP.match(raw)
        if timestamps and not m:
            continue
        line = raw[m.end():].rstrip('\n') if m else raw.rstrip('\n')
        stripped = line.lstrip(' ')
        if stripped.startswith('KTAP version') and len(line) == len(stripped):
            inside = True
            continue
        if not inside:
            continue
        indent = len(line) - len(stripped)
        out.append((indent // 4, stripped))
    return out


def kselftest_lines(output):
    """Runner TAP with depth = number of '# ' prefixes."""
    out = []
    inside = False
    for raw in output:
        line = raw.rstrip('\r\n')
        if line.startswith('LAB: kselftest begin'):
            inside = True
            continue
        if line.startswith('LAB: kselftest end'):
            inside = False
        if not inside:
            continue
        depth = 0
        while line.startswith('# '):
            line = line[2:]
            depth += 1
        out.append((depth, line))
    return out


PANIC_PFN = re.compile(r'poisoning slab pfn (0x[0-9a-f]+), expecting a panic')


def panic_boot(console_path, output_path):
    """(status, note) of the boot that must panic (boot.sh panic).

    It passes only if the test printed the pfn it poisoned, the kernel
    logged memory failure's line for that pfn, and the first kernel report
    of the boot is the panic that names it: a machine that runs on, or
    that goes down for another reason first, fails.
    """
    try:
        with open(console_path, errors='replace') as f:
            console = [TIMESTAMP.sub('', l.rstrip()) for l in f]
        with open(output_path, errors='replace') as f:
            output = f.read()
    except FileNotFoundError as e:
        return 'fail', 'no log of the boot (%s)' % e.filename
    m = PANIC_PFN.search(output)
    if not m:
        return 'fail', 'the test printed no pfn: it did not run, or not to the end'
    pfn = m.group(1)
    logged = 'Memory failure: %s: recovery action for reserved kernel page: Ignored' % pfn
    expected = 'Kernel panic - not syncing: Memory failure: %s: ' \
               'unrecoverable error in a kernel page' % pfn
    if not any(l.endswith(logged) for l in console):
        return 'fail', 'no "%s" line' % logged
    reports = [l for l in console if SPLAT.search(l)]
    if not reports:
        return 'fail', 'the kernel did not panic'
    if not reports[0].endswith(expected):
        return 'fail', 'the first kernel report was not the panic: %s' % reports[0]
    return 'pass', ''


def machine(label, console_path, output_path, expect, args, rows, problems, reports):
    """The rows of one machine's boot: its KUnit suites (console), its
    kselftests (output), what its expect file says must report, and the
    kernel reports in its console. @label prefixes its rows ('' for x86)."""
    pre = label + ': ' if label else ''
    with open(console_path, errors='replace') as f:
        console = f.readlines()
    try:
        with open(output_path, errors='replace') as f:
            output = f.readlines()
    except FileNotFoundError:
        output = []

    kunit = parse(kunit_lines(console))
    suites = [r for r in kunit if r.children]
    for r in kunit:
        rows += [('kunit', pre + n, s, d) for n, s, d in leaves(r)]
    if len(suites) < args.kunit_expect:
        problems.append('%sexpected at least %d KUnit suite(s), saw %d' %
                        (pre, args.kunit_expect, len(suites)))

    # guest/init: a module that did not load (the tests that need it would
    # only skip).
    for line in output:
        if line.startswith('LAB: modprobe failed: '):
            problems.append('%smodule %s did not load' % (pre, line.split(': ', 2)[2].strip()))

    kst = parse(kselftest_lines(output))
    for r in kst:
        rows += [('kselftest', pre + re.sub(r'^selftests: ', '', n), s, d)
                 for n, s, d in leaves(r)]
    if expect:
        with open(expect) as f:
            want = [t.strip() for t in f if t.strip() and not t.startswith('#')]
        seen = {r.name for r in kst}
        seen_suites = {r.name for r in suites}
        for t in want:
            c, name = t.split(':', 1)
            if c == 'kunit':
                if name not in seen_suites:
                    problems.append('%sKUnit suite %s did not report a result' % (pre, name))
            elif c == 'kunit-um':
                continue    # checked with the UML KTAP
            elif 'selftests: %s: %s' % (c, name) not in seen:
                problems.append('%skselftest %s did not report a result' % (pre, t))

    splats = [i for i, raw in enumerate(console)
              if (m := TIMESTAMP.match(raw)) and SPLAT.search(raw[m.end():])]
    if splats:
        reports.append((console_path, console, splats[0], len(splats)))
        problems.append('%sthe kernel reported a problem (panic/oops/BUG/WARN/lockdep/KASAN)' % pre)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--console', required=True, help='kernel console log')
    ap.add_argument('--output', required=True, help="guest's test output (TAP)")
    ap.add_argument('--tap', action='append', default=[],
                    help='more TAP results, if present, their kind named by '
                         'the file (hygiene.tap, vma.tap)')
    ap.add_argument('--kunit-ktap', action='append', default=[],
                    help="KTAP of kunit.py --raw_output=kunit (UML), if present")
    ap.add_argument('--panic-console', help='console log of the boot that must panic')
    ap.add_argument('--panic-output', help="that boot's test output")
    ap.add_argument('--expect', help='file of COLLECTION:TEST (kunit:SUITE, kunit-um:SUITE) that must report')
    ap.add_argument('--machine', action='append', default=[],
                    help='another machine: LABEL,CONSOLE,OUTPUT,EXPECT (arm64)')
    ap.add_argument('--kunit-expect', type=int, default=1,
                    help='at least this many KUnit suites must report')
    args = ap.parse_args()

    rows = []
    problems = []
    reports = []    # (console path, its lines, index of the first splat, count)

    for path in args.tap:
        try:
            with open(path, errors='replace') as f:
                lines = [(0, l.rstrip('\n')) for l in f]
        except FileNotFoundError:
            continue
        kind = os.path.basename(path).rsplit('.', 1)[0]     # hygiene, vma
        for r in parse(lines):
            rows += [(kind, n, s, d) for n, s, d in leaves(r)]

    machines = [('', args.console, args.output, args.expect)]
    for m in args.machine:
        label, console, output, expect = m.split(',')
        machines.append((label, console, output, expect))
    for label, console, output, expect in machines:
        if label and not os.path.exists(console):
            problems.append('%s: no console log %s: the %s machine did not boot' %
                            (label, console, label))
            continue
        machine(label, console, output, expect, args, rows, problems, reports)

    um_suites = []
    for path in args.kunit_ktap:
        try:
            with open(path, errors='replace') as f:
                um = parse(kunit_lines(f.readlines(), timestamps=False))
        except FileNotFoundError:
            continue
        um_suites += [r for r in um if r.children]
        for r in um:
            rows += [('kunit-um', n, s, d) for n, s, d in leaves(r)]
    if args.expect:
        with open(args.expect) as f:
            want = [t.strip()[9:] for t in f if t.startswith('kunit-um:')]
        seen_um = {r.name for r in um_suites}
        problems += ['KUnit suite %s (UML) did not report a result' % t
                     for t in want if t not in seen_um]

    if args.panic_console:
        status, note = panic_boot(args.panic_console, args.panic_output)
        rows.append(('boot', 'panic: panic_on_unrecoverable_memory_failure',
                     status, note))

    width = max([len(n) for _, n, _, _ in rows] + [20])
    print('%-9s  %-*s  %s' % ('kind', width, 'test', 'result'))
    for kind, name, status, note in rows:
        print('%-9s  %-*s  %s%s' % (kind, width, name, status,
                                     '  # ' + note if note and status != 'pass' else ''))

    for path, console, first, count in reports:
        print('\nkernel reports in %s:' % path)
        for line in console[max(0, first - 2):first + 30]:
            print('  ' + line.rstrip())
        print('  (%d matching line(s) in all)' % count)
    for p in problems:
        print('PROBLEM: ' + p)

    passed = sum(1 for r in rows if r[2] == 'pass')
    failed = sum(1 for r in rows if r[2] == 'fail') + len(problems)
    skipped = sum(1 for r in rows if r[2] == 'skip')
    print()
    print('%d passed, %d failed%s' % (passed, failed,
                                      ', %d skipped' % skipped if skipped else ''))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
