#!/usr/bin/env python3
"""Import circles between the modules of a crate (issue 21).

Usage: scripts/module-cycles.py [--names] CRATE_SRC_DIR...

Every `.rs` file under a crate's `src/` is a module (`a/b.rs` and `a/b/mod.rs` are `a::b`;
`lib.rs`, the crate root that only re-exports, is left out). Module A depends on module B when A
names a path into B: `crate::b::...` or `use crate::{b::...}` (`super::` in a top-level module is
`crate::`; a submodule's `super::` stays inside its top-level module, which is one node). With `--names`,
A also depends on B when it names an item B defines through the crate root (`crate::Item`,
`use crate::{Item, ...}`), found by the item's definition (`pub struct Item`, a wrapper macro's
`Item => bindings::...`, ...).

Prints each strongly connected set of more than one module (a circle) and exits 1 if there is
one, 0 otherwise. Comments and string text are not read.
"""

import os
import re
import sys

DEF_RE = re.compile(
    r"^\s*pub(?:\([^)]*\))?\s+(?:unsafe\s+)?(?:const\s+fn|async\s+fn|fn|struct|enum|trait|type|const|static|union|mod)\s+(\w+)",
    re.M,
)
# Types declared by a macro call: `Name => bindings::c_type` / `Name => $ctype`.
MACRO_DEF_RE = re.compile(r"^\s*(?:@\w+\s+)?([A-Z]\w*)\s*=>\s*(?:bindings::|crate::bindings::|\$crate::bindings::)", re.M)
PATH_RE = re.compile(r"(?<![\w$])crate::(\w+)")
USE_GROUP_RE = re.compile(r"(?<![\w$])use\s+crate::\{([^;]*)\};", re.S)
SUPER_RE = re.compile(r"(?<![\w$])super::(\w+)")


def strip(text):
    """Removes comments, string and char literals (keeps lines)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
        elif c == "r" and re.match(r'r#*"', text[i:]) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            m = re.match(r'r(#*)"', text[i:])
            end = '"' + m.group(1)
            j = text.find(end, i + len(m.group(0)))
            i = n if j < 0 else j + len(end)
            out.append('""')
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            i = j + 1
            out.append('""')
        elif c == "'" and re.match(r"'(\\.|[^\\'])'", text[i:]):
            i += len(re.match(r"'(\\.|[^\\'])'", text[i:]).group(0))
            out.append("' '")
        else:
            out.append(c)
            i += 1
    return "".join(out)


def modules(src):
    mods = {}
    for root, _, files in os.walk(src):
        for f in files:
            if not f.endswith(".rs"):
                continue
            rel = os.path.relpath(os.path.join(root, f), src)[:-3].split(os.sep)
            if rel[-1] == "mod":
                rel = rel[:-1]
            if rel in (["lib"], ["main"]) or not rel:
                continue
            with open(os.path.join(root, f), encoding="utf-8") as fh:
                mods["::".join(rel)] = strip(fh.read())
    return mods


def top(name):
    return name.split("::")[0]


def graph(src, names):
    mods = modules(src)
    tops = {top(m) for m in mods}
    defined = {}
    for m, text in mods.items():
        for d in DEF_RE.findall(text) + MACRO_DEF_RE.findall(text):
            defined.setdefault(d, set()).add(top(m))
    edges = {top(m): set() for m in mods}
    for m, text in mods.items():
        a = top(m)
        targets = set(PATH_RE.findall(text))
        for group in USE_GROUP_RE.findall(text):
            for part in re.split(r"[,\s]+", group):
                if part:
                    targets.add(part.split("::")[0])
        if "::" not in m:
            # In a top-level module `super::` is the crate root; deeper, it stays in this one.
            targets.update(SUPER_RE.findall(text))
        for t in targets:
            if t in tops:
                edges[a].add(t)
            elif names and t in defined:
                edges[a].update(defined[t])
        edges[a].discard(a)
    return edges


def circles(edges):
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def main():
    args = sys.argv[1:]
    names = "--names" in args
    dirs = [a for a in args if a != "--names"]
    if not dirs:
        print(__doc__.strip())
        return 2
    found = False
    for d in dirs:
        edges = graph(d, names)
        cs = circles(edges)
        if not cs:
            print(f"{d}: {len(edges)} modules, no import circle")
        for c in cs:
            found = True
            members = set(c)
            print(f"{d}: circle between {', '.join(c)}")
            for a in c:
                for b in sorted(edges[a] & members):
                    print(f"    {a} -> {b}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
