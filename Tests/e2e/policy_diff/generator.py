"""Seeded random generator for the Arbiter-vs-Cedar differential test.

One seed gives one *case*: an entity graph (Cedar JSON entities format), a policy set of
1-15 rules (emitted both as Arbiter YAML and as Cedar policy text, same rule ids, same
order) and a list of requests with contexts.

Expressions are built as small ASTs and printed with Cedar's precedence rules (minimal
parentheses plus some redundant ones), restricted to the subset in DESIGN.md section 3.2.

Reproduce a single case by hand:

    python Tests/e2e/policy_diff/generator.py SEED OUTDIR

writes OUTDIR/policies/*.yaml, OUTDIR/policies.cedar, OUTDIR/entities.json,
OUTDIR/requests.jsonl and (if cedarpy is installed) OUTDIR/expected.jsonl.
"""

from __future__ import annotations

import json
import os
import random
import sys
from dataclasses import dataclass, field
from typing import Any

import yaml

I64_MAX = 2**63 - 1
I64_MIN = -(2**63)

# ---------------------------------------------------------------------------
# Universe: entity types, their attributes and the vocabularies of values.
# ---------------------------------------------------------------------------

# attribute kinds: long, str, bool, ent:<Type>, set:str, set:long, set:ent, rec:<name>, ip, dec
RECORDS = {
    "profile": {"dept": "str", "age": "long", "mfa": "bool"},
    "meta": {"size": "long", "kind": "str", "labels": "set:str"},
    "device": {"trusted": "bool", "os": "str", "score": "long"},
}

SCHEMA = {
    "User": {
        "name": "str", "level": "long", "active": "bool", "manager": "ent:User",
        "tags": "set:str", "scores": "set:long", "profile": "rec:profile",
        "ip": "ip", "budget": "dec",
    },
    "Group": {"name": "str", "rank": "long", "tags": "set:str"},
    "Document": {
        "title": "str", "owner": "ent:User", "classification": "long", "public": "bool",
        "tags": "set:str", "readers": "set:ent", "meta": "rec:meta", "folder": "ent:Folder",
        "price": "dec",
    },
    "Folder": {"name": "str", "depth": "long", "owner": "ent:User", "public": "bool"},
}

CONTEXT = {
    "risk": "long", "mfa": "bool", "ip": "ip", "device": "rec:device", "tags": "set:str",
    "amount": "long", "owner": "ent:User", "budget": "dec", "label": "str",
}

USER_IDS = ["alice", "bob", "carol", "dave", "eve", "frank"]
GROUP_IDS = ["eng", "sales", "admins", "staff", "interns"]
DOC_IDS = ["d0", "d1", "d2", "d3", "d4", "d5"]
FOLDER_IDS = ["f0", "f1", "f2", "f3"]
ACTION_IDS = ["read", "write", "delete", "share", "list"]
ACTION_GROUPS = {"view": ["read", "list"], "edit": ["write", "delete", "share"], "all": ["view", "edit"]}
GHOST_IDS = {"User": "mallory", "Group": "ghosts", "Document": "dx", "Folder": "fx", "Action": "fly"}

STRINGS = ["alice", "bob", "eng", "sales", "report", "report-2024", "secret", "public", "draft",
           "", "a*b", "caf\u00e9", "cafe\u0301", "Linux", "linux", "mac os", "x"]
TAGS = ["red", "green", "blue", "vip", "beta", "internal"]
LIKE_PATTERNS = ["*", "a*", "*e", "*e*", "re*", "*port*", "report-*", "r*t", "caf*", "caf\u00e9",
                 "*\u0301", "lin*", "L*", "", "**", "*-*", "s*c*t", "mac *", "x", "*x*"]
IPS = ["10.0.0.1", "10.1.2.3", "192.168.1.10", "127.0.0.1", "8.8.8.8", "10.0.0.0/8",
       "10.1.0.0/16", "192.168.0.0/16", "127.0.0.0/8", "0.0.0.0/0", "10.1.2.3/16",
       "::1", "2001:db8::1", "2001:db8::/32", "fe80::/10", "::/0"]
DECIMALS = ["0.0", "1.5", "-2.25", "10.0", "3.1415", "100.0", "-0.0001", "9999.9999",
            "922337203685477.5807", "-922337203685477.5808", "1.50", "0.5"]
