"""A stand-in for `arbiter policy eval` built on cedarpy, used only to test the harness.

    python reference_eval.py policy eval --policies DIR --entities FILE --requests FILE [--break]

Reads the YAML files exactly as written for arbiter, translates the rules to Cedar and
answers each request in arbiter's output format. `--break` flips one decision so the
harness's failure path can be checked.
"""

import argparse
import json
import os
import sys

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cedar_oracle  # noqa: E402
import generator  # noqa: E402


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", nargs=2)
    ap.add_argument("--policies", required=True)
    ap.add_argument("--entities", required=True)
    ap.add_argument("--requests", required=True)
    ap.add_argument("--break", dest="broken", action="store_true")
    a = ap.parse_args(argv)
    assert a.cmd == ["policy", "eval"], a.cmd
    rules = []
    for name in sorted(os.listdir(a.policies)):
        if name.endswith(".yaml"):
            with open(os.path.join(a.policies, name), encoding="utf-8") as f:
                for doc in yaml.safe_load_all(f):
                    if doc and doc.get("kind") == "policy":
                        rules.extend(doc["rules"])
    cedar = "\n".join(generator.rule_to_cedar(r) for r in rules)
    with open(a.entities, encoding="utf-8") as f:
        entities = json.load(f)
    with open(a.requests, encoding="utf-8") as f:
        requests = [json.loads(line) for line in f if line.strip()]
    answers = cedar_oracle.evaluate_raw(cedar, [r["id"] for r in rules], entities, requests)
    if a.broken and answers:
        answers[-1]["decision"] = "deny" if answers[-1]["decision"] == "allow" else "allow"
    for ans in answers:
        print(json.dumps(ans))


if __name__ == "__main__":
    main(sys.argv[1:])
