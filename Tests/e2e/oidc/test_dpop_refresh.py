"""RFC 9449 §5 against the real binary: a public client (the tenant's built-in arbiter-cli,
device flow) that proves a DPoP key when its tokens are issued gets a refresh token bound to
that key. Refreshing without a proof, or with another key, is invalid_grant and uses nothing
up; with the same key the refresh works, rotates, and the new access token is DPoP-bound too."""

import jwt
import requests

from dpop_key import DPoPKey
from test_device_flow import DEVICE_GRANT, decide, discover, register, start_device_flow


def refresh(token_endpoint, refresh_token, key=None):
    headers = {"DPoP": key.dpop("POST", token_endpoint)} if key else {}
    return requests.post(token_endpoint, headers=headers, data={
        "grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": "arbiter-cli"})


def test_a_public_clients_refresh_token_is_bound_to_its_dpop_key(arbiter):
    register(arbiter, "acme")
    issuer = f"{arbiter.url}/t/acme"
    metadata = discover(issuer)
    token_endpoint = metadata["token_endpoint"]
    key = DPoPKey()

    started = start_device_flow(issuer, scope="openid offline_access tenant_context arbiter.api")
    assert decide(arbiter.url, started["user_code"]).status_code == 200
    issued = requests.post(token_endpoint, headers={"DPoP": key.dpop("POST", token_endpoint)}, data={
        "grant_type": DEVICE_GRANT, "device_code": started["device_code"], "client_id": "arbiter-cli"})
    assert issued.status_code == 200, issued.text
    tokens = issued.json()
    assert tokens["token_type"] == "DPoP"
    assert jwt.decode(tokens["access_token"], options={"verify_signature": False})["cnf"] == {"jkt": key.thumbprint}

    # Without a proof, and with another key: refused, and the token is not used up.
    for attempt in (refresh(token_endpoint, tokens["refresh_token"]),
                    refresh(token_endpoint, tokens["refresh_token"], DPoPKey())):
        assert attempt.status_code == 400, attempt.text
        assert attempt.json()["error"] == "invalid_grant"
        assert "DPoP" in attempt.json()["error_description"]

    # With the key: a new DPoP-bound access token and the family's next refresh token.
    refreshed = refresh(token_endpoint, tokens["refresh_token"], key)
    assert refreshed.status_code == 200, refreshed.text
    body = refreshed.json()
    assert body["token_type"] == "DPoP" and body["refresh_token"] != tokens["refresh_token"]
    assert jwt.decode(body["access_token"], options={"verify_signature": False})["cnf"] == {"jkt": key.thumbprint}
    # The next one is bound to the same key.
    assert refresh(token_endpoint, body["refresh_token"]).json()["error"] == "invalid_grant"
    assert refresh(token_endpoint, body["refresh_token"], key).status_code == 200


def test_without_a_proof_the_public_clients_refresh_token_stays_a_bearer_token(arbiter):
    register(arbiter, "acme")
    issuer = f"{arbiter.url}/t/acme"
    token_endpoint = discover(issuer)["token_endpoint"]
    started = start_device_flow(issuer, scope="openid offline_access tenant_context arbiter.api")
    assert decide(arbiter.url, started["user_code"]).status_code == 200
    tokens = requests.post(token_endpoint, data={
        "grant_type": DEVICE_GRANT, "device_code": started["device_code"], "client_id": "arbiter-cli"}).json()
    assert tokens["token_type"] == "Bearer"
    assert refresh(token_endpoint, tokens["refresh_token"]).status_code == 200