BIG_LONGS = [I64_MAX, I64_MIN, I64_MAX - 1, I64_MIN + 1, 2**62, -(2**62), 3037000500,
             -3037000500, 4294967296, 2**32 + 7]
ATTR_NAMES_UNKNOWN = ["missing", "nope", "secret_level"]

# Cedar precedence levels (higher binds tighter).
L_IF, L_OR, L_AND, L_REL, L_ADD, L_MUL, L_UNARY, L_MEMBER = range(8)


# ---------------------------------------------------------------------------
# Expression AST (tuples) and printer.
# ---------------------------------------------------------------------------

def _q(s: str) -> str:
    """Cedar string literal (json escaping is compatible for the chars we use)."""
    return json.dumps(s, ensure_ascii=False)


def level(n) -> int:
    k = n[0]
    if k == "if":
        return L_IF
    if k == "or":
        return L_OR
    if k == "and":
        return L_AND
    if k in ("cmp", "has", "like", "is", "in"):
        return L_REL
    if k == "arith":
        return L_MUL if n[1] == "*" else L_ADD
    if k in ("not", "neglit"):
        return L_UNARY
    return L_MEMBER


class Printer:
    def __init__(self, rng: random.Random, extra_parens: float = 0.08):
        self.r = rng
        self.extra = extra_parens

    def p(self, n, need: int) -> str:
        s = self.raw(n)
        if level(n) < need or (level(n) < L_MEMBER and self.r.random() < self.extra):
            return "(" + s + ")"
        return s

    def raw(self, n) -> str:
        k = n[0]
        if k == "lit":
            return n[1]
        if k == "neglit":
            return n[1]
        if k == "var":
            return n[1]
        if k == "ent":
            return f'{n[1]}::{_q(n[2])}'
        if k == "attr":
            return f"{self.p(n[1], L_MEMBER)}.{n[2]}"
        if k == "idx":
            return f"{self.p(n[1], L_MEMBER)}[{_q(n[2])}]"
        if k == "call":
            args = ", ".join(self.p(a, L_IF) for a in n[3])
            return f"{self.p(n[1], L_MEMBER)}.{n[2]}({args})"
        if k == "ext":
            return f"{n[1]}({_q(n[2])})"
        if k == "set":
            return "[" + ", ".join(self.p(a, L_IF) for a in n[1]) + "]"
        if k == "rec":
            parts = []
            for key, v, quoted in n[1]:
                parts.append(f"{_q(key) if quoted else key}: {self.p(v, L_IF)}")
            return "{" + ", ".join(parts) + "}"
        if k == "not":
            return "!" + self.p(n[1], L_MEMBER)
        if k == "and":
            return f"{self.p(n[1], L_AND)} && {self.p(n[2], L_REL)}"
        if k == "or":
            return f"{self.p(n[1], L_OR)} || {self.p(n[2], L_AND)}"
        if k == "cmp":
            return f"{self.p(n[2], L_ADD)} {n[1]} {self.p(n[3], L_ADD)}"
        if k == "in":
            return f"{self.p(n[1], L_ADD)} in {self.p(n[2], L_ADD)}"
        if k == "has":
            name = _q(n[2]) if n[3] else n[2]
            return f"{self.p(n[1], L_ADD)} has {name}"
        if k == "like":
            return f"{self.p(n[1], L_ADD)} like {_q(n[2])}"
        if k == "is":
            s = f"{self.p(n[1], L_ADD)} is {n[2]}"
            if n[3] is not None:
                s += f" in {self.p(n[3], L_ADD)}"
            return s
        if k == "arith":
            if n[1] == "*":
                return f"{self.p(n[2], L_MUL)} * {self.p(n[3], L_UNARY)}"
            return f"{self.p(n[2], L_ADD)} {n[1]} {self.p(n[3], L_MUL)}"
        if k == "if":
            return f"if {self.p(n[1], L_IF)} then {self.p(n[2], L_IF)} else {self.p(n[3], L_IF)}"
        raise ValueError(f"unknown node {n!r}")


def long_lit(v: int):
    if v < 0:
        return ("neglit", str(v))
    return ("lit", str(v))


# ---------------------------------------------------------------------------
# The generator.
# ---------------------------------------------------------------------------

