#!/usr/bin/env python3
"""Writes the inputs of the `arbiter policy eval` throughput benchmark into a folder:
1,000 rules over 50 resource types and 20 actions, a graph of users, nested groups and
documents (Cedar entities JSON), and 100,000 requests (JSON Lines). Seeded: the same
arguments always give the same files."""

import json
import pathlib
import random
import sys


def main(out: pathlib.Path, rules: int = 1000, requests: int = 100_000, seed: int = 7) -> None:
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    (out / "policies").mkdir(exist_ok=True)

    types = [f"Res{i}" for i in range(50)]
    actions = [f"act{i}" for i in range(20)]
    groups = [f"g{i}" for i in range(200)]
    users = [f"u{i}" for i in range(2000)]

    entities = []
    for i, group in enumerate(groups):
        parents = [{"type": "Group", "id": groups[i // 4]}] if i >= 4 else []
        entities.append({"uid": {"type": "Group", "id": group}, "attrs": {"level": i % 5}, "parents": parents})
    for user in users:
        entities.append({
            "uid": {"type": "User", "id": user},
            "attrs": {"department": rng.choice(["eng", "sales", "ops"]), "level": rng.randint(1, 10),
                      "tags": rng.sample(["a", "b", "c", "d"], 2)},
            "parents": [{"type": "Group", "id": rng.choice(groups)}],
        })
    resources = []
    for t in types:
        for j in range(40):
            uid = {"type": t, "id": f"r{j}"}
            resources.append(uid)
            entities.append({
                "uid": uid,
                "attrs": {"owner": {"__entity": {"type": "User", "id": rng.choice(users)}},
                          "classification": rng.randint(0, 3), "department": rng.choice(["eng", "sales", "ops"])},
                "parents": [],
            })
    (out / "entities.json").write_text(json.dumps(entities))

    conditions = [
        "resource.owner == principal",
        'principal.department == resource.department && principal.level >= {n}',
        'principal in Group::"{g}"',
        'resource.classification < {c} || principal.tags.contains("a")',
        'context.hour >= 8 && context.hour <= 18',
        'principal.level > {n} && !(resource.classification == 3)',
    ]
    lines = ["kind: policy", "id: bench", "rules:"]
    for i in range(rules):
        effect = "deny" if i % 10 == 0 else "allow"
        condition = rng.choice(conditions).format(n=rng.randint(1, 9), g=rng.choice(groups), c=rng.randint(1, 3))
        lines += [
            f"  - id: rule{i}",
            f"    effect: {effect}",
            "    principal: User",
            f"    actions: [{rng.choice(actions)}, {rng.choice(actions)}]",
            f"    resource: {rng.choice(types)}",
            f"    when: '{condition}'",
        ]
    (out / "policies" / "bench.yaml").write_text("\n".join(lines) + "\n")

    with open(out / "requests.jsonl", "w") as f:
        for _ in range(requests):
            resource = rng.choice(resources)
            f.write(json.dumps({
                "principal": f'User::"{rng.choice(users)}"',
                "action": f'Action::"{rng.choice(actions)}"',
                "resource": f'{resource["type"]}::"{resource["id"]}"',
                "context": {"hour": rng.randint(0, 23)},
            }) + "\n")


if __name__ == "__main__":
    main(pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/arbiter-policy-eval-bench"))
