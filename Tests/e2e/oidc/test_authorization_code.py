"""The authorization-code flow with PKCE against the real binary, driven by stock
libraries: Authlib builds the authorization URL (S256) and redeems the code, refreshes and
revokes; a requests.Session plays the browser and posts the server-rendered sign-in form;
PyJWT verifies the access and ID tokens against the tenant's JWKS on its own.

The redirect URI is never fetched: the test reads the Location the server answers with."""

import base64
import hashlib
import html.parser
import subprocess
import urllib.parse

import jwt
import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session

from conftest import arbiter_binary

PASSWORD = "ChangeThisPassword123!"
REDIRECT = "http://127.0.0.1:9/callback"
POST_LOGOUT = "http://127.0.0.1:9/signed-out"
SCOPES = "openid profile email offline_access tenant_context"


def register(server, slug):
    created = requests.post(server.url + "/api/tenancy/tenant-registrations", json={
        "tenantName": slug.title(), "tenantSlug": slug, "userName": "admin",
        "email": f"admin@{slug}.example", "password": PASSWORD, "planCode": "developer",
    })
    assert created.status_code == 201, created.text
    return created.json()["tenantId"]


def create_web_client(server, slug):
    """A public interactive_web client, made by the operator CLI on the live data dir."""
    result = subprocess.run(
        [str(arbiter_binary()), "admin", "create-client", "--data-dir", str(server.data_dir), "--tenant", slug,
         "--name", "Acme Portal", "--purpose", "interactive_web", "--public", "--scopes", SCOPES,
         "--redirect-uri", REDIRECT, "--post-logout-redirect-uri", POST_LOGOUT],
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    out = dict(line.split(": ", 1) for line in result.stdout.strip().splitlines())
    assert "client_secret" not in out, "a public client has no secret"
    assert out["redirect_uri"] == REDIRECT
    return out["client_id"]


@pytest.fixture
def tenant(arbiter):
    tenant_id = register(arbiter, "acme")
    client_id = create_web_client(arbiter, "acme")
    issuer = f"{arbiter.url}/t/acme"
    metadata = requests.get(issuer + "/.well-known/openid-configuration").json()
    return dict(server=arbiter, tenant_id=tenant_id, client_id=client_id, issuer=issuer, metadata=metadata)


class FormParser(html.parser.HTMLParser):
    """The sign-in form: its action and every input's name and value."""

    def __init__(self):
        super().__init__()
        self.action = None
        self.fields = {}
        self.hidden = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.action = attrs.get("action")
        elif tag == "input" and "name" in attrs:
            self.fields[attrs["name"]] = attrs.get("value", "")
            if attrs.get("type") == "hidden":
                self.hidden.add(attrs["name"])


def parse_form(page):
    parser = FormParser()
    parser.feed(page.text)
    return parser


def oauth_session(tenant, **kwargs):
    return OAuth2Session(
        tenant["client_id"], scope=SCOPES, redirect_uri=REDIRECT, code_challenge_method="S256",
        token_endpoint_auth_method="none", **kwargs)


def authorization_url(tenant, session, **extra):
    verifier = generate_token(64)
    nonce = generate_token(20)
    url, state = session.create_authorization_url(
        tenant["metadata"]["authorization_endpoint"], code_verifier=verifier, nonce=nonce, **extra)
    return url, state, verifier, nonce


def sign_in(browser, url, user="admin", password=PASSWORD, tenant_slug="acme"):
    """GETs the authorization URL, posts the sign-in form; returns the redirect response."""
    page = browser.get(url, allow_redirects=False)
    assert page.status_code == 200, page.text
    assert page.headers["Content-Type"].startswith("text/html")
    form = parse_form(page)
    assert {"csrf_token", "authorization_request"} <= form.hidden
    assert form.fields["tenant"] == tenant_slug
    data = {name: form.fields[name] for name in form.hidden}
    data.update(tenant=tenant_slug, username=user, password=password)
    return browser.post(urllib.parse.urljoin(page.url, form.action), data=data, allow_redirects=False)


def redirect_params(response):
    assert response.status_code == 302, response.text
    location = response.headers["Location"]
    return location, dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))


def verify(token, metadata, audience):
    key = jwt.PyJWKClient(metadata["jwks_uri"], cache_keys=False).get_signing_key_from_jwt(token)
    return jwt.decode(token, key.key, algorithms=["ES256"], issuer=metadata["issuer"], audience=audience,
                      options={"require": ["exp", "iat", "iss", "sub", "aud"]})


def at_hash(access_token):
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()