@dataclass
class Case:
    seed: int
    rules: list[dict]          # YAML rule dicts, in order (== Cedar policy order)
    cedar: str                 # Cedar policy text
    documents: list[list[dict]]  # files -> list of YAML documents
    entities: list[dict]       # Cedar JSON entities
    requests: list[dict]       # {"principal","action","resource","context"}

    @property
    def rule_ids(self) -> list[str]:
        return [r["id"] for r in self.rules]

    def yaml_files(self) -> dict[str, str]:
        out = {}
        for i, docs in enumerate(self.documents):
            out[f"policies_{i}.yaml"] = yaml.safe_dump_all(
                docs, sort_keys=False, allow_unicode=True, width=4096, explicit_start=True)
        return out

    def write(self, root: str) -> tuple[str, str, str]:
        """Write policies/, entities.json, requests.jsonl under root; return their paths."""
        pdir = os.path.join(root, "policies")
        os.makedirs(pdir, exist_ok=True)
        for name, text in self.yaml_files().items():
            with open(os.path.join(pdir, name), "w", encoding="utf-8") as f:
                f.write(text)
        ent = os.path.join(root, "entities.json")
        with open(ent, "w", encoding="utf-8") as f:
            json.dump(self.entities, f, ensure_ascii=False, indent=1)
        req = os.path.join(root, "requests.jsonl")
        with open(req, "w", encoding="utf-8") as f:
            for r in self.requests:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        with open(os.path.join(root, "policies.cedar"), "w", encoding="utf-8") as f:
            f.write(self.cedar)
        return pdir, ent, req


def uid_str(t: str, i: str) -> str:
    return f'{t}::{_q(i)}'


