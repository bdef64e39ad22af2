"""Self-check of the generator and the Cedar oracle; needs cedarpy, not arbiter.

    python -m pytest Tests/e2e/policy_diff -k oracle -s     # -s shows the mix statistics
    python Tests/e2e/policy_diff/test_oracle_selfcheck.py   # same statistics, as a script
"""

from __future__ import annotations

import collections
import os
import sys

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import cedar_oracle  # noqa: E402
import generator  # noqa: E402

SEEDS = int(os.environ.get("ARBITER_DIFF_SETS", "200"))
BASE = int(os.environ.get("ARBITER_DIFF_SEED", "0"))


def mix_stats(n_sets: int = SEEDS, base: int = BASE) -> collections.Counter:
    st: collections.Counter = collections.Counter()
    for seed in range(base, base + n_sets):
        case = generator.generate(seed)
        answers = cedar_oracle.evaluate(case)
        st["sets"] += 1
        st["rules"] += len(case.rules)
        decisions = set()
        for a in answers:
            st["requests"] += 1
            st[a["decision"]] += 1
            decisions.add(a["decision"])
            if a["decision"] == "deny":
                st["deny_by_forbid" if a["reasons"] else "deny_by_default"] += 1
            st["requests_with_errors"] += bool(a["errors"])
            st["erroring_rule_evals"] += len(a["errors"])
            st["reasons_total"] += len(a["reasons"])
            st["requests_with_2+_reasons"] += len(a["reasons"]) >= 2
            for e in a["errors"]:
                msg = e["message"]
                key = ("overflow" if "overflow" in msg else
                       "missing attribute" if "does not have the attribute" in msg else
                       "missing entity" if "does not exist" in msg else
                       "type error" if "type error" in msg else
                       "extension" if "extension" in msg else "other")
                st["error:" + key] += 1
        st["sets_with_both_decisions"] += len(decisions) == 2
    return st


def format_stats(st: collections.Counter) -> str:
    n = st["requests"]
    lines = [f"{st['sets']} sets, {st['rules']} rules, {n} requests"]
    for k in ["allow", "deny", "deny_by_forbid", "deny_by_default", "requests_with_errors",
              "requests_with_2+_reasons", "sets_with_both_decisions"]:
        base = st["sets"] if k.startswith("sets") else n
        lines.append(f"  {k:28s} {st[k]:6d}  ({100.0 * st[k] / max(base, 1):.1f}%)")
    lines.append(f"  {'reasons_total':28s} {st['reasons_total']:6d}")
    lines.append(f"  {'erroring_rule_evals':28s} {st['erroring_rule_evals']:6d}")
    for k in sorted(k for k in st if k.startswith("error:")):
        lines.append(f"    {k:26s} {st[k]:6d}")
    return "\n".join(lines)


def test_oracle_parses_every_generated_set():
    """cedarpy parses every generated policy set, and the YAML we write maps back to the
    exact same Cedar text (so Arbiter and Cedar see the same rules)."""
    for seed in range(BASE, BASE + SEEDS):
        case = generator.generate(seed)
        cedar_oracle.parse_policies(case.cedar)  # raises ValueError on a parse error
        rules = []
        files = case.yaml_files()
        for name in sorted(files):
            for doc in yaml.safe_load_all(files[name]):
                assert doc["kind"] == "policy"
                rules.extend(doc["rules"])
        assert [r["id"] for r in rules] == case.rule_ids
        assert len(set(case.rule_ids)) == len(case.rule_ids)
        again = "\n".join(generator.rule_to_cedar(r) for r in rules)
        assert again == case.cedar, f"seed {seed}: YAML does not round-trip"


def test_oracle_generator_is_deterministic():
    a, b = generator.generate(12345), generator.generate(12345)
    assert (a.cedar, a.entities, a.requests) == (b.cedar, b.entities, b.requests)


def test_oracle_mix_is_healthy():
    st = mix_stats()
    print("\n" + format_stats(st))
    n = st["requests"]
    assert 0.30 <= st["allow"] / n <= 0.70, "allow share out of 30-70%"
    assert st["deny_by_forbid"] / n >= 0.08, "too few denies decided by a forbid rule"
    assert st["deny_by_default"] / n >= 0.08, "too few default denies"
    assert st["requests_with_errors"] / n >= 0.15, "too few requests with errors"
    assert st["requests_with_2+_reasons"] / n >= 0.10, "too few requests with several reasons"
    assert st["sets_with_both_decisions"] / st["sets"] >= 0.5
    for k in ["error:overflow", "error:missing attribute", "error:missing entity", "error:type error"]:
        assert st[k] > 0, f"no {k}"


def _standin(tmp_path, broken: bool):
    script = tmp_path / ("arbiter-broken" if broken else "arbiter-standin")
    ref = os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference_eval.py")
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{ref}" "$@"{" --break" if broken else ""}\n')
    script.chmod(0o755)
    return script


def test_oracle_harness_with_cedar_standin(tmp_path):
    """The harness end to end, with a cedarpy-backed stand-in for arbiter that reads the
    YAML/entities/requests files as written: it must agree on every request, and a stand-in
    that flips one answer must be reported."""
    import test_cedar_differential as diff

    good = _standin(tmp_path, broken=False)
    for seed in range(BASE, BASE + 15):
        assert diff.run_case(good, seed, tmp_path) == [], f"seed {seed}"
    bad = _standin(tmp_path, broken=True)
    problems = diff.run_case(bad, BASE, tmp_path)
    assert len(problems) == 1 and problems[0]["kind"] == "mismatch"
    text = diff.describe(problems[0])
    assert "@id(" in text and "--- cedar:" in text and "--- arbiter:" in text


if __name__ == "__main__":
    print(format_stats(mix_stats()))
