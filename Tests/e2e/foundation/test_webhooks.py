"""Signed webhooks against the real binary: an administrator subscribes a receiver on
127.0.0.1 (loopback http, allowed for development and tests) to group events; creating a
group answers at once while the receiver is slow, the first delivery gets a 500 and is
retried with backoff, the second gets a 200. The receiver verifies every signature
exactly as README "Webhooks" documents it, and the deliveries route records both attempts."""

import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from admin_api import admin_token, api, register
from conftest import REPO, ArbiterProcess


def readme_verifier():
    """The `verify_webhook` of README "Webhooks", taken from the README itself and run as is."""
    readme = (REPO / "README.md").read_text()
    section = readme[readme.index("## Webhooks"):]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    assert "def verify_webhook" in code
    namespace = {}
    exec(code, namespace)
    return namespace["verify_webhook"]


class Receiver:
    """Answers 500 (after `first_delay` seconds) to the first request, 200 to the rest."""

    def __init__(self, first_delay: float):
        self.requests = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    receiver.requests.append((time.time(), dict(self.headers), body))
                    first = len(receiver.requests) == 1
                if first:
                    time.sleep(first_delay)
                self.send_response(500 if first else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/arbiter-hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


def test_signed_delivery_is_retried_after_a_500_and_recorded(tmp_path):
    server = ArbiterProcess(tmp_path / "data", extra_env={
        "ARBITER_WEBHOOK_RETRY_BASE_MS": "500", "ARBITER_WEBHOOK_POLL_INTERVAL_MS": "50"}).start()
    receiver = Receiver(first_delay=2.0)
    verify_webhook = readme_verifier()
    try:
        registration = register(server, "acme")
        organization = registration["organizationId"]
        token = admin_token(server, "acme")
        hooks = f"/api/organizations/{organization}/webhooks"

        refused = api(server, "POST", hooks, token, json={"url": "http://hooks.example.com/x", "eventTypes": ["group.*"]})
        assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "url"
        created = api(server, "POST", hooks, token, json={"url": receiver.url, "eventTypes": ["group.*"]})
        assert created.status_code == 201, created.text
        webhook = created.json()
        secret = webhook["secret"]
        assert secret.startswith("whsec_") and created.headers["Cache-Control"] == "no-store"
        assert "secret" not in api(server, "GET", f"{hooks}/{webhook['id']}", token).json()
        assert secret not in api(server, "GET", hooks, token).text

        # The change answers at once; the (slow) receiver is reached afterwards.
        started = time.monotonic()
        group = api(server, "POST", f"/api/organizations/{organization}/groups", token, json={"name": "ops"})
        assert group.status_code == 201, group.text
        assert time.monotonic() - started < 1.5

        deliveries_uri = f"{hooks}/{webhook['id']}/deliveries"
        deadline = time.monotonic() + 30
        delivery = None
        while time.monotonic() < deadline:
            items = api(server, "GET", deliveries_uri, token).json()["items"]
            if items and items[0]["status"] == "delivered":
                delivery = items[0]
                break
            time.sleep(0.1)
        assert delivery is not None, f"not delivered: {items} {server.logs()[-2000:]}"
        assert delivery["attempts"] == 2 and delivery["lastResponseCode"] == 200
        assert delivery["eventType"] == "group.create" and "nextAttemptAt" not in delivery

        assert len(receiver.requests) == 2
        (first_at, first_headers, first_body), (second_at, second_headers, second_body) = receiver.requests
        events = [verify_webhook(secret, h, b) for _, h, b in receiver.requests]
        # The same event and delivery id in both attempts; each attempt signed afresh.
        assert first_body == second_body and events[0] == events[1]
        assert first_headers["Arbiter-Webhook-Id"] == second_headers["Arbiter-Webhook-Id"] == delivery["id"]
        assert first_headers["Content-Type"] == "application/json"
        event = events[0]
        assert event["id"] == delivery["eventId"] and event["type"] == "group.create"
        assert event["target"] == group.json()["id"] and event["outcome"] == "success"
        assert event["tenantId"] == registration["tenantId"] and event["actor"] and event["time"]
        # The retry waited (backoff) after the 500, which came after the 2 s delay.
        assert second_at - first_at >= 2.0

        # A wrong secret or a changed body does not verify.
        for bad_secret, bad_body in [("whsec_wrong", first_body), (secret, first_body.replace(b"group", b"grouP"))]:
            try:
                verify_webhook(bad_secret, first_headers, bad_body)
                raise AssertionError("verified a forged delivery")
            except ValueError:
                pass

        # Also listed in the audit log, and deleting stops the webhook.
        assert api(server, "DELETE", f"{hooks}/{webhook['id']}", token).status_code == 204
        assert api(server, "GET", deliveries_uri, token).status_code == 404
        audit = api(server, "GET", f"/api/organizations/{organization}/audit-events?action=webhook.*", token).json()
        assert [e["action"] for e in audit["items"]] == ["webhook.delete", "webhook.create"]
    finally:
        receiver.close()
        if server.process.poll() is None:
            server.kill(15)