class Generator:
    def __init__(self, seed: int):
        self.seed = seed
        self.r = random.Random(seed)
        self.printer = Printer(self.r)
        self._guards: list | None = None

    # ----- helpers -----
    def chance(self, p: float) -> bool:
        return self.r.random() < p

    def pick(self, xs):
        return self.r.choice(xs)

    def wpick(self, pairs):
        """pairs: list of (weight, value)."""
        tot = sum(w for w, _ in pairs)
        x = self.r.random() * tot
        for w, v in pairs:
            x -= w
            if x < 0:
                return v
        return pairs[-1][1]

    # ----- values (for entities / context) -----
    def rand_long(self) -> int:
        if self.chance(0.12):
            return self.pick(BIG_LONGS)
        return self.r.randint(-3, 12)

    def rand_value(self, kind: str, wrong_ok: bool = True) -> Any:
        if wrong_ok and self.chance(0.06):
            # a value of the wrong kind, to provoke type errors
            other = self.pick(["long", "str", "bool", "set:str", "rec:device", "ip"])
            if other != kind:
                return self.rand_value(other, wrong_ok=False)
        if kind == "long":
            return self.rand_long()
        if kind == "str":
            return self.pick(STRINGS)
        if kind == "bool":
            return self.chance(0.5)
        if kind.startswith("ent:"):
            t = kind[4:]
            if self.chance(0.1):
                return {"__entity": {"type": t, "id": GHOST_IDS[t]}}
            return {"__entity": {"type": t, "id": self.pick(self.ids_of(t))}}
        if kind == "set:str":
            return self.r.sample(TAGS, self.r.randint(0, 3))
        if kind == "set:long":
            return [self.rand_long() for _ in range(self.r.randint(0, 3))]
        if kind == "set:ent":
            out = []
            for _ in range(self.r.randint(0, 3)):
                t = self.pick(["User", "Group", "Group"])
                out.append({"__entity": {"type": t, "id": self.pick(self.ids_of(t))}})
            return out
        if kind.startswith("rec:"):
            rec = {}
            for k, v in RECORDS[kind[4:]].items():
                if self.chance(0.85):
                    rec[k] = self.rand_value(v, wrong_ok)
            return rec
        if kind == "ip":
            return {"__extn": {"fn": "ip", "arg": self.pick(IPS)}}
        if kind == "dec":
            return {"__extn": {"fn": "decimal", "arg": self.pick(DECIMALS)}}
        raise ValueError(kind)

    def ids_of(self, t: str) -> list[str]:
        return self.universe[t]

    # ----- entity graph -----
    def gen_entities(self) -> list[dict]:
        r = self.r
        self.universe = {
            "User": USER_IDS[: r.randint(3, len(USER_IDS))],
            "Group": GROUP_IDS[: r.randint(2, len(GROUP_IDS))],
            "Document": DOC_IDS[: r.randint(2, len(DOC_IDS))],
            "Folder": FOLDER_IDS[: r.randint(2, len(FOLDER_IDS))],
        }
        ents = []

        def ref(t, i):
            return {"type": t, "id": i}

        def attrs_for(t):
            out = {}
            for a, kind in SCHEMA[t].items():
                if self.chance(0.8):
                    out[a] = self.rand_value(kind)
            return out

        groups = self.universe["Group"]
        for gi, g in enumerate(groups):
            later = groups[gi + 1:]
            parents = [ref("Group", p) for p in later if self.chance(0.35)]
            ents.append({"uid": ref("Group", g), "attrs": attrs_for("Group"), "parents": parents})
        for u in self.universe["User"]:
            parents = [ref("Group", g) for g in groups if self.chance(0.3)]
            if self.chance(0.05):
                parents.append(ref("Group", GHOST_IDS["Group"]))  # parent that is not an entity
            ents.append({"uid": ref("User", u), "attrs": attrs_for("User"), "parents": parents})
        folders = self.universe["Folder"]
        for fi, f in enumerate(folders):
            later = folders[fi + 1:]
            parents = [ref("Folder", p) for p in later if self.chance(0.4)]
            ents.append({"uid": ref("Folder", f), "attrs": attrs_for("Folder"), "parents": parents})
        for d in self.universe["Document"]:
            parents = [ref("Folder", f) for f in folders if self.chance(0.35)]
            ents.append({"uid": ref("Document", d), "attrs": attrs_for("Document"), "parents": parents})
        # actions, with an action hierarchy most of the time
        self.action_hierarchy = self.chance(0.75)
        if self.action_hierarchy:
            parent_of = {}
            for grp, members in ACTION_GROUPS.items():
                for m in members:
                    parent_of.setdefault(m, []).append(grp)
            for a in ACTION_IDS + list(ACTION_GROUPS):
                ents.append({"uid": ref("Action", a), "attrs": {},
                             "parents": [ref("Action", p) for p in parent_of.get(a, [])]})
        r.shuffle(ents)
        return ents

    # ----- requests -----
    def gen_request(self) -> dict:
        ptype = self.wpick([(85, "User"), (8, "Group"), (4, "Document"), (3, "ghost")])
        if ptype == "ghost":
            principal = uid_str("User", GHOST_IDS["User"])
        else:
            principal = uid_str(ptype, self.pick(self.ids_of(ptype)))
        rtype = self.wpick([(70, "Document"), (20, "Folder"), (5, "User"), (5, "ghost")])
        if rtype == "ghost":
            resource = uid_str("Document", GHOST_IDS["Document"])
        else:
            resource = uid_str(rtype, self.pick(self.ids_of(rtype)))
        action = self.wpick([(90, None), (5, "group"), (5, "ghost")])
        if action is None:
            action = self.pick(ACTION_IDS)
        elif action == "group":
            action = self.pick(list(ACTION_GROUPS))
        else:
            action = GHOST_IDS["Action"]
        ctx = {}
        for k, kind in CONTEXT.items():
            if self.chance(0.82):
                ctx[k] = self.rand_value(kind)
        return {"principal": principal, "action": uid_str("Action", action),
                "resource": resource, "context": ctx}

    # ----- scopes -----
    def gen_scope(self, role: str) -> tuple[str | None, str | None]:
        """Returns (yaml scope string or None, assumed entity type or None)."""
        if role == "principal":
            main, grp = "User", "Group"
            choice = self.wpick([(40, None), (20, "is"), (8, "eq"), (16, "in"), (14, "isin"), (2, "other")])
        else:
            main, grp = "Document", "Folder"
            choice = self.wpick([(40, None), (20, "is"), (8, "eq"), (16, "in"), (12, "isin"), (4, "other")])
        if choice is None:
            return None, None
        if choice == "is":
            return main, main
        if choice == "other":
            t = grp if self.chance(0.7) else main
            return t, t
        if choice == "eq":
            i = self.pick(self.ids_of(main)) if self.chance(0.9) else GHOST_IDS[main]
            return uid_str(main, i), main
        target_t = grp if self.chance(0.85) else main
        pool = self.ids_of(target_t) + ([GHOST_IDS[target_t]] if self.chance(0.1) else [])
        target = uid_str(target_t, self.pick(pool))
        if choice == "in":
            return f"in {target}", None
        return f"{main} in {target}", main

    # ----- expressions -----
    def root_type(self, which: str) -> str:
        if which == "principal":
            return self.ptype or self.wpick([(80, "User"), (15, "Group"), (5, "Document")])
        return self.rtype or self.wpick([(75, "Document"), (20, "Folder"), (5, "User")])

    def attr_paths(self, kind: str):
        """All (node, guards, base_kind) for attributes of the requested kind."""
        out = []

        def access(base, name):
            if self.chance(0.1):
                return ("idx", base, name)
            return ("attr", base, name)

        def add_from(base_node, attrs, guards):
            for a, k in attrs.items():
                node_guard = guards + [("has", base_node, a, False)]
                if k == kind:
                    out.append((access(base_node, a), node_guard))
                if k.startswith("rec:"):
                    sub = access(base_node, a)
                    for sa, sk in RECORDS[k[4:]].items():
                        if sk == kind:
                            out.append((access(sub, sa), node_guard + [("has", sub, sa, False)]))

        pt = self.root_type("principal")
        rt = self.root_type("resource")
        add_from(("var", "principal"), SCHEMA.get(pt, {}), [])
        add_from(("var", "resource"), SCHEMA.get(rt, {}), [])
        add_from(("var", "context"), CONTEXT, [])
        if kind != "ent" and self.chance(0.3):
            # one hop through an entity reference
            hop = self.pick([
                (("var", "resource"), "owner", "User"),
                (("var", "principal"), "manager", "User"),
                (("var", "resource"), "folder", "Folder"),
                (("var", "context"), "owner", "User"),
            ])
            base = ("attr", hop[0], hop[1])
            add_from(base, SCHEMA[hop[2]], [("has", hop[0], hop[1], False)])
        return out

    def attr_of(self, kind: str):
        paths = self.attr_paths(kind)
        if not paths:
            return None
        node, guards = self.pick(paths)
        if self._guards is not None:
            self._guards.extend(guards)
        return node

    def gen_long(self, d: int):
        c = self.wpick([(35, "lit"), (45, "attr"), (18 if d > 0 else 0, "arith"), (3 if d > 0 else 0, "if")])
        if c == "attr":
            n = self.attr_of("long")
            if n is not None:
                return n
            c = "lit"
        if c == "lit":
            if self.chance(0.12):
                return long_lit(self.pick(BIG_LONGS))
            return long_lit(self.r.randint(-2, 10))
        if c == "arith":
            op = self.wpick([(45, "+"), (30, "-"), (25, "*")])
            a = self.gen_long(d - 1)
            b = self.gen_long(d - 1)
            return ("arith", op, a, b)
        return ("if", self.gen_bool(d - 1), self.gen_long(d - 1), self.gen_long(d - 1))

    def gen_str(self, d: int):
        c = self.wpick([(40, "lit"), (55, "attr"), (5 if d > 0 else 0, "if")])
        if c == "attr":
            n = self.attr_of("str")
            if n is not None:
                return n
        if c == "if":
            return ("if", self.gen_bool(d - 1), self.gen_str(d - 1), self.gen_str(d - 1))
        return ("lit", _q(self.pick(STRINGS)))

    def ent_lit(self, types=("User", "Group", "Document", "Folder")):
        t = self.pick(list(types))
        if self.chance(0.07):
            return ("ent", t, GHOST_IDS[t])
        return ("ent", t, self.pick(self.ids_of(t)))

    def gen_ent(self, d: int):
        c = self.wpick([(30, "principal"), (25, "resource"), (4, "action"), (20, "lit"), (21, "attr")])
        if c in ("principal", "resource", "action"):
            return ("var", c)
        if c == "attr":
            n = self.attr_of("ent:User") or self.attr_of("ent:Folder")
            if n is not None:
                return n
        return self.ent_lit()

    def gen_set(self, d: int, elem: str | None = None):
        elem = elem or self.pick(["str", "long", "ent"])
        if self.chance(0.55):
            n = self.attr_of("set:" + elem)
            if n is not None:
                return n
        k = self.r.randint(0, 3)
        if elem == "str":
            items = [("lit", _q(self.pick(TAGS + STRINGS[:4]))) for _ in range(k)]
        elif elem == "long":
            items = [self.gen_long(0) for _ in range(k)]
        else:
            items = [self.ent_lit(("User", "Group", "Group")) for _ in range(k)]
        if d > 0 and k > 0 and self.chance(0.15):
            # a non-literal element
            items[0] = {"str": self.gen_str, "long": self.gen_long, "ent": self.gen_ent}[elem](d - 1)
        return ("set", items)

    def gen_rec(self, d: int):
        name = self.pick(list(RECORDS))
        if self.chance(0.5):
            n = self.attr_of("rec:" + name)
            if n is not None:
                return n
        fields = []
        for k, kind in RECORDS[name].items():
            if self.chance(0.8):
                fields.append((k, self.gen_value_of(kind, 0), self.chance(0.2)))
        return ("rec", fields)

    def gen_ip(self, d: int):
        if self.chance(0.45):
            n = self.attr_of("ip")
            if n is not None:
                return n
        return ("ext", "ip", self.pick(IPS))

    def gen_dec(self, d: int):
        if self.chance(0.45):
            n = self.attr_of("dec")
            if n is not None:
                return n
        return ("ext", "decimal", self.pick(DECIMALS))

    def gen_value_of(self, kind: str, d: int):
        if kind == "long":
            return self.gen_long(d)
        if kind == "str":
            return self.gen_str(d)
        if kind == "bool":
            return self.gen_bool(d)
        if kind.startswith("ent"):
            return self.gen_ent(d)
        if kind.startswith("set:"):
            return self.gen_set(d, kind[4:])
        if kind.startswith("rec"):
            return self.gen_rec(d)
        if kind == "ip":
            return self.gen_ip(d)
        if kind == "dec":
            return self.gen_dec(d)
        raise ValueError(kind)

    def gen_bool(self, d: int):
        c = self.wpick([
            (60, "atom"),
            (14 if d > 0 else 0, "and"), (12 if d > 0 else 0, "or"),
            (7 if d > 0 else 0, "not"), (3 if d > 0 else 0, "if"),
        ])
        if c == "and":
            return ("and", self.gen_bool(d - 1), self.gen_bool(d - 1))
        if c == "or":
            return ("or", self.gen_bool(d - 1), self.gen_bool(d - 1))
        if c == "not":
            return ("not", self.gen_bool(d - 1))
        if c == "if":
            return ("if", self.gen_bool(d - 1), self.gen_bool(d - 1), self.gen_bool(d - 1))
        # atom, with `has` guards for the attributes it reads (sometimes)
        saved = self._guards
        self._guards = []
        atom = self.gen_atom(d)
        guards = self._guards
        self._guards = saved
        if guards and self.chance(0.5):
            seen = []
            for g in guards:
                if g not in seen:
                    seen.append(g)
            node = seen[0]
            for g in seen[1:]:
                node = ("and", node, g)
            atom = ("and", node, atom)
        return atom

    def gen_atom(self, d: int):
        sub = max(d - 1, 0)
        c = self.wpick([
            (22, "cmp"), (12, "eq"), (9, "has"), (12, "in"), (7, "like"), (5, "is"),
            (9, "contains"), (4, "ip"), (4, "dec"), (10, "battr"), (2, "blit"), (2, "confused"),
            (4, "overflow"),
        ])
        if c == "cmp":
            op = self.pick(["<", "<=", ">", ">=", "==", "!="])
            a = self.gen_long(sub + 1 if self.chance(0.3) else sub)
            b = self.gen_long(sub)
            if self.chance(0.04):  # comparing a string: type error
                b = self.gen_str(0)
            return ("cmp", op, a, b)
        if c == "overflow":
            # arithmetic near the Int64 limits: overflows for some attribute values only
            big = long_lit(self.pick(BIG_LONGS))
            a = self.gen_long(0)
            op = self.pick(["+", "-", "*"])
            x = ("arith", op, a, big) if self.chance(0.5) else ("arith", op, big, a)
            return ("cmp", self.pick(["<", ">", "==", "!=", ">="]), x, long_lit(self.r.randint(0, 5)))
        if c == "eq":
            op = self.pick(["==", "!="])
            kind = self.pick(["str", "str", "ent", "ent", "bool", "set:str", "set:long", "rec", "ip", "dec"])
            a = self.gen_value_of(kind, sub)
            if self.chance(0.1):
                kind = self.pick(["str", "long", "ent"])  # mixed kinds: false, not an error
            b = self.gen_value_of(kind, sub)
            return ("cmp", op, a, b)
        if c == "has":
            base = self.wpick([(35, "principal"), (30, "resource"), (20, "context"), (15, "rec")])
            if base == "rec":
                rec = self.pick(list(RECORDS))
                n = self.attr_of("rec:" + rec)
                if n is None:
                    n = ("var", "context")
                    names = list(CONTEXT)
                else:
                    names = list(RECORDS[rec])
            else:
                n = ("var", base)
                names = list(CONTEXT) if base == "context" else list(SCHEMA[self.root_type(base)])
                if self.chance(0.15):
                    n = self.gen_ent(0)
                    names = list(SCHEMA["User"]) + list(SCHEMA["Document"])
            name = self.pick(names + ATTR_NAMES_UNKNOWN[:1]) if self.chance(0.9) else self.pick(ATTR_NAMES_UNKNOWN)
            return ("has", n, name, self.chance(0.1))
        if c == "in":
            lhs = self.wpick([(45, ("var", "principal")), (35, ("var", "resource")), (8, ("var", "action")), (12, None)])
            if lhs is None:
                lhs = self.gen_ent(0)
            if lhs == ("var", "action"):
                rhs = ("ent", "Action", self.pick(list(ACTION_GROUPS) + ACTION_IDS))
                if self.chance(0.3):
                    rhs = ("set", [("ent", "Action", self.pick(list(ACTION_GROUPS) + ACTION_IDS))
                                   for _ in range(self.r.randint(1, 2))])
                return ("in", lhs, rhs)
            rc = self.wpick([(50, "lit"), (20, "set"), (15, "attr"), (10, "var"), (5, "bad")])
            if rc == "lit":
                rhs = self.ent_lit(("Group", "Group", "Folder", "Folder", "User", "Document"))
            elif rc == "set":
                rhs = ("set", [self.ent_lit(("Group", "Folder", "User")) for _ in range(self.r.randint(0, 3))])
            elif rc == "attr":
                rhs = self.attr_of("set:ent") or self.attr_of("ent:Folder") or self.attr_of("ent:User") or self.ent_lit()
            elif rc == "var":
                rhs = ("var", self.pick(["principal", "resource"]))
            else:  # type error: not an entity / set of entities
                rhs = self.pick([self.gen_long(0), self.gen_str(0), self.gen_set(0, "str")])
            if self.chance(0.05):
                lhs = self.gen_str(0)  # type error on the left
            return ("in", lhs, rhs)
        if c == "like":
            s = self.gen_str(sub)
            if self.chance(0.04):
                s = self.gen_long(0)
            return ("like", s, self.pick(LIKE_PATTERNS))
        if c == "is":
            e = self.gen_ent(0) if self.chance(0.8) else self.pick([("var", "principal"), ("var", "resource")])
            if self.chance(0.04):
                e = self.gen_str(0)
            t = self.pick(["User", "Group", "Document", "Folder", "Action"])
            in_e = None
            if self.chance(0.2):
                in_e = self.ent_lit(("Group", "Folder"))
            return ("is", e, t, in_e)
        if c == "contains":
            m = self.wpick([(50, "contains"), (25, "containsAll"), (25, "containsAny")])
            elem = self.pick(["str", "str", "long", "ent"])
            s = self.gen_set(sub, elem)
            if self.chance(0.04):
                s = self.gen_str(0)  # not a set: type error
            if m == "contains":
                arg = self.gen_value_of("ent" if elem == "ent" else elem, 0)
            else:
                arg = self.gen_set(0, elem)
            return ("call", s, m, [arg])
        if c == "ip":
            return ("call", self.gen_ip(sub), "isInRange", [self.gen_ip(0)])
        if c == "dec":
            m = self.pick(["lessThan", "lessThanOrEqual", "greaterThan", "greaterThanOrEqual"])
            return ("call", self.gen_dec(sub), m, [self.gen_dec(0)])
        if c == "battr":
            n = self.attr_of("bool")
            if n is not None:
                return n
            return ("lit", "true")
        if c == "blit":
            return ("lit", self.pick(["true", "false"]))
        # confused: a non-bool where a bool is needed -> type error when evaluated
        return self.pick([self.gen_long(0), self.gen_str(0)])

    def gen_cond(self) -> str:
        self._guards = None
        depth = self.wpick([(30, 1), (45, 2), (25, 3)])
        node = self.gen_bool(depth)
        return self.printer.p(node, L_IF)

    # ----- rules -----
    def gen_rule(self, idx: int) -> dict:
        rule: dict[str, Any] = {"id": f"r{idx}"}
        rule["effect"] = "deny" if self.chance(0.27) else "allow"
        p, self.ptype = self.gen_scope("principal")
        if p is not None:
            rule["principal"] = p
        if self.chance(0.55):
            pool = ACTION_IDS + ACTION_IDS + list(ACTION_GROUPS) + ([GHOST_IDS["Action"]] if self.chance(0.1) else [])
            acts = []
            for _ in range(self.r.randint(1, 3)):
                a = self.pick(pool)
                if a not in acts:
                    acts.append(a)
            rule["actions"] = acts
        rs, self.rtype = self.gen_scope("resource")
        if rs is not None:
            rule["resource"] = rs
        if rule["effect"] == "allow":
            shape = self.wpick([(42, "when"), (17, "unless"), (20, "both"), (12, "none"), (9, "when2")])
        else:
            shape = self.wpick([(45, "when"), (12, "unless"), (23, "both"), (6, "none"), (14, "when2")])
        if shape in ("when", "both", "when2"):
            rule["when"] = self.gen_cond()
        if shape in ("unless", "both"):
            rule["unless"] = self.gen_cond()
        if shape == "when2":
            rule["when"] = f"({rule['when']}) && ({self.gen_cond()})"
        self.ptype = self.rtype = None
        return rule

    def generate(self, n_requests: int = 40) -> Case:
        entities = self.gen_entities()
        self.ptype = self.rtype = None
        n_rules = self.r.randint(1, 15)
        rules = [self.gen_rule(i) for i in range(n_rules)]
        # spread the rules over 1-3 files, 1-2 documents per file
        documents: list[list[dict]] = []
        chunks = split(self.r, rules, self.r.randint(1, min(4, n_rules)))
        doc_idx = 0
        file_docs: list[dict] = []
        for ci, chunk in enumerate(chunks):
            file_docs.append({"kind": "policy", "id": f"set{self.seed}-{doc_idx}", "rules": chunk})
            doc_idx += 1
            if len(file_docs) == 2 or ci == len(chunks) - 1 or self.chance(0.5):
                documents.append(file_docs)
                file_docs = []
        requests = [self.gen_request() for _ in range(n_requests)]
        cedar = "\n".join(rule_to_cedar(r) for r in rules)
        return Case(self.seed, rules, cedar, documents, entities, requests)


