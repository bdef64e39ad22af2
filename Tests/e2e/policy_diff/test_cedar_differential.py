"""Differential test: Arbiter's `policy eval` against Cedar (cedarpy) on random cases.

    ARBITER_BIN=.build/debug/arbiter python -m pytest Tests/e2e/policy_diff -q

Environment:
    ARBITER_BIN           arbiter binary (default .build/debug/arbiter, relative to the repo root)
    ARBITER_DIFF_SETS     number of random policy sets (default 200)
    ARBITER_DIFF_REQUESTS requests per set (default 40)
    ARBITER_DIFF_SEED     first seed (default 0); set i uses seed BASE+i
    ARBITER_DIFF_JOBS     parallel arbiter processes (default 2)

For each set the case is written to a temp dir and arbiter runs ONCE:
    arbiter policy eval --policies DIR --entities FILE --requests FILE
The LMDB variant registers one tenant per set on a live server, imports the entities
into its graph with `arbiter graph import`, and evaluates with
    arbiter policy eval --policies DIR --data-dir DATA --tenant SLUG --requests FILE
Each output line must match Cedar's answer in decision, sorted determining rule ids
("reasons") and sorted erroring rule ids. Error messages are not compared.
A missing binary is a failure, not a skip: this runs in CI after the build.
Reproduce one case:  python Tests/e2e/policy_diff/generator.py SEED /tmp/case
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import cedar_oracle  # noqa: E402
import generator  # noqa: E402

REPO_ROOT = HERE.parents[2]
N_SETS = int(os.environ.get("ARBITER_DIFF_SETS", "200"))
N_REQUESTS = int(os.environ.get("ARBITER_DIFF_REQUESTS", "40"))
BASE_SEED = int(os.environ.get("ARBITER_DIFF_SEED", "0"))
JOBS = max(1, int(os.environ.get("ARBITER_DIFF_JOBS", "2")))
MAX_DETAILED = 3


def arbiter_bin() -> Path:
    p = Path(os.environ.get("ARBITER_BIN", ".build/debug/arbiter"))
    return p if p.is_absolute() else REPO_ROOT / p


def run_case(binary: Path, seed: int, root: Path, data_dir: Path | None = None) -> list[dict]:
    """Returns a list of problems (empty when Arbiter agrees with Cedar on every request).
    With `data_dir`, the entities go through the tenant `diff-SEED`'s LMDB graph."""
    case = generator.generate(seed, N_REQUESTS)
    expected = cedar_oracle.evaluate(case)
    pdir, ent, req = case.write(str(root / f"case-{seed}"))
    if data_dir is None:
        source = ["--entities", ent]
    else:
        source = ["--data-dir", str(data_dir), "--tenant", f"diff-{seed}"]
        # A third of the tenants keep ancestor closures current while importing, a third
        # compute them after the import, a third walk parent edges: decisions must agree.
        closures = [str(binary), "graph", "closures", *source, "--enable"]
        load = [str(binary), "graph", "import", *source, "--entities", ent]
        steps = {1: [closures, load], 2: [load, closures]}.get(seed % 3, [load])
        for step in steps:
            loaded = subprocess.run(step, capture_output=True, text=True, timeout=120)
            if loaded.returncode != 0:
                return [{"seed": seed, "case": case, "cmd": step, "kind": f"{step[2]} {step[3]} exit status {loaded.returncode}",
                         "stderr": loaded.stderr[-4000:], "stdout": loaded.stdout[-2000:]}]
    cmd = [str(binary), "policy", "eval", "--policies", pdir, *source, "--requests", req]
    base = {"seed": seed, "case": case, "cmd": cmd}
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        return [dict(base, kind="timeout")]
    if proc.returncode != 0:
        return [dict(base, kind=f"exit status {proc.returncode}", stderr=proc.stderr[-4000:],
                     stdout=proc.stdout[-2000:])]
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    problems = []
    if len(lines) != len(case.requests):
        problems.append(dict(base, kind=f"{len(lines)} output lines for {len(case.requests)} requests",
                             stderr=proc.stderr[-4000:], stdout=proc.stdout[-2000:]))
    for i, (line, exp) in enumerate(zip(lines, expected)):
        try:
            got = json.loads(line)
        except json.JSONDecodeError as e:
            problems.append(dict(base, kind=f"bad JSON on line {i + 1}: {e}", index=i, got_raw=line,
                                 expected=exp))
            continue
        if not isinstance(got, dict) or cedar_oracle.comparable(got) != cedar_oracle.comparable(exp):
            problems.append(dict(base, kind="mismatch", index=i, got=got, expected=exp))
    return problems


