#!/usr/bin/python3
"""Check every #include "x.h" of src/ and include/ against the layer table
that README.md's internals section draws, and fail on an include cycle.

The table sits between the lines `<!-- layers begin -->` and
`<!-- layers end -->` of README.md; each row is `N  pattern pattern ...`
where a pattern is a module name (a file's base name without .c/.h) with
shell wildcards.  A file may include headers of its own layer or of a lower
one; every module must match some row, so a new file has to be placed.
"""
import fnmatch
import os
import re
import sys

top = sys.argv[1] if len(sys.argv) > 1 else "."
readme = open(os.path.join(top, "README.md"), encoding="utf-8").read()
m = re.search(r"<!-- layers begin -->(.*?)<!-- layers end -->", readme, re.S)
if not m:
    sys.exit("check-layers: README.md has no layer table")
# A row is "N unit unit ..."; a line without a number continues the row
# above.  A unit is a pattern, or "name=pattern,pattern" for a module split
# over several files.
rows = []          # (layer, unit name, pattern)
layer = None
for line in m.group(1).splitlines():
    f = line.split()
    if not f:
        continue
    if f[0].isdigit():
        layer = int(f[0])
        f = f[1:]
    if layer is None:
        sys.exit("check-layers: a table row without a layer: " + line)
    for u in f:
        if "=" in u:
            name, pats = u.split("=", 1)
            for p in pats.split(","):
                rows.append((layer, name, p))
        else:
            rows.append((layer, None, u))


def place(mod):
    """(layer, unit) of a module, or None; an exact name beats a pattern."""
    best = None
    for n, unit, p in rows:
        if fnmatch.fnmatchcase(mod, p):
            score = (0 if p == mod else 1, n)
            if best is None or score < best[0]:
                best = (score, n, unit or mod)
    return None if best is None else best[1:]


def layer_of(mod):
    pl = place(mod)
    return None if pl is None else pl[0]


def unit_of(mod):
    return place(mod)[1]


errors = []
edges = {}
files = []
for d in ("src", "include"):
    for name in sorted(os.listdir(os.path.join(top, d))):
        if name.endswith((".c", ".h")):
            files.append(os.path.join(d, name))
inc_re = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
for path in files:
    mod = os.path.splitext(os.path.basename(path))[0]
    lay = layer_of(mod)
    if lay is None:
        errors.append("%s: module %s has no row in README's layer table"
                      % (path, mod))
        continue
    with open(os.path.join(top, path), encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            im = inc_re.match(line)
            if not im:
                continue
            dep = os.path.splitext(os.path.basename(im.group(1)))[0]
            if dep == mod:
                continue
            dl = layer_of(dep)
            if dl is None:
                errors.append("%s:%d: %s has no row in the layer table"
                              % (path, lineno, im.group(1)))
                continue
            if dl > lay:
                errors.append("%s:%d: %s (layer %d) includes %s (layer %d)"
                              % (path, lineno, mod, lay, im.group(1), dl))
            if unit_of(dep) != unit_of(mod):
                edges.setdefault(unit_of(mod), set()).add(unit_of(dep))

# Cycles among units (a .c and its .h are one module; a unit may be
# several files).
state = {}
stack = []


def visit(n):
    state[n] = 1
    stack.append(n)
    for d in sorted(edges.get(n, ())):
        if state.get(d) == 1:
            cyc = stack[stack.index(d):] + [d]
            errors.append("include cycle: " + " -> ".join(cyc))
        elif d not in state:
            visit(d)
    stack.pop()
    state[n] = 2


for n in sorted(edges):
    if n not in state:
        visit(n)

for e in errors:
    print(e)
if errors:
    sys.exit(1)
print("check-layers: %d files, no upward include, no cycle between units"
      % len(files))