def split(rng: random.Random, xs: list, k: int) -> list[list]:
    if k <= 1 or len(xs) <= 1:
        return [xs]
    cuts = sorted(rng.sample(range(1, len(xs)), min(k - 1, len(xs) - 1)))
    out, prev = [], 0
    for c in cuts + [len(xs)]:
        out.append(xs[prev:c])
        prev = c
    return out


# ---------------------------------------------------------------------------
# YAML rule -> Cedar policy text (also used by the self-check on re-read YAML).
# ---------------------------------------------------------------------------

def scope_to_cedar(var: str, s: str | None) -> str:
    if s is None:
        return var
    s = s.strip()
    if s.startswith("in "):
        return f"{var} {s}"
    if "::" in s:
        if " in " in s.split("::")[0]:
            return f"{var} is {s}"  # `User in Group::"x"`
        return f"{var} == {s}"
    return f"{var} is {s}"


def rule_to_cedar(rule: dict) -> str:
    effect = {"allow": "permit", "deny": "forbid"}[rule["effect"]]
    parts = [scope_to_cedar("principal", rule.get("principal"))]
    if "actions" in rule:
        parts.append("action in [" + ", ".join(uid_str("Action", a) for a in rule["actions"]) + "]")
    else:
        parts.append("action")
    parts.append(scope_to_cedar("resource", rule.get("resource")))
    text = f'@id({_q(rule["id"])})\n{effect} (\n  ' + ",\n  ".join(parts) + "\n)"
    if "when" in rule:
        text += f"\nwhen {{ {rule['when']} }}"
    if "unless" in rule:
        text += f"\nunless {{ {rule['unless']} }}"
    return text + ";\n"


def generate(seed: int, n_requests: int = 40) -> Case:
    return Generator(seed).generate(n_requests)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__)
        sys.exit(2)
    case = generate(int(sys.argv[1]))
    root = sys.argv[2]
    case.write(root)
    try:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import cedar_oracle
        answers = cedar_oracle.evaluate(case)
        with open(os.path.join(root, "expected.jsonl"), "w", encoding="utf-8") as f:
            for a in answers:
                f.write(json.dumps(a) + "\n")
    except ImportError:
        pass
    print(case.cedar)
    print(f"wrote case {case.seed} to {root}")
