#!/usr/bin/env python3
"""HTTP load benchmark of the runtime check route (issue 6), driven by run.sh.

    python3 Benchmarks/http-check/bench.py [--out DIR] [--duration S] [--warmup S]
        [--connections 1,16,64] [--cases raw,hb,hb-nio,check,check-router,batch] [--arbiter BIN]
        [--rounds N] [--closures]

Runs in one session on 127.0.0.1, one server at a time (the others stopped, so they do not
share the two cores), each case at every connection count with wrk (2 threads, 1 for one
connection), after a warm-up:

  (0)  raw      — raw SwiftNIO HTTP/1.1 server answering a fixed JSON body (the ceiling)
  (1)  hb       — a bare Hummingbird route decoding the check body (JSONDecoder) and
                  answering a fixed JSON object
  (1b) hb-nio   — the same with NIO installed as Swift Concurrency's global executor
  (2)  check    — POST /api/runtime/authorization/check on `arbiter serve` (release) with
                  scenario (b) of the graph issue (documents: 100k documents, 10k users,
                  1,000 rules) as the tenant's active policy bundle, bearer token
  (2r) check-router — the same with ARBITER_CHECK_FAST_PATH=0: every check through
                  Hummingbird's router (the path before the check fast path)
  (3)  batch    — POST /api/runtime/authorization/check-batch with 20 checks a request

By default the tenant keeps no stored closures: `in` goes over parent edges (since c453b90
the server makes each entity's closure from them once and keeps it until the next write);
with `--closures` the tenant keeps precomputed ancestor closures (`arbiter graph closures
--enable`) and `in` is one read (no measurable difference on this scenario: BENCHMARKS.md).

With `--rounds N` the whole sequence of cases runs N times, interleaved, and every cell is
the median of its N runs: a shared VM's speed drifts by 20-30% over minutes, and cases run
one after the other would each meet a different machine.

Every case posts the same kind of bodies: the scenario's requests (4,000 of them), picked at
random per request by post.lua, so that no server can answer from one cached request. The
batch case posts 500 pre-made batches of 20 of them. Prints a markdown table with req/s,
p50 and p99 (wrk --latency) and the ratios (2)/(0) and (2)/(1) at each connection count.
"""
import argparse
import json
import os
import pathlib
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

import requests

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent.parent
PASSWORD = "ChangeThisPassword123!"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
TENANT = "bench"
CHECK_PATH = "/api/runtime/authorization/check"
BATCH_PATH = "/api/runtime/authorization/check-batch"
BATCH_SIZE = 20


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, process, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited early with status {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing listens on 127.0.0.1:{port} after {seconds} s")


class Server:
    """A server process started by this script and stopped by its own pid."""

    def __init__(self, name, argv, port, log_path, env=None):
        self.name, self.port = name, port
        self.log = open(log_path, "w")
        self.process = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT,
                                        env={**os.environ, **(env or {})})
        wait_for_port(port, self.process)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


# MARK: inputs

def entity_ref(text):
    """`User::"u12"` → {"type": "User", "id": "u12"} (ids of the scenario have no quotes)."""
    match = re.fullmatch(r'(.+)::"(.*)"', text)
    return {"type": match.group(1), "id": match.group(2)}


def scenario_files(out, skip_build):
    folder = out / "scenarios" / "documents"
    if not (folder / "requests.jsonl").exists():
        bench = REPO / "Benchmarks" / ".build" / "release" / "arbiter-bench"
        if not skip_build or not bench.exists():
            log("building arbiter-bench (benchmark package, release) for the scenario generators")
            subprocess.run(["swift", "build", "-c", "release", "--product", "arbiter-bench"],
                           cwd=REPO / "Benchmarks", check=True, stdout=subprocess.DEVNULL)
        log("writing scenario files (seeded: always the same)")
        subprocess.run([str(bench), "files", str(out / "scenarios"), "4000"], check=True, stdout=subprocess.DEVNULL)
    return folder


def write_bodies(folder, out):
    checks = []
    for line in (folder / "requests.jsonl").read_text().splitlines():
        request = json.loads(line)
        checks.append({
            "principal": entity_ref(request["principal"]),
            "action": entity_ref(request["action"])["id"],
            "resource": entity_ref(request["resource"]),
        })
    check_file = out / "check-bodies.txt"
    check_file.write_text("".join(json.dumps(c, separators=(",", ":")) + "\n" for c in checks))
    rng = random.Random(6)
    batch_file = out / "batch-bodies.txt"
    batch_file.write_text("".join(
        json.dumps({"checks": rng.sample(checks, BATCH_SIZE)}, separators=(",", ":")) + "\n" for _ in range(500)))
    return checks, check_file, batch_file


