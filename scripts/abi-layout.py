#!/usr/bin/env python3
# abi-layout.py TREE BASE TOP: the structures of include/ that exist at BASE
# and that TOP changes must keep the layout modules built against BASE rely
# on: the members BASE has, in BASE's order, then only new members at the
# end (members may go from the end). A member inserted in the middle moves
# every later one: an out-of-tree module built for the distribution kernel
# (Debian's 6.12 ABI) then calls the wrong hook. Compares the text of the
# definitions (comments and spacing dropped, #if lines kept), so it needs no
# debug information and no build.
# Prints one line per structure checked, "BAD ..." for a broken one; exits 1
# if any is broken.
import re
import subprocess
import sys

tree, base, top = sys.argv[1:4]


def git(*args):
    return subprocess.run(['git', '-C', tree, *args], check=True,
                          capture_output=True, text=True).stdout


def structs(text):
    """{name: [member, ...]} of the top-level struct/union definitions."""
    text = re.sub(r'/\*.*?\*/', ' ', text, flags=re.S)
    text = re.sub(r'//[^\n]*', ' ', text)
    out = {}
    for m in re.finditer(r'^(?:struct|union) (\w+) \{\n(.*?)^\}', text, re.M | re.S):
        members = []
        for line in m.group(2).split('\n'):
            if line.lstrip().startswith('#'):
                members.append(' '.join(line.split()))
                continue
            members.extend(' '.join(s.split()) for s in line.split(';'))
        # a declaration that spans lines: join what is left between ';'
        joined, cur = [], ''
        for s in members:
            if s.startswith('#'):
                joined.append(s)
                continue
            cur = (cur + ' ' + s).strip()
            if cur and cur.count('(') == cur.count(')') and cur.count('{') == cur.count('}'):
                joined.append(cur)
                cur = ''
        out[m.group(1)] = [s for s in joined if s]
    return out


bad = 0
headers = git('diff', '--name-only', base, top, '--', 'include/', 'arch/*/include/').split()
for h in headers:
    try:
        old = structs(git('show', f'{base}:{h}'))
    except subprocess.CalledProcessError:
        continue        # a new header
    try:
        new = structs(git('show', f'{top}:{h}'))
    except subprocess.CalledProcessError:
        new = {}
    for name, a in sorted(old.items()):
        b = new.get(name)
        if b is None or a == b:
            continue
        n = 0
        while n < min(len(a), len(b)) and a[n] == b[n]:
            n += 1
        moved = [s for s in a[n:] if s in b]
        if moved:
            bad += 1
            where = b[n] if n < len(b) else '(end)'
            print(f'BAD {h}: struct {name}: "{where}" comes before members '
                  f'that {base} has ({", ".join(a[n:n + 3])} ...): append it')
        else:
            print(f'ok {h}: struct {name}: {len(a) - n} members removed '
                  f'from its end, {len(b) - n} appended')
sys.exit(1 if bad else 0)
