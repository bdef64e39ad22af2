"""Reference answers from Cedar itself, through cedarpy (Rust Cedar bound to Python).

How cedarpy identifies policies: a policy set parsed from text gets the ids
`policy0`, `policy1`, ... in textual order. `diagnostics.reasons` lists those ids
(`id_annotations_by_reason` maps each to its `@id("...")` annotation) and every entry of
`diagnostics.errors` is a string "error while evaluating policy `policyN`: <message>".
We emit the Cedar policies in the same order as the YAML rules, each with @id("<rule id>"),
so `policyN` is rules[N]; the annotation map is used as a cross-check.
A policy parse error does not raise in is_authorized (it answers NoDecision with the parse
error in `errors`), so the set is parsed up front with PolicySet.from_str, which raises.
"""

from __future__ import annotations

import json
import re
from typing import Any

import cedarpy

_ERR_RE = re.compile(r"^error while evaluating policy `(policy\d+)`: (.*)$", re.S)


class OracleError(RuntimeError):
    pass


def parse_policies(cedar_text: str) -> "cedarpy.PolicySet":
    """Parse with Cedar; raises ValueError on a parse error."""
    return cedarpy.PolicySet.from_str(cedar_text)


def evaluate_raw(cedar_text: str, rule_ids: list[str], entities: list[dict],
                 requests: list[dict]) -> list[dict[str, Any]]:
    """Answers in Arbiter's eval output shape, with reasons/errors sorted:
    {"decision": "allow"|"deny", "reasons": [...], "errors": [{"rule", "message"}]}."""
    pset = parse_policies(cedar_text)
    ents = cedarpy.Entities.from_json_str(json.dumps(entities))
    results = cedarpy.is_authorized_batch(requests, pset, ents)
    index = {f"policy{i}": rid for i, rid in enumerate(rule_ids)}
    out = []
    for req, res in zip(requests, results):
        diag = res.diagnostics
        if res.decision == cedarpy.Decision.Allow:
            decision = "allow"
        elif res.decision == cedarpy.Decision.Deny:
            decision = "deny"
        else:
            raise OracleError(f"cedar gave {res.decision} for {req}: {diag.errors}")
        reasons = []
        for pid in diag.reasons:
            rid = index.get(pid)
            if rid is None:
                raise OracleError(f"unknown policy id {pid!r} in reasons")
            ann = diag.id_annotations_by_reason.get(pid)
            if ann != rid:
                raise OracleError(f"policy {pid} has @id {ann!r}, expected {rid!r}")
            reasons.append(rid)
        errors = []
        for e in diag.errors:
            m = _ERR_RE.match(e)
            if not m or m.group(1) not in index:
                raise OracleError(f"unexpected cedar error (not a policy evaluation error): {e!r}")
            errors.append({"rule": index[m.group(1)], "message": m.group(2)})
        errors.sort(key=lambda x: x["rule"])
        out.append({"decision": decision, "reasons": sorted(reasons), "errors": errors})
    return out


def evaluate(case) -> list[dict[str, Any]]:
    """Evaluate a generator.Case."""
    return evaluate_raw(case.cedar, case.rule_ids, case.entities, case.requests)


def comparable(answer: dict) -> tuple:
    """What the differential test compares: decision, sorted reasons, sorted erroring rule ids."""
    return (answer.get("decision"),
            sorted(answer.get("reasons") or []),
            sorted(e.get("rule") for e in (answer.get("errors") or [])))