def describe(p: dict) -> str:
    case = p["case"]
    out = [f"=== seed {p['seed']}: {p['kind']}",
           "command: " + " ".join(p["cmd"]),
           f"reproduce: python Tests/e2e/policy_diff/generator.py {p['seed']} /tmp/case-{p['seed']}",
           "--- Cedar policies (same rules, same ids, as the YAML files):", case.cedar.rstrip()]
    if "index" in p:
        out += ["--- request #%d:" % (p["index"] + 1), json.dumps(case.requests[p["index"]], ensure_ascii=False)]
    if "expected" in p:
        out += ["--- cedar:   " + json.dumps(p["expected"], ensure_ascii=False)]
    if "got" in p:
        out += ["--- arbiter: " + json.dumps(p["got"], ensure_ascii=False)]
    if "got_raw" in p:
        out += ["--- arbiter: " + p["got_raw"]]
    if "stderr" in p:
        out += ["--- arbiter stderr:", p["stderr"], "--- arbiter stdout (tail):", p["stdout"]]
    out += ["--- entities:", json.dumps(case.entities, ensure_ascii=False)]
    return "\n".join(out)


def test_cedar_differential(tmp_path):
    binary = arbiter_bin()
    if not binary.is_file():
        pytest.fail(f"arbiter binary not found at {binary}: build it first (swift build) "
                    f"or point ARBITER_BIN at it. The differential test never skips.")
    seeds = range(BASE_SEED, BASE_SEED + N_SETS)
    with ThreadPoolExecutor(max_workers=JOBS) as pool:
        results = list(pool.map(lambda s: run_case(binary, s, tmp_path), seeds))
    report([p for ps in results for p in ps], tmp_path)


def test_cedar_differential_over_lmdb(tmp_path, arbiter):
    """The same comparison with entities read from LMDB-mapped pages instead of a file."""
    import requests
    binary = arbiter_bin()
    seeds = range(BASE_SEED, BASE_SEED + N_SETS)
    for seed in seeds:
        created = requests.post(arbiter.url + "/api/tenancy/tenant-registrations", json={
            "tenantName": f"diff {seed}", "tenantSlug": f"diff-{seed}", "userName": "admin",
            "email": "admin@diff.example", "password": "differential-pass", "planCode": "developer"})
        assert created.status_code == 201, created.text
    with ThreadPoolExecutor(max_workers=JOBS) as pool:
        results = list(pool.map(lambda s: run_case(binary, s, tmp_path, arbiter.data_dir), seeds))
    report([p for ps in results for p in ps], tmp_path)


def report(problems: list[dict], tmp_path) -> None:
    checked = N_SETS * N_REQUESTS
    print(f"\ndifferential: {N_SETS} sets x {N_REQUESTS} requests, {len(problems)} problems")
    if problems:
        # one detailed report per seed, at most MAX_DETAILED
        shown, seen = [], set()
        for p in problems:
            if p["seed"] not in seen and len(shown) < MAX_DETAILED:
                seen.add(p["seed"])
                shown.append(describe(p))
        summary = ", ".join(f"{p['seed']}#{p.get('index', -1) + 1}" for p in problems[:60])
        msg = (f"{len(problems)} disagreements with Cedar over {checked} requests "
               f"(seed#request: {summary}{' ...' if len(problems) > 60 else ''})\n\n"
               + "\n\n".join(shown) + f"\n\ncase files are under {tmp_path}")
        print(msg)
        pytest.fail(f"{len(problems)} disagreements with Cedar; first: seed {problems[0]['seed']}, "
                    f"{problems[0]['kind']} (details printed above)", pytrace=False)
