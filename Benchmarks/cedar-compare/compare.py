#!/usr/bin/env python3
"""Arbiter against Cedar (cedarpy) on the same scenarios, entities and requests, in one run.

    python3 Benchmarks/cedar-compare/compare.py [--out DIR] [--seconds S] [--no-build]

1. Builds the benchmark package's helper (`arbiter-bench`, release) and has it write the
   scenario files from the benchmark package's seeded generators, so both engines read the
   very same inputs: per scenario `entities.json` (Cedar JSON entities), `policies.cedar`
   (Cedar text), `policies/*.yaml` (the same rules as Arbiter YAML) and `requests.jsonl`.
2. Times cedarpy per call with the policies pre-parsed (`PolicySet.from_str`) and the
   entities pre-loaded (`Entities.from_json_str`), and reads Cedar's own authorization
   time from the result's metrics.
3. Runs `arbiter-bench time DIR memory|lmdb|lmdb-closure`, which loads the same files and times each
   decision in-process (complete mode, Cedar's semantics: every determining rule; fast
   mode: stop at the first decisive rule), in memory and over an LMDB graph (walking
   parent edges, and through precomputed ancestor closures).
4. Checks that both engines reach the same decision on every request Cedar was asked, and
   prints the table. Scenarios rbac-plus-10 and rbac-plus-1000 add 10 or 1,000 rules that
   cannot apply to any request (other resource types).
"""
import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import time

import cedarpy

HERE = pathlib.Path(__file__).resolve().parent
PACKAGE = HERE.parent
SCENARIOS = ["rbac", "documents", "licensing", "rbac-plus-10", "rbac-plus-1000"]


def percentile(samples, q):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def run_cedar(folder: pathlib.Path, seconds: float):
    policies = cedarpy.PolicySet.from_str((folder / "policies.cedar").read_text())
    entities = cedarpy.Entities.from_json_str((folder / "entities.json").read_text())
    requests = [json.loads(line) for line in (folder / "requests.jsonl").read_text().splitlines()]
    # One call to warm up (the first pays one-off costs).
    cedarpy.is_authorized(requests[0], policies, entities)
    samples, authz, decisions = [], [], []
    deadline = time.perf_counter() + seconds
    for request in requests:
        t0 = time.perf_counter_ns()
        result = cedarpy.is_authorized(request, policies, entities)
        samples.append(time.perf_counter_ns() - t0)
        authz.append(result.metrics.get("authz_duration_micros", 0) * 1000)
        decisions.append("A" if result.allowed else "D")
        if time.perf_counter() > deadline and len(samples) >= 50:
            break
    return {
        "n": len(samples),
        "mean_ns": statistics.fmean(samples),
        "p50_ns": percentile(samples, 0.5),
        "authz_p50_ns": percentile(authz, 0.5),
        "decisions": "".join(decisions),
    }


def run_arbiter(binary: pathlib.Path, out: pathlib.Path, store: str):
    lines = subprocess.run([str(binary), "time", str(out), store], check=True, capture_output=True, text=True).stdout
    results = {}
    for line in lines.splitlines():
        row = json.loads(line)
        results[(row["scenario"], row["mode"])] = row
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="/tmp/arbiter-cedar-compare")
    parser.add_argument("--seconds", type=float, default=3.0, help="time budget of cedarpy per scenario")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--no-build", action="store_true")
    args = parser.parse_args()

    if not args.no_build:
        subprocess.run(["swift", "build", "-c", "release", "--product", "arbiter-bench"], cwd=PACKAGE, check=True,
                       stdout=subprocess.DEVNULL)
    binary = PACKAGE / ".build" / "release" / "arbiter-bench"
    out = pathlib.Path(args.out)
    if not all((out / name / "requests.jsonl").exists() for name in SCENARIOS):
        subprocess.run([str(binary), "files", str(out), str(args.requests)], check=True, stdout=subprocess.DEVNULL)

    print(f"cedarpy {cedarpy.__version__ if hasattr(cedarpy, '__version__') else '4.12.2'}; "
          f"{os.cpu_count()} CPUs; Arbiter in-process (arbiter-bench), Cedar per is_authorized call", file=sys.stderr)
    arbiter_memory = run_arbiter(binary, out, "memory")
    arbiter_lmdb = run_arbiter(binary, out, "lmdb")
    arbiter_closure = run_arbiter(binary, out, "lmdb-closure")

    header = ("scenario", "rules", "Arbiter mem fast", "Arbiter mem complete", "Arbiter LMDB fast", "Arbiter LMDB complete",
              "Arbiter LMDB+closure fast", "Arbiter LMDB+closure complete", "Cedar call", "Cedar authz only", "Cedar/Arbiter", "agree")
    rows = []
    for name in SCENARIOS:
        folder = out / name
        rules = (folder / "policies.cedar").read_text().count("@id(")
        cedar = run_cedar(folder, args.seconds)
        mem_fast, mem_complete = arbiter_memory[(name, "fast")], arbiter_memory[(name, "complete")]
        lmdb_fast, lmdb_complete = arbiter_lmdb[(name, "fast")], arbiter_lmdb[(name, "complete")]
        closure_fast, closure_complete = arbiter_closure[(name, "fast")], arbiter_closure[(name, "complete")]
        ours = mem_complete["decisions"][: cedar["n"]]
        agree = sum(a == b for a, b in zip(ours, cedar["decisions"]))
        assert lmdb_complete["decisions"] == mem_complete["decisions"], f"{name}: LMDB and memory disagree"
        assert closure_complete["decisions"] == mem_complete["decisions"], f"{name}: LMDB closures and memory disagree"
        rows.append((
            name, str(rules),
            f"{mem_fast['p50_ns']:,} ns", f"{mem_complete['p50_ns']:,} ns",
            f"{lmdb_fast['p50_ns']:,} ns", f"{lmdb_complete['p50_ns']:,} ns",
            f"{closure_fast['p50_ns']:,} ns", f"{closure_complete['p50_ns']:,} ns",
            f"{cedar['p50_ns']:,} ns", f"{cedar['authz_p50_ns']:,} ns",
            f"{cedar['p50_ns'] / mem_complete['p50_ns']:.0f}× (LMDB {cedar['p50_ns'] / lmdb_complete['p50_ns']:.0f}×, "
            f"closure {cedar['p50_ns'] / closure_complete['p50_ns']:.0f}×)",
            f"{agree}/{cedar['n']}",
        ))
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths)) + " |")
    print("\nAll times are medians (p50) per decision. Arbiter: in-process, one decision timed at a time; "
          "LMDB renews a read snapshot per decision. Cedar call: cedarpy.is_authorized with a pre-parsed PolicySet and "
          "pre-loaded Entities, timed from Python; Cedar authz only: the authz_duration_micros cedarpy reports "
          "(microsecond resolution). Ratio: Cedar call / Arbiter complete mode.")


if __name__ == "__main__":
    main()
