#!/usr/bin/env python3
"""Lists import circles between modules of one crate: module A uses
`crate::b` / `super::b` (or a path inside it) and module B uses A back.
Exit 1 when there is one. Run from the repository root."""
import os, re, sys

def modules(src):
    out = {}
    for root, _, files in os.walk(src):
        for f in files:
            if not f.endswith('.rs'):
                continue
            path = os.path.join(root, f)
            rel = os.path.relpath(path, src)[:-3].split(os.sep)
            if rel[-1] == 'mod':
                rel = rel[:-1]
            if rel == ['lib'] or rel == ['main']:
                rel = []
            out['::'.join(rel)] = open(path).read()
    return out

def deps(name, text, names):
    found = set()
    parent = name.rsplit('::', 1)[0] if '::' in name else ''
    for m in re.finditer(r'\b(crate|super)::([a-z_][a-z0-9_]*(?:::[a-z_][a-z0-9_]*)*)', text):
        base = '' if m.group(1) == 'crate' else parent
        parts = m.group(2).split('::')
        # the longest module path that exists
        for n in range(len(parts), 0, -1):
            cand = '::'.join(([base] if base else []) + parts[:n])
            if cand in names and cand != name:
                found.add(cand)
                break
    return found

bad = 0
for crate in sorted(os.listdir('crates')):
    src = os.path.join('crates', crate, 'src')
    if not os.path.isdir(src):
        continue
    mods = modules(src)
    graph = {n: deps(n, t, mods) for n, t in mods.items()}
    for a, ds in graph.items():
        for b in ds:
            if a < b and a in graph.get(b, ()):
                print(f'{crate}: {a or "lib"} <-> {b or "lib"}')
                bad += 1
sys.exit(1 if bad else 0)