def full_flow(tenant, browser=None):
    browser = browser or requests.Session()
    session = oauth_session(tenant)
    url, state, verifier, nonce = authorization_url(tenant, session)
    location, params = redirect_params(sign_in(browser, url))
    assert location.startswith(REDIRECT + "?")
    assert params["state"] == state
    token = session.fetch_token(tenant["metadata"]["token_endpoint"], authorization_response=location,
                                code_verifier=verifier)
    return browser, session, token, nonce


def test_discovery_describes_the_code_flow(tenant):
    metadata = tenant["metadata"]
    issuer = tenant["issuer"]
    assert metadata["authorization_endpoint"] == issuer + "/connect/authorize"
    assert metadata["userinfo_endpoint"] == issuer + "/connect/userinfo"
    assert metadata["end_session_endpoint"] == issuer + "/connect/endsession"
    assert metadata["response_types_supported"] == ["code"]
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    assert metadata["id_token_signing_alg_values_supported"] == ["ES256"]
    assert metadata["authorization_response_iss_parameter_supported"] is True
    assert {"authorization_code", "refresh_token", "client_credentials"} <= set(metadata["grant_types_supported"])
    assert "none" in metadata["token_endpoint_auth_methods_supported"]
    assert {"openid", "profile", "email", "offline_access", "tenant_context"} <= set(metadata["scopes_supported"])


def test_code_flow_with_pkce_tokens_verified_by_pyjwt(tenant):
    metadata = tenant["metadata"]
    browser, session, token, nonce = full_flow(tenant)
    assert token["token_type"] == "Bearer"
    assert token["scope"] == SCOPES
    assert token["refresh_token"].startswith("rt_")

    assert jwt.get_unverified_header(token["access_token"])["typ"] == "at+jwt"
    access = verify(token["access_token"], metadata, audience=tenant["server"].url)
    assert access["client_id"] == tenant["client_id"]
    assert access["tenant_id"] == tenant["tenant_id"]
    for claim in ("organization_id", "membership_id", "session_id", "perm_ver", "ent_ver", "auth_time"):
        assert claim in access, claim

    header = jwt.get_unverified_header(token["id_token"])
    assert header["typ"] == "JWT" and header["alg"] == "ES256"
    id_claims = verify(token["id_token"], metadata, audience=tenant["client_id"])
    assert id_claims["sub"] == access["sub"]
    assert id_claims["nonce"] == nonce
    assert id_claims["at_hash"] == at_hash(token["access_token"])
    assert id_claims["sid"] == access["session_id"]
    assert id_claims["azp"] == tenant["client_id"]
    assert id_claims["auth_time"] == access["auth_time"]
    assert id_claims["preferred_username"] == "admin"
    assert id_claims["email"] == "admin@acme.example" and id_claims["email_verified"] is False

    userinfo = session.get(metadata["userinfo_endpoint"])
    assert userinfo.status_code == 200
    assert userinfo.json() == {"sub": access["sub"], "name": "admin", "preferred_username": "admin",
                               "email": "admin@acme.example", "email_verified": False}

    # The same browser is signed in: a second authorization skips the form.
    url, state, _, _ = authorization_url(tenant, oauth_session(tenant))
    _, params = redirect_params(browser.get(url, allow_redirects=False))
    assert params["state"] == state and "code" in params and params["iss"] == tenant["issuer"]


def test_a_code_is_redeemed_once_and_a_replay_revokes_the_session(tenant):
    metadata = tenant["metadata"]
    browser = requests.Session()
    session = oauth_session(tenant)
    url, _, verifier, _ = authorization_url(tenant, session)
    location, params = redirect_params(sign_in(browser, url))
    redeem = {"grant_type": "authorization_code", "code": params["code"], "redirect_uri": REDIRECT,
              "client_id": tenant["client_id"], "code_verifier": verifier}
    wrong = requests.post(metadata["token_endpoint"], data={**redeem, "code_verifier": generate_token(64)})
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    first = requests.post(metadata["token_endpoint"], data=redeem)
    assert first.status_code == 200, first.text
    access = first.json()["access_token"]
    assert requests.get(metadata["userinfo_endpoint"], headers={"Authorization": "Bearer " + access}).status_code == 200
    replay = requests.post(metadata["token_endpoint"], data=redeem)
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    after = requests.get(metadata["userinfo_endpoint"], headers={"Authorization": "Bearer " + access})
    assert after.status_code == 401 and after.headers["WWW-Authenticate"].startswith("Bearer")
    refresh = requests.post(metadata["token_endpoint"], data={
        "grant_type": "refresh_token", "refresh_token": first.json()["refresh_token"], "client_id": tenant["client_id"]})
    assert refresh.json()["error"] == "invalid_grant"