# MARK: Arbiter set-up

def admin_token(url):
    """The device flow as `arbiter login` runs it, with the browser step done by requests."""
    issuer = f"{url}/t/{TENANT}"
    started = requests.post(issuer + "/connect/deviceauthorization",
                            data={"client_id": "arbiter-cli", "scope": "arbiter.api tenant_context"})
    started.raise_for_status()
    codes = started.json()
    browser = requests.Session()
    page = browser.get(url + "/device", params={"user_code": codes["user_code"]})
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    approved = browser.post(url + "/device", data={
        "csrf_token": csrf, "user_code": codes["user_code"], "user_name": "admin", "password": PASSWORD,
        "action": "approve"})
    approved.raise_for_status()
    token = requests.post(issuer + "/connect/token", data={
        "grant_type": DEVICE_GRANT, "device_code": codes["device_code"], "client_id": "arbiter-cli"})
    token.raise_for_status()
    return token.json()["access_token"]


def set_up_arbiter(arbiter, data_dir, folder, port, out, closures):
    """A fresh data dir: tenant, scenario (b) graph, policy bundle, client, token.

    The graph import and the client run as CLI commands while no server has the data dir
    open: a large import grows the LMDB map, which a running server's environment does
    not follow (it would answer 500 until restarted)."""
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    server = start_arbiter(arbiter, data_dir, port, out)
    try:
        created = requests.post(server.url + "/api/tenancy/tenant-registrations", json={
            "tenantName": "Bench", "tenantSlug": TENANT, "userName": "admin", "email": "admin@bench.example",
            "password": PASSWORD, "planCode": "developer"})
        if created.status_code != 201:
            raise SystemExit(f"tenant registration: {created.status_code} {created.text}")
        tenant_id = created.json()["tenantId"]
    finally:
        server.stop()
    log("importing scenario (b) entities with `arbiter graph import`")
    started = time.time()
    entities = arbiter_users(folder / "entities.json", tenant_id, out / "entities-arbiter.json")
    subprocess.run([str(arbiter), "graph", "import", "--data-dir", str(data_dir), "--tenant", TENANT,
                    "--entities", str(entities), "--batch-size", "20000"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    log(f"  imported in {time.time() - started:.1f} s")
    if closures:
        subprocess.run([str(arbiter), "graph", "closures", "--data-dir", str(data_dir), "--tenant", TENANT, "--enable"],
                       check=True, stdout=subprocess.DEVNULL)
        log("  ancestor closures on (`arbiter graph closures --enable`)")
    made = subprocess.run([str(arbiter), "admin", "create-client", "--data-dir", str(data_dir), "--tenant", TENANT,
                           "--name", "Load benchmark", "--purpose", "automation",
                           "--scopes", "arbiter.api arbiter.runtime.check tenant_context"],
                          check=True, capture_output=True, text=True).stdout
    fields = dict(line.split(": ", 1) for line in made.splitlines() if ": " in line)
    server = start_arbiter(arbiter, data_dir, port, out)
    try:
        files = {p.name: p.read_text() for p in sorted((folder / "policies").glob("*.yaml"))}
        admin = admin_token(server.url)
        uploaded = requests.put(server.url + "/api/runtime/policies", json=files,
                                headers={"Authorization": "Bearer " + admin})
        if uploaded.status_code != 201:
            raise SystemExit(f"PUT /api/runtime/policies: {uploaded.status_code} {uploaded.text[:2000]}")
        log(f"  policy bundle active (PUT /api/runtime/policies): {uploaded.json()}")
        token = requests.post(f"{server.url}/t/{TENANT}/connect/token",
                              data={"grant_type": "client_credentials",
                                    "scope": "arbiter.api arbiter.runtime.check tenant_context"},
                              auth=(fields["client_id"], fields["client_secret"]))
        if token.status_code != 200:
            raise SystemExit(f"client_credentials token: {token.status_code} {token.text}")
        return token.json()["access_token"]
    finally:
        server.stop()


def arbiter_users(source, tenant_id, target):
    """The scenario's users with the attributes Arbiter's own `User` entities carry
    (RUNTIME.md: tenant, userName, email, active, roles). The built-in rules read
    `principal.active` on every runtime check of a `User` (`inactive-users-are-denied`,
    and the `read` rules of the management API, whose action name the scenario shares);
    without it each check would answer six evaluation errors, which no real tenant's
    users produce."""
    entities = json.loads(source.read_text())
    for entity in entities:
        if entity["uid"]["type"] == "User":
            uid = entity["uid"]["id"]
            entity["attrs"].update({
                "tenant": {"__entity": {"type": "Tenant", "id": tenant_id}}, "userName": uid,
                "email": f"{uid}@bench.example", "active": True, "roles": []})
    target.write_text(json.dumps(entities))
    return target


def start_arbiter(arbiter, data_dir, port, out, env=None):
    # One issuer for every start (tokens name it; the port changes between starts).
    return Server("arbiter", [str(arbiter), "serve", "--port", str(port), "--data-dir", str(data_dir),
                              "--issuer", "http://arbiter.bench.invalid",
                              "--policies", str(REPO / "Policies"), "--log-level", os.environ.get("ARBITER_BENCH_LOG_LEVEL", "info")],
                  port, out / "arbiter.log", env=env)


def sanity(url, token, checks):
    """Decisions of the first 200 bodies through HTTP: the route answers, and not one way only."""
    session = requests.Session()
    session.headers["Authorization"] = "Bearer " + token
    counts = {}
    for body in checks[:200]:
        answer = session.post(url + CHECK_PATH, json=body)
        if answer.status_code != 200:
            raise SystemExit(f"check answered {answer.status_code}: {answer.text}")
        if answer.json()["errors"]:
            raise SystemExit(f"check answered with evaluation errors: {answer.text[:1000]}")
        decision = answer.json()["decision"]
        counts[decision] = counts.get(decision, 0) + 1
    batch = session.post(url + BATCH_PATH, json={"checks": checks[:BATCH_SIZE]})
    if batch.status_code != 200 or len(batch.json()["results"]) != BATCH_SIZE:
        raise SystemExit(f"check-batch answered {batch.status_code}: {batch.text[:500]}")
    log(f"  sanity: 200 checks over HTTP → {counts}")
    if len(counts) < 2:
        raise SystemExit("every check got the same decision: the graph or the bundle is not in place")


# MARK: wrk

UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0}


def seconds(text):
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text.strip())
    return float(match.group(1)) * UNITS[match.group(2)]


