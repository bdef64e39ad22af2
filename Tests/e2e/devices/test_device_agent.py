"""A device agent against the real binary (issue 7, "Done when"): it generates a P-256 key,
gets a user token through the device flow of a `device` client the operator made with
`arbiter admin create-client`, activates an installation of a product against a seat of
its tenant's subscription, is approved by an administrator, heartbeats with compact JWS
signed by its key (a replay is refused), takes an offline lease and verifies it with PyJWT
against /.well-known/jwks.json, trades its refresh token for a DPoP-bound, device-bound
access token (RFC 9449 proof made here with PyJWT), makes runtime checks with it, is
revoked by the administrator, and sees its very next check refused (401 invalid_token:
continuous access evaluation, not token expiry) and no new device-bound token."""

import time
import uuid

import jwt
import requests

from admin_api import admin_token, api, device_flow, operator, register
from dpop_key import DPoPKey, b64url

MANIFEST = {"version": "1.0.0", "features": [{"key": "sync", "name": "Sync", "actions": ["run"]}]}
PRODUCT = "vendor.agent"
AGENT_SCOPES = "openid offline_access tenant_context arbiter.devices.agent"
POSTURE = {"os": "linux", "osVersion": "6.8", "patchAgeDays": 4, "diskEncrypted": True, "firewallEnabled": True,
           "screenLockEnabled": True, "edrRunning": True, "jailbroken": False}


class DeviceKey(DPoPKey):
    """The agent's key: DPoP proofs, and heartbeats signed with it (compact JWS, kid = thumbprint)."""

    def heartbeat(self, posture=None):
        payload = {"nonce": str(uuid.uuid4()), "timestamp": int(time.time())}
        if posture:
            payload["posture"] = posture
        return jwt.encode(payload, self.private, algorithm="ES256", headers={"kid": self.thumbprint})


def publish_and_subscribe(server, customer_admin):
    """A vendor tenant publishes the agent product; the customer installs it and buys 2 seats."""
    register(server, "vendor")
    vendor_admin = admin_token(server, "vendor")
    app = api(server, "POST", "/api/applications", vendor_admin,
              json={"name": "Agent", "key": "agent", "externalConsumption": True})
    assert app.status_code == 201, app.text
    publisher = operator(server, "create-client", "--tenant", "vendor", "--name", "Agent publisher",
                         "--purpose", "manifest_publisher", "--scopes", "arbiter.manifest.publish",
                         "--application", app.json()["id"])
    token = requests.post(f"{server.url}/t/vendor/connect/token", data={"grant_type": "client_credentials"},
                          auth=(publisher["client_id"], publisher["client_secret"]))
    assert token.status_code == 200, token.text
    published = api(server, "POST", "/api/runtime/manifests", token.json()["access_token"], json=MANIFEST)
    assert published.status_code == 201, published.text
    assert published.json()["productKey"] == PRODUCT
    installed = api(server, "POST", "/api/marketplace/installations", customer_admin, json={"productKey": PRODUCT})
    assert installed.status_code == 201, installed.text
    subscribed = api(server, "POST", "/api/licensing/subscriptions", customer_admin, json={"productKey": PRODUCT, "seats": 2})
    assert subscribed.status_code == 201, subscribed.text


def agent_tokens(server, client_id):
    """The device flow of the agent's public `device` client, approved by the user on /device."""
    token = device_flow(server, "cust", client_id, AGENT_SCOPES)
    assert token["token_type"] == "Bearer"
    return token


def dpop_call(server, key, method, path, token, **kwargs):
    url = server.url + path
    headers = {"Authorization": "DPoP " + token, "DPoP": key.dpop(method, url, token)}
    return requests.request(method, url, headers=headers, **kwargs)


