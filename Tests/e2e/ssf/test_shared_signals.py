"""Shared Signals (SSF 1.0) against the real binary: a receiver on 127.0.0.1 answering 202
gets a push stream from a client holding arbiter.ssf.manage (granted by the operator), asks
for a verification event, and then — after a SCIM deprovisioning of a user it added as a
subject — a CAEP session-revoked Security Event Token. Every SET is checked with PyJWT
against the tenant's JWKS exactly as a receiver would: typ secevent+jwt, ES256, iss, aud,
jti, sub_id and events."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import requests

from admin_api import admin_token, api, operator, register
from conftest import ArbiterProcess

SESSION_REVOKED = "https://schemas.openid.net/secevent/caep/event-type/session-revoked"
VERIFICATION = "https://schemas.openid.net/secevent/ssf/event-type/verification"
PUSH = "urn:ietf:rfc:8935"
SCIM_JSON = "application/scim+json"
RECEIVER_AUTH = "Bearer receiver-token-123"


class Receiver:
    """An RFC 8935 push endpoint: keeps each (headers, body) and answers 202."""

    def __init__(self):
        self.received = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    receiver.received.append((dict(self.headers), body.decode()))
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/events"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, count, timeout=15):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.05)
        raise AssertionError(f"expected {count} SETs, got {len(self.received)}")

    def close(self):
        self.server.shutdown()


def receiver_token(server, issuer):
    client = operator(server, "create-client", "--tenant", "acme", "--name", "SSF receiver", "--purpose", "automation",
                      "--scopes", "arbiter.ssf.manage")
    token = requests.post(issuer + "/connect/token", data={"grant_type": "client_credentials", "scope": "arbiter.ssf.manage"},
                          auth=(client["client_id"], client["client_secret"]))
    assert token.status_code == 200, token.text
    return client["client_id"], token.json()["access_token"]


def verify_set(token, metadata, audience):
    """What a receiver does with a pushed SET: check it against the transmitter's JWKS."""
    header = jwt.get_unverified_header(token)
    assert header["typ"] == "secevent+jwt" and header["alg"] == "ES256"
    jwks = requests.get(metadata["jwks_uri"]).json()
    key = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
    claims = jwt.decode(token, jwt.PyJWK(key).key, algorithms=["ES256"], audience=audience, issuer=metadata["issuer"],
                        options={"require": ["iss", "aud", "iat", "jti"]})
    assert len(claims["events"]) == 1
    return claims


