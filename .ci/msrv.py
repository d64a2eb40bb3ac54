#!/usr/bin/env python3
"""Checks that Cargo.toml's `rust-version` is true for Cargo.lock: at least
the highest `rust-version` among the packages the library and the binary
build with (normal and build dependencies, resolved from the lock file).

Usage: cargo metadata --format-version 1 --locked | python3 .ci/msrv.py
"""
import json
import sys


def version(v):
    parts = [int(x) for x in v.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


meta = json.load(sys.stdin)
packages = {p["id"]: p for p in meta["packages"]}
nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
root = next(p for p in meta["packages"] if p["name"] == "rbacc")
declared = root.get("rust_version")
if not declared:
    sys.exit("Cargo.toml declares no rust-version")

seen, todo, needs = set(), [root["id"]], []
while todo:
    pid = todo.pop()
    if pid in seen:
        continue
    seen.add(pid)
    for dep in nodes[pid]["deps"]:
        if any(k["kind"] in (None, "build") for k in dep["dep_kinds"]):
            todo.append(dep["pkg"])
for pid in seen - {root["id"]}:
    rv = packages[pid].get("rust_version")
    if rv:
        needs.append((version(rv), packages[pid]["name"], packages[pid]["version"]))
needs.sort(reverse=True)
top = needs[0] if needs else ((0,), "-", "-")
print(f"rust-version {declared}; the lock file's packages need {'.'.join(map(str, top[0]))} ({top[1]} {top[2]})")
if version(declared) < top[0]:
    sys.exit(f"rust-version {declared} is below what {top[1]} {top[2]} needs")
