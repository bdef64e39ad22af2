#!/usr/bin/env python3
"""Shares of perf samples whose call stack contains a frame matching each name:

    perf_shares.py PERF_SCRIPT_TEXT NAME...

PERF_SCRIPT_TEXT is `perf script` output (demangled; profile.sh writes one). A sample
counts once per name however many of its frames match, so shares of nested names overlap."""
import sys

path, names = sys.argv[1], sys.argv[2:]
samples, frames = [], []
for line in open(path, errors="replace"):
    if line.startswith((" ", "\t")):
        parts = line.strip().split(None, 1)
        if len(parts) == 2:
            frames.append(parts[1])
    else:
        if frames:
            samples.append(frames)
        frames = []
if frames:
    samples.append(frames)
for name in names:
    hits = sum(1 for stack in samples if any(name in frame for frame in stack))
    print(f"{hits / max(len(samples), 1):6.1%} {name}")
print(f"{len(samples)} samples")