def wrk(url, path, bodies, token, connections, duration):
    threads = min(2, connections)
    argv = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s", "--latency",
            "-s", str(HERE / "post.lua"), url, "--", path, str(bodies), token or ""]
    output = subprocess.run(argv, check=True, capture_output=True, text=True).stdout
    result = {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": seconds(re.search(r"\s50%\s+(\S+)", output).group(1)),
        "p99": seconds(re.search(r"\s99%\s+(\S+)", output).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
    }
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    if bad or errors:
        raise SystemExit(f"wrk saw failures against {url}{path}:\n{output}")
    return result


def run_case(server, path, bodies, token, connections, duration, warmup):
    wrk(server.url, path, bodies, token, 16, warmup)
    results = {}
    for c in connections:
        results[c] = wrk(server.url, path, bodies, token, c, duration)
        r = results[c]
        log(f"  {server.name} c={c}: {r['rps']:.0f} req/s, p50 {r['p50'] * 1e6:.0f} µs, p99 {r['p99'] * 1e6:.0f} µs")
    return results


# MARK: table

def fmt_latency(s):
    return f"{s * 1e6:.0f} µs" if s < 0.001 else f"{s * 1e3:.1f} ms"


def table(results, connections):
    labels = {"raw": "(0) raw SwiftNIO, fixed answer", "hb": "(1) bare Hummingbird route, JSONDecoder",
              "hb-nio": "(1b) bare Hummingbird, NIO global executor", "check": "(2) Arbiter `check`",
              "check-router": "(2r) Arbiter `check`, `ARBITER_CHECK_FAST_PATH=0`",
              "batch": f"(3) Arbiter `check-batch` ×{BATCH_SIZE}"}
    head = "| case | " + " | ".join(f"c={c} req/s | c={c} p50 | c={c} p99" for c in connections) + " |"
    lines = [head, "|" + "---|" * (1 + 3 * len(connections))]
    for case, by_c in results.items():
        cells = []
        for c in connections:
            r = by_c[c]
            rps = f"{r['rps']:,.0f}"
            if case == "batch":
                rps += f" ({r['rps'] * BATCH_SIZE:,.0f} checks/s)"
            cells += [rps, fmt_latency(r["p50"]), fmt_latency(r["p99"])]
        lines.append(f"| {labels[case]} | " + " | ".join(cells) + " |")
    for case in ("check", "check-router"):
        if case not in results:
            continue
        lines.append("")
        for base in ("raw", "hb", "hb-nio"):
            if base in results:
                ratios = ", ".join(
                    f"c={c}: {results[case][c]['rps'] / results[base][c]['rps']:.0%} of req/s, "
                    f"p50 ×{results[case][c]['p50'] / results[base][c]['p50']:.2f}" for c in connections)
                lines.append(f"- {labels[case].split(' ')[0]}/{labels[base].split(' ')[0]}: {ratios}")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="/tmp/arbiter-http-check")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--connections", default="1,16,64")
    parser.add_argument("--cases", default="raw,hb,hb-nio,check,batch")
    parser.add_argument("--arbiter", default=str(REPO / ".build" / "release" / "arbiter"))
    parser.add_argument("--no-build", action="store_true", help="use the existing arbiter-bench for the scenario files")
    parser.add_argument("--rounds", type=int, default=1, help="run the cases N times, interleaved; cells are medians")
    parser.add_argument("--closures", action="store_true", help="the tenant keeps ancestor closures: `in` is one read")
    args = parser.parse_args()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    connections = [int(c) for c in args.connections.split(",")]
    cases = args.cases.split(",")
    arbiter = pathlib.Path(args.arbiter)
    references = HERE / ".build" / "release"

    folder = scenario_files(out, args.no_build)
    checks, check_bodies, batch_bodies = write_bodies(folder, out)

    token = None
    data_dir = out / "data"
    if {"check", "check-router", "batch"} & set(cases):
        log("setting up Arbiter (fresh data dir)")
        token = set_up_arbiter(arbiter, data_dir, folder, free_port(), out, closures=args.closures)
        (out / "token.txt").write_text(token)

    log(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} before the runs")
    runs = {}
    for round_number in range(args.rounds):
        if args.rounds > 1:
            log(f"round {round_number + 1} of {args.rounds}")
        for case, result in run_cases(cases, arbiter, data_dir, out, references, token, checks, check_bodies,
                                      batch_bodies, connections, args).items():
            runs.setdefault(case, []).append(result)
    results = {case: medians(rounds, connections) for case, rounds in runs.items()}
    load = os.getloadavg()
    print(f"<!-- wrk {args.duration} s per cell after a {args.warmup} s warm-up"
          f"{f', median of {args.rounds} interleaved rounds' if args.rounds > 1 else ''}; "
          f"ancestor closures {'on' if args.closures else 'off'}; load average after: "
          f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; nproc {os.cpu_count()} -->")
    print(table(results, connections))


def medians(rounds, connections):
    """Per connection count, the median of each figure over the rounds."""
    def median(values):
        ordered = sorted(values)
        middle = len(ordered) // 2
        return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    return {c: {key: median([r[c][key] for r in rounds]) for key in rounds[0][c]} for c in connections}


def run_cases(cases, arbiter, data_dir, out, references, token, checks, check_bodies, batch_bodies, connections, args):
    """Every case once, one server at a time."""
    results = {}
    for case in cases:
        port = free_port()
        if case == "raw":
            server = Server("raw", [str(references / "raw-nio"), str(port)], port, out / "raw.log")
        elif case in ("hb", "hb-nio"):
            extra = ["--nio-executor"] if case == "hb-nio" else []
            server = Server(case, [str(references / "bare-hummingbird"), str(port)] + extra, port, out / f"{case}.log")
        elif case == "check-router":
            server = start_arbiter(arbiter, data_dir, port, out, env={"ARBITER_CHECK_FAST_PATH": "0"})
        else:
            server = start_arbiter(arbiter, data_dir, port, out)
        server.name = case
        try:
            if case in ("check", "check-router"):
                sanity(server.url, token, checks)
            path = BATCH_PATH if case == "batch" else CHECK_PATH
            bodies = batch_bodies if case == "batch" else check_bodies
            results[case] = run_case(server, path, bodies, token if case in ("check", "check-router", "batch") else "x" * 600,
                                     connections, args.duration, args.warmup)
        finally:
            server.stop()
    return results


if __name__ == "__main__":
    main()