def test_refresh_rotation_reuse_kills_the_family_and_revocation(tenant):
    metadata = tenant["metadata"]
    _, session, token, _ = full_flow(tenant)
    old_refresh = token["refresh_token"]
    rotated = session.refresh_token(metadata["token_endpoint"], refresh_token=old_refresh)
    new_refresh = rotated["refresh_token"]
    assert new_refresh != old_refresh
    verify(rotated["access_token"], metadata, audience=tenant["server"].url)

    def refresh_with(value):
        return requests.post(metadata["token_endpoint"], data={
            "grant_type": "refresh_token", "refresh_token": value, "client_id": tenant["client_id"]})

    reused = refresh_with(old_refresh)
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"
    # Reuse revoked the whole family: the newest token is dead too, and so is the session.
    assert refresh_with(new_refresh).json()["error"] == "invalid_grant"
    assert session.get(metadata["userinfo_endpoint"]).status_code == 401

    # Revocation (RFC 7009) of a fresh sign-in's refresh token.
    _, session, token, _ = full_flow(tenant)
    revoked = session.revoke_token(metadata["revocation_endpoint"], token=token["refresh_token"],
                                   token_type_hint="refresh_token")
    assert revoked.status_code == 200
    assert refresh_with(token["refresh_token"]).json()["error"] == "invalid_grant"


def test_end_session_signs_the_browser_out_and_returns_with_state(tenant):
    metadata = tenant["metadata"]
    browser, session, token, _ = full_flow(tenant)
    response = browser.get(metadata["end_session_endpoint"], params={
        "id_token_hint": token["id_token"], "post_logout_redirect_uri": POST_LOGOUT, "state": "bye-1"},
        allow_redirects=False)
    assert response.status_code == 302
    assert response.headers["Location"] == POST_LOGOUT + "?state=bye-1"
    assert "arbiter_session" not in browser.cookies
    assert session.get(metadata["userinfo_endpoint"]).status_code == 401
    # Signed out: the next authorization shows the form again.
    url, _, _, _ = authorization_url(tenant, oauth_session(tenant))
    assert browser.get(url, allow_redirects=False).status_code == 200

    # An unregistered post-logout URI is never followed.
    browser, _, token, _ = full_flow(tenant)
    page = browser.get(metadata["end_session_endpoint"], params={
        "id_token_hint": token["id_token"], "post_logout_redirect_uri": "https://evil.example/"}, allow_redirects=False)
    assert page.status_code == 200 and "Location" not in page.headers


def test_browser_facing_errors(tenant):
    metadata = tenant["metadata"]
    session = oauth_session(tenant)
    # An unregistered redirect URI: a page, never a redirect.
    bad = OAuth2Session(tenant["client_id"], scope=SCOPES, redirect_uri="https://evil.example/cb",
                        code_challenge_method="S256")
    url, _ = bad.create_authorization_url(metadata["authorization_endpoint"], code_verifier=generate_token(64))
    page = requests.get(url, allow_redirects=False)
    assert page.status_code == 400 and "Location" not in page.headers
    assert page.headers["Content-Type"].startswith("text/html")

    # Once the redirect URI is trusted, errors go back to it with state and iss.
    url, state, _, _ = authorization_url(tenant, session, prompt="none")
    _, params = redirect_params(requests.get(url, allow_redirects=False))
    assert params == {"error": "login_required", "error_description": params["error_description"],
                      "state": state, "iss": tenant["issuer"]}
    plain = requests.get(metadata["authorization_endpoint"], params={
        "response_type": "code", "client_id": tenant["client_id"], "redirect_uri": REDIRECT, "state": "s",
        "code_challenge": "x" * 43, "code_challenge_method": "plain"}, allow_redirects=False)
    assert redirect_params(plain)[1]["error"] == "invalid_request"
    no_pkce = requests.get(metadata["authorization_endpoint"], params={
        "response_type": "code", "client_id": tenant["client_id"], "redirect_uri": REDIRECT}, allow_redirects=False)
    assert redirect_params(no_pkce)[1]["error"] == "invalid_request"

    # A wrong password: the form again, with a message that names nothing.
    url, _, _, _ = authorization_url(tenant, session)
    browser = requests.Session()
    wrong = sign_in(browser, url, password="not-it")
    assert wrong.status_code == 401 and "Location" not in wrong.headers
    assert "not right" in wrong.text and "not-it" not in wrong.text
    # Without the CSRF cookie the form is refused.
    form = parse_form(wrong)
    stranger = requests.post(urllib.parse.urljoin(wrong.url, form.action), data={
        **{name: form.fields[name] for name in form.hidden}, "tenant": "acme", "username": "admin", "password": PASSWORD},
        allow_redirects=False)
    assert stranger.status_code == 403
