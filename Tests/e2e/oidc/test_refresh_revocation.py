"""Refresh-token rotation, reuse detection, RFC 7009 revocation and revocation-aware bearer
checks against the real binary, spoken in plain HTTP with requests (the Authlib view of
the same flow is in test_authorization_code.py). The sign-in is the authorization-code flow
with PKCE, posting the server-rendered form; the redirect URI is never fetched."""

import base64
import hashlib
import html.parser
import secrets
import subprocess
import urllib.parse

import pytest
import requests

from conftest import arbiter_binary

PASSWORD = "ChangeThisPassword123!"
REDIRECT = "http://127.0.0.1:9/callback"
SCOPES = "openid offline_access arbiter.api tenant_context"


def admin(server, *args):
    result = subprocess.run(
        [str(arbiter_binary()), "admin", *args, "--data-dir", str(server.data_dir)],
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return dict(line.split(": ", 1) for line in result.stdout.strip().splitlines())


def web_client(server, name):
    out = admin(server, "create-client", "--tenant", "acme", "--name", name, "--purpose", "interactive_web",
                "--public", "--scopes", SCOPES, "--redirect-uri", REDIRECT)
    return out["client_id"]


@pytest.fixture
def tenant(arbiter):
    created = requests.post(arbiter.url + "/api/tenancy/tenant-registrations", json={
        "tenantName": "Acme", "tenantSlug": "acme", "userName": "admin", "email": "admin@acme.example",
        "password": PASSWORD, "planCode": "developer"})
    assert created.status_code == 201, created.text
    issuer = f"{arbiter.url}/t/acme"
    metadata = requests.get(issuer + "/.well-known/openid-configuration").json()
    automation = admin(arbiter, "create-client", "--tenant", "acme", "--name", "Auditor", "--purpose", "automation",
                       "--scopes", "arbiter.api tenant_context")
    return dict(server=arbiter, issuer=issuer, metadata=metadata,
                client_id=web_client(arbiter, "Portal"), other_client_id=web_client(arbiter, "Other portal"),
                auditor=(automation["client_id"], automation["client_secret"]))


class FormParser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.action = None
        self.hidden = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.action = attrs.get("action")
        elif tag == "input" and attrs.get("type") == "hidden" and "name" in attrs:
            self.hidden[attrs["name"]] = attrs.get("value", "")


def sign_in(tenant):
    """A fresh browser signs in (a new sign-in session); returns the token response."""
    metadata = tenant["metadata"]
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    state = secrets.token_urlsafe(16)
    browser = requests.Session()
    page = browser.get(metadata["authorization_endpoint"], params={
        "response_type": "code", "client_id": tenant["client_id"], "redirect_uri": REDIRECT, "scope": SCOPES,
        "state": state, "nonce": secrets.token_urlsafe(16), "code_challenge": challenge,
        "code_challenge_method": "S256"}, allow_redirects=False)
    assert page.status_code == 200, page.text
    form = FormParser()
    form.feed(page.text)
    data = dict(form.hidden, tenant="acme", username="admin", password=PASSWORD)
    answer = browser.post(urllib.parse.urljoin(page.url, form.action), data=data, allow_redirects=False)
    assert answer.status_code == 302, answer.text
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(answer.headers["Location"]).query))
    assert params["state"] == state
    token = requests.post(metadata["token_endpoint"], data={
        "grant_type": "authorization_code", "code": params["code"], "redirect_uri": REDIRECT,
        "client_id": tenant["client_id"], "code_verifier": verifier})
    assert token.status_code == 200, token.text
    assert token.json()["refresh_token"].startswith("rt_")
    return token.json()


def refresh(tenant, refresh_token, scope=None, client_id=None):
    data = {"grant_type": "refresh_token", "refresh_token": refresh_token,
            "client_id": client_id or tenant["client_id"]}
    if scope:
        data["scope"] = scope
    return requests.post(tenant["metadata"]["token_endpoint"], data=data)


def revoke(tenant, token, client_id=None, hint=None):
    data = {"token": token, "client_id": client_id or tenant["client_id"]}
    if hint:
        data["token_type_hint"] = hint
    return requests.post(tenant["metadata"]["revocation_endpoint"], data=data)


def introspect(tenant, token, hint=None):
    data = {"token": token}
    if hint:
        data["token_type_hint"] = hint
    response = requests.post(tenant["metadata"]["introspection_endpoint"], data=data, auth=tenant["auditor"])
    assert response.status_code == 200, response.text
    return response.json()


def userinfo(tenant, access_token):
    return requests.get(tenant["metadata"]["userinfo_endpoint"], headers={"Authorization": "Bearer " + access_token})


def test_discovery_names_the_revocation_endpoint(tenant):
    metadata = tenant["metadata"]
    assert metadata["revocation_endpoint"] == tenant["issuer"] + "/connect/revocation"
    assert "refresh_token" in metadata["grant_types_supported"]