def test_device_agent_lifecycle(arbiter):
    register(arbiter, "cust")
    admin = admin_token(arbiter, "cust")
    publish_and_subscribe(arbiter, admin)
    discovery = requests.get(f"{arbiter.url}/t/cust/.well-known/openid-configuration").json()
    assert discovery["dpop_signing_alg_values_supported"] == ["ES256"]

    # The operator makes the agent's client; the agent signs in through the device flow.
    client = operator(arbiter, "create-client", "--tenant", "cust", "--name", "Device agent", "--purpose", "device",
                      "--scopes", AGENT_SCOPES)
    assert "client_secret" not in client, "device clients are public"
    tokens = agent_tokens(arbiter, client["client_id"])
    agent = tokens["access_token"]
    key = DeviceKey()

    # Activation: the public key only; waits for an administrator.
    private_jwk = dict(key.jwk, d=b64url(b"\x01" * 32))
    refused = api(arbiter, "POST", "/api/devices/activations", agent, json={
        "productKey": PRODUCT, "hardwareId": "SERIAL-0001", "platform": "linux", "publicKey": private_jwk})
    assert refused.status_code == 400, refused.text
    activated = api(arbiter, "POST", "/api/devices/activations", agent, json={
        "productKey": PRODUCT, "hardwareId": "SERIAL-0001", "platform": "linux", "displayName": "build-01",
        "publicKey": key.jwk})
    assert activated.status_code == 201, activated.text
    activation = activated.json()["activation"]
    device_id = activated.json()["device"]["id"]
    activation_id = activation["id"]
    assert activation["state"] == "pending_approval"
    assert activation["keyThumbprint"] == key.thumbprint

    # Pending: no device-bound token yet (the refresh token is not used up by the refusal).
    token_url = f"{arbiter.url}/t/cust/connect/token"
    pending = requests.post(token_url, headers={"DPoP": key.dpop("POST", token_url)}, data={
        "grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], "client_id": client["client_id"]})
    assert pending.status_code == 400 and pending.json()["error"] == "invalid_grant", pending.text

    approved = api(arbiter, "POST", f"/api/devices/activations/{activation_id}/approve", admin,
                   json={"reason": "known build machine"})
    assert approved.status_code == 200, approved.text
    assert approved.json()["state"] == "active"

    # Heartbeats: a compact JWS by the device key; the same one again is a replay.
    beat = key.heartbeat(POSTURE)
    heartbeat_path = f"/api/devices/activations/{activation_id}/heartbeat"
    first = api(arbiter, "POST", heartbeat_path, agent, data=beat, headers={"Content-Type": "application/jose"})
    assert first.status_code == 200, first.text
    assert first.json()["state"] == "active"
    replayed = api(arbiter, "POST", heartbeat_path, agent, data=beat, headers={"Content-Type": "application/jose"})
    assert replayed.status_code == 401, replayed.text
    stranger = DeviceKey().heartbeat()
    assert api(arbiter, "POST", heartbeat_path, agent, data=stranger,
               headers={"Content-Type": "application/jose"}).status_code == 401

    # An offline lease, verified offline against the published keys.
    leased = api(arbiter, "POST", f"/api/devices/activations/{activation_id}/offline-lease", agent, json={})
    assert leased.status_code == 200, leased.text
    lease = leased.json()["lease"]
    assert jwt.get_unverified_header(lease)["typ"] == "arbiter-lease+jwt"
    jwks = jwt.PyJWKClient(f"{arbiter.url}/.well-known/jwks.json?tenant=cust", cache_keys=False)
    claims = jwt.decode(lease, jwks.get_signing_key_from_jwt(lease).key, algorithms=["ES256"],
                        issuer=f"{arbiter.url}/t/cust", options={"verify_aud": False, "require": ["exp", "iat", "iss", "sub"]})
    assert claims["activation_id"] == activation_id and claims["device_id"] == device_id
    assert claims["product"] == PRODUCT and claims["counter"] == leased.json()["counter"]
    assert claims["exp"] > time.time() + 86400

    # A DPoP-bound, device-bound token: the refresh grant with a proof by the device key.
    bound = requests.post(token_url, headers={"DPoP": key.dpop("POST", token_url)}, data={
        "grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], "client_id": client["client_id"]})
    assert bound.status_code == 200, bound.text
    assert bound.json()["token_type"] == "DPoP"
    token = bound.json()["access_token"]
    signing_key = jwt.PyJWKClient(discovery["jwks_uri"], cache_keys=False).get_signing_key_from_jwt(token)
    access = jwt.decode(token, signing_key.key, algorithms=["ES256"], issuer=discovery["issuer"],
                        audience=arbiter.url)
    assert access["cnf"] == {"jkt": key.thumbprint}
    assert access["device_id"] == device_id
    assert access["device_risk_state"] == "unknown" and access["device_trust_level"] == 2

    check_path = "/api/runtime/authorization/check"
    body = {"action": "use", "resource": {"type": "Feature", "id": f"{PRODUCT}/sync"}}
    allowed = dpop_call(arbiter, key, "POST", check_path, token, json=body)
    assert allowed.status_code == 200, allowed.text
    me = dpop_call(arbiter, key, "GET", "/api/runtime/authorization/me", token)
    assert me.status_code == 200, me.text
    assert me.json()["device"]["id"] == device_id
    assert me.json()["device"]["posture"]["diskEncrypted"] is True
    # The bound token is useless without a proof by its key, or as a plain bearer token.
    as_bearer = api(arbiter, "POST", check_path, token, json=body)
    assert as_bearer.status_code == 401 and as_bearer.headers["WWW-Authenticate"].startswith("DPoP ")
    thief = DeviceKey()
    stolen = requests.post(arbiter.url + check_path, json=body, headers={
        "Authorization": "DPoP " + token, "DPoP": thief.dpop("POST", arbiter.url + check_path, token)})
    assert stolen.status_code == 401 and 'error="invalid_dpop_proof"' in stolen.headers["WWW-Authenticate"]

    # Revoked by the administrator: the very next check with the same token is refused.
    revoked = api(arbiter, "POST", f"/api/devices/activations/{activation_id}/revoke", admin,
                  json={"reason": "laptop reported stolen"})
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["state"] == "revoked"
    denied = dpop_call(arbiter, key, "POST", check_path, token, json=body)
    assert denied.status_code == 401, denied.text
    assert 'error="invalid_token"' in denied.headers["WWW-Authenticate"]
    assert denied.headers["Content-Type"] == "application/problem+json"
    # No new device-bound token, heartbeat or lease either.
    again = requests.post(token_url, headers={"DPoP": key.dpop("POST", token_url)}, data={
        "grant_type": "refresh_token", "refresh_token": bound.json().get("refresh_token", tokens["refresh_token"]),
        "client_id": client["client_id"]})
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant", again.text
    late = api(arbiter, "POST", heartbeat_path, agent, data=key.heartbeat(), headers={"Content-Type": "application/jose"})
    assert late.status_code in (401, 409), late.text
    assert api(arbiter, "POST", f"/api/devices/activations/{activation_id}/offline-lease", agent,
               json={}).status_code in (401, 409)