def test_verification_and_scim_deprovisioning_are_pushed_as_signed_sets(tmp_path):
    server = ArbiterProcess(tmp_path / "data", extra_env={
        "ARBITER_WEBHOOK_RETRY_BASE_MS": "200", "ARBITER_WEBHOOK_POLL_INTERVAL_MS": "50"}).start()
    receiver = Receiver()
    try:
        registration = register(server, "acme")
        issuer = f"{server.url}/t/acme"
        metadata = requests.get(f"{server.url}/.well-known/ssf-configuration/t/acme").json()
        assert metadata == requests.get(issuer + "/.well-known/ssf-configuration").json()
        assert metadata["issuer"] == issuer and metadata["spec_version"] == "1_0"
        assert metadata["delivery_methods_supported"] == [PUSH] and metadata["default_subjects"] == "NONE"
        assert requests.get(f"{server.url}/.well-known/ssf-configuration/t/nope").status_code == 404

        client_id, token = receiver_token(server, issuer)
        headers = {"Authorization": "Bearer " + token}
        config_url = metadata["configuration_endpoint"]
        assert requests.post(config_url, json={}).status_code == 401
        assert requests.post(config_url, headers={"Authorization": "Bearer " + admin_token(server, "acme")},
                             json={"delivery": {"method": PUSH, "endpoint_url": receiver.url}}).status_code == 403

        created = requests.post(config_url, headers=headers, json={
            "delivery": {"method": PUSH, "endpoint_url": receiver.url, "authorization_header": RECEIVER_AUTH},
            "events_requested": [SESSION_REVOKED, VERIFICATION], "description": "e2e receiver"})
        assert created.status_code == 201, created.text
        stream = created.json()
        assert "authorization_header" not in stream["delivery"] and RECEIVER_AUTH not in created.text
        assert stream["aud"] == client_id and set(stream["events_delivered"]) == {SESSION_REVOKED, VERIFICATION}
        stream_id = stream["stream_id"]

        # Verification works before any subject is added.
        verified = requests.post(metadata["verification_endpoint"], headers=headers, json={"stream_id": stream_id, "state": "s-42"})
        assert verified.status_code == 204, verified.text
        (push_headers, body), = receiver.wait_for(1)
        assert push_headers["Content-Type"] == "application/secevent+jwt"
        assert push_headers["Authorization"] == RECEIVER_AUTH
        claims = verify_set(body, metadata, client_id)
        assert claims["sub_id"] == {"format": "opaque", "id": stream_id}
        assert claims["events"][VERIFICATION] == {"state": "s-42"}

        # A SCIM-provisioned user the receiver follows, then deprovisioned.
        admin = admin_token(server, "acme")
        connection = api(server, "POST", "/api/enterprise/connections", admin, json={
            "type": "oidc", "name": "Okta", "providerKey": "okta",
            "oidc": {"issuer": "https://acme.okta.example", "clientId": "0oa-acme", "scopes": ["openid", "email"]},
            "jit": {"organizationId": registration["organizationId"], "roles": ["member"]}})
        assert connection.status_code == 201, connection.text
        scim_token = api(server, "POST", f"/api/enterprise/connections/{connection.json()['id']}/scim-token", admin).json()["token"]
        scim = f"{server.url}/scim/v2/enterprise-connections/{connection.json()['id']}/Users"
        scim_headers = {"Authorization": "Bearer " + scim_token, "Content-Type": SCIM_JSON, "Accept": SCIM_JSON}
        user = requests.post(scim, headers=scim_headers, data=json.dumps({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "ada",
            "emails": [{"value": "ada@acme.example", "primary": True}], "active": True}))
        assert user.status_code == 201, user.text
        user_id = user.json()["id"]
        subject = {"format": "iss_sub", "iss": issuer, "sub": user_id}
        added = requests.post(metadata["add_subject_endpoint"], headers=headers, json={"stream_id": stream_id, "subject": subject})
        assert added.status_code == 200, added.text
        bad = requests.post(metadata["add_subject_endpoint"], headers=headers,
                            json={"stream_id": stream_id, "subject": {"format": "phone_number", "phone_number": "+1"}})
        assert bad.status_code == 400

        deprovisioned = requests.patch(f"{scim}/{user_id}", headers=scim_headers, data=json.dumps({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "value": {"active": False}}]}))
        assert deprovisioned.status_code == 200, deprovisioned.text
        received = receiver.wait_for(2)
        claims = verify_set(received[1][1], metadata, client_id)
        assert claims["sub_id"] == subject
        event = claims["events"][SESSION_REVOKED]
        assert isinstance(event["event_timestamp"], int) and abs(event["event_timestamp"] - time.time()) < 120
        assert claims["jti"] != verify_set(received[0][1], metadata, client_id)["jti"]

        # A paused stream gets nothing; removing the subject and deleting the stream work.
        status = requests.post(metadata["status_endpoint"], headers=headers, json={"stream_id": stream_id, "status": "paused"})
        assert status.status_code == 200 and status.json()["status"] == "paused"
        assert requests.get(metadata["status_endpoint"], headers=headers, params={"stream_id": stream_id}).json()["status"] == "paused"
        removed = requests.post(metadata["remove_subject_endpoint"], headers=headers, json={"stream_id": stream_id, "subject": subject})
        assert removed.status_code == 204
        assert requests.delete(config_url, headers=headers, params={"stream_id": stream_id}).status_code == 204
        assert requests.get(config_url, headers=headers, params={"stream_id": stream_id}).status_code == 404
        time.sleep(0.3)
        assert len(receiver.received) == 2
    finally:
        receiver.close()
        server.kill()