def test_rotation_narrowing_introspection_and_reuse(tenant):
    first = sign_in(tenant)
    described = introspect(tenant, first["refresh_token"], hint="refresh_token")
    assert described["active"] is True
    assert described["token_type"] == "refresh_token"
    assert described["client_id"] == tenant["client_id"]
    assert described["scope"] == SCOPES
    assert described["sub"] == introspect(tenant, first["access_token"])["sub"]
    assert isinstance(described["exp"], int)

    # A scope beyond the grant is refused and does not use the token up.
    wider = refresh(tenant, first["refresh_token"], scope="openid arbiter.scim.admin")
    assert wider.status_code == 400 and wider.json()["error"] == "invalid_scope"

    narrowed = refresh(tenant, first["refresh_token"], scope="openid arbiter.api")
    assert narrowed.status_code == 200, narrowed.text
    assert narrowed.headers["Cache-Control"] == "no-store"
    body = narrowed.json()
    assert body["scope"] == "openid arbiter.api"
    assert "id_token" not in body
    assert body["refresh_token"] != first["refresh_token"]
    assert introspect(tenant, first["refresh_token"]) == {"active": False}
    assert userinfo(tenant, body["access_token"]).status_code == 200

    # The next refresh without scope gets the whole original grant back.
    again = refresh(tenant, body["refresh_token"])
    assert again.json()["scope"] == SCOPES

    # Replaying the first token: invalid_grant, and the whole sign-in ends with it.
    reused = refresh(tenant, first["refresh_token"])
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"
    assert refresh(tenant, again.json()["refresh_token"]).json()["error"] == "invalid_grant"
    refused = userinfo(tenant, again.json()["access_token"])
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    assert introspect(tenant, again.json()["access_token"]) == {"active": False}
    assert introspect(tenant, first["access_token"]) == {"active": False}


def test_refresh_errors(tenant):
    first = sign_in(tenant)
    missing = requests.post(tenant["metadata"]["token_endpoint"], data={
        "grant_type": "refresh_token", "client_id": tenant["client_id"]})
    assert missing.status_code == 400 and missing.json()["error"] == "invalid_request"
    assert refresh(tenant, "rt_unknown").json()["error"] == "invalid_grant"
    assert refresh(tenant, first["refresh_token"], client_id=tenant["other_client_id"]).json()["error"] == "invalid_grant"
    # None of those counted as a use.
    assert refresh(tenant, first["refresh_token"]).status_code == 200


def test_revoking_an_access_token_leaves_the_session(tenant):
    first = sign_in(tenant)
    assert userinfo(tenant, first["access_token"]).status_code == 200

    # Another client: 200, and nothing happens.
    assert revoke(tenant, first["access_token"], client_id=tenant["other_client_id"]).status_code == 200
    assert userinfo(tenant, first["access_token"]).status_code == 200

    revoked = revoke(tenant, first["access_token"], hint="access_token")
    assert revoked.status_code == 200 and revoked.content == b""
    assert userinfo(tenant, first["access_token"]).status_code == 401
    assert introspect(tenant, first["access_token"]) == {"active": False}

    # The sign-in lives on: its refresh token still works, and so does the new access token.
    rotated = refresh(tenant, first["refresh_token"])
    assert rotated.status_code == 200
    assert userinfo(tenant, rotated.json()["access_token"]).status_code == 200


def test_revoking_a_refresh_token_ends_its_family_only_for_its_client(tenant):
    first = sign_in(tenant)
    rotated = refresh(tenant, first["refresh_token"]).json()

    assert revoke(tenant, rotated["refresh_token"], client_id=tenant["other_client_id"]).status_code == 200
    assert introspect(tenant, rotated["refresh_token"])["active"] is True

    # Revoking the family through an older token of it ends the current one too.
    assert revoke(tenant, first["refresh_token"], hint="refresh_token").status_code == 200
    assert introspect(tenant, rotated["refresh_token"]) == {"active": False}
    assert refresh(tenant, rotated["refresh_token"]).json()["error"] == "invalid_grant"
    # Revocation is not sign-out: the session's access token still works.
    assert userinfo(tenant, rotated["access_token"]).status_code == 200


def test_revocation_endpoint_errors(tenant):
    endpoint = tenant["metadata"]["revocation_endpoint"]
    for token in ("rt_unknown", "garbage", "a.b.c"):
        assert revoke(tenant, token).status_code == 200
    missing = requests.post(endpoint, data={"client_id": tenant["client_id"]})
    assert missing.status_code == 400 and missing.json()["error"] == "invalid_request"
    anonymous = requests.post(endpoint, data={"token": "rt_unknown"})
    assert anonymous.status_code == 401 and anonymous.json()["error"] == "invalid_client"
    wrong_secret = requests.post(endpoint, data={"token": "rt_unknown"}, auth=(tenant["auditor"][0], "wrong"))
    assert wrong_secret.status_code == 401 and wrong_secret.headers["WWW-Authenticate"].startswith("Basic")
