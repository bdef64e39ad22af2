#!/usr/bin/env python3
"""Order and correctness under load of the check fast path, against a running `arbiter serve`
on run.sh's data (token.txt and check-bodies.txt in OUT, default /tmp/arbiter-http-check):

    python3 Benchmarks/http-check/order_stress.py PORT [OUT]

8 connections for 8 s, each sending bursts of 1-30 pipelined requests mixing checks the
fast path answers, checks it hands to the router (explain, a 400 body) and batches of 5,
each with its own X-Request-Id; every response must come back in order with the expected
status and shape. Prints the number of responses and of errors (the first 10)."""
import json, random, socket, sys, threading, time
port = int(sys.argv[1])
out = sys.argv[2] if len(sys.argv) > 2 else "/tmp/arbiter-http-check"
token = open(f"{out}/token.txt").read().strip()
bodies = [l for l in open(f"{out}/check-bodies.txt").read().splitlines() if l][:500]
errors = []; counts = {'n': 0}
def req(i, body, path="/api/runtime/authorization/check"):
    return (f"POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\n"
            f"X-Request-Id: q{i}\r\nContent-Length: {len(body)}\r\n\r\n{body}").encode()
def read_responses(sock, n, buf=b""):
    out = []
    while len(out) < n:
        while b"\r\n\r\n" not in buf:
            d = sock.recv(65536)
            if not d: raise RuntimeError("closed")
            buf += d
        head, rest = buf.split(b"\r\n\r\n", 1)
        lines = head.decode().split("\r\n")
        h = {k.lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:])}
        length = int(h.get("content-length", "0"))
        while len(rest) < length:
            d = sock.recv(65536)
            if not d: raise RuntimeError("closed")
            rest += d
        out.append((int(lines[0].split()[1]), h.get("x-request-id"), rest[:length]))
        buf = rest[length:]
    return out, buf
def worker(seed):
    rnd = random.Random(seed); s = socket.create_connection(("127.0.0.1", port)); buf = b""; i = 0
    end = time.time() + 8
    while time.time() < end:
        n = rnd.randint(1, 30); wire = b""; ids = []; kinds = []
        for _ in range(n):
            i += 1; b = rnd.choice(bodies); kind = rnd.random()
            if kind < 0.15: b = b[:-1] + ',"explain":true}'; k = 'explain'
            elif kind < 0.2: b = '{"action": 7}'; k = 'bad'
            elif kind < 0.25:
                wire += req(f"{seed}-{i}", json.dumps({"checks": [json.loads(rnd.choice(bodies)) for _ in range(5)]}), "/api/runtime/authorization/check-batch"); ids.append(f"q{seed}-{i}"); kinds.append('batch'); continue
            else: k = 'fast'
            wire += req(f"{seed}-{i}", b); ids.append(f"q{seed}-{i}"); kinds.append(k)
        s.sendall(wire)
        got, buf = read_responses(s, n, buf)
        for (status, rid, body), want, k in zip(got, ids, kinds):
            counts['n'] += 1
            if rid != want: errors.append(f"order: got {rid} want {want}")
            exp = 400 if k == 'bad' else 200
            if status != exp: errors.append(f"{want} {k}: status {status}")
            if k == 'explain' and b'"trace"' not in body: errors.append(f"{want}: no trace")
            if k == 'fast' and b'"trace"' in body: errors.append(f"{want}: trace")
            if k == 'batch' and b'"results"' not in body: errors.append(f"{want}: no results")
threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
[t.start() for t in threads]; [t.join() for t in threads]
print(counts['n'], "responses,", len(errors), "errors"); print("\n".join(errors[:10]))
sys.exit(1 if errors else 0)
