"""Device authorization grant (RFC 8628) against the real binary, with Authlib polling the
token endpoint as a public client (the tenant's built-in arbiter-cli) and the /device page
driven like a browser: GET it, read the CSRF field, POST the credentials and a decision.
PyJWT verifies the resulting user token against the tenant's JWKS on its own."""

import re

import jwt
import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session, OAuthError

PASSWORD = "ChangeThisPassword123!"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
USER_CODE = re.compile(r"^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$")


def register(server, slug, user="admin"):
    created = requests.post(server.url + "/api/tenancy/tenant-registrations", json={
        "tenantName": slug.title(), "tenantSlug": slug, "userName": user,
        "email": f"{user}@{slug}.example", "password": PASSWORD, "planCode": "developer",
    })
    assert created.status_code == 201, created.text
    return created.json()["tenantId"]


def discover(issuer):
    response = requests.get(issuer + "/.well-known/openid-configuration")
    assert response.status_code == 200, response.text
    return response.json()


def start_device_flow(issuer, scope=None, client_id="arbiter-cli"):
    data = {"client_id": client_id}
    if scope:
        data["scope"] = scope
    response = requests.post(issuer + "/connect/deviceauthorization", data=data)
    assert response.status_code == 200, response.text
    assert response.headers["Cache-Control"] == "no-store"
    return response.json()


def decide(server_url, user_code, action="approve", user="admin", password=PASSWORD):
    """What a person does in a browser: open the page from verification_uri_complete, fill
    in the form, press Approve or Deny."""
    browser = requests.Session()
    page = browser.get(server_url + "/device", params={"user_code": user_code})
    assert page.status_code == 200, page.text
    assert page.headers["Content-Type"].startswith("text/html")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    assert browser.cookies.get("arbiter_csrf") == csrf
    return browser.post(server_url + "/device", data={
        "csrf_token": csrf, "user_code": user_code, "user_name": user, "password": password, "action": action,
    })


def poll(client, metadata, device_code):
    return client.fetch_token(metadata["token_endpoint"], grant_type=DEVICE_GRANT, device_code=device_code)


def poll_error(client, metadata, device_code):
    with pytest.raises(OAuthError) as raised:
        poll(client, metadata, device_code)
    return raised.value.error


def verify(token, metadata):
    """PyJWT, independently of the server: signature from the JWKS by kid, iss, aud, exp."""
    assert jwt.get_unverified_header(token)["typ"] == "at+jwt"
    signing_key = jwt.PyJWKClient(metadata["jwks_uri"], cache_keys=False).get_signing_key_from_jwt(token)
    return jwt.decode(
        token, signing_key.key, algorithms=["ES256"], issuer=metadata["issuer"],
        audience=metadata["issuer"].rsplit("/t/", 1)[0],
        options={"require": ["exp", "iat", "iss", "sub", "aud", "jti"]})


@pytest.fixture
def tenant(arbiter):
    tenant_id = register(arbiter, "acme")
    issuer = f"{arbiter.url}/t/acme"
    return dict(server=arbiter, tenant_id=tenant_id, issuer=issuer, metadata=discover(issuer))


def test_device_flow_pending_slow_down_approve_then_tokens_once(tenant):
    server, metadata = tenant["server"], tenant["metadata"]
    assert metadata["device_authorization_endpoint"] == tenant["issuer"] + "/connect/deviceauthorization"
    assert DEVICE_GRANT in metadata["grant_types_supported"]
    started = start_device_flow(tenant["issuer"], scope="openid offline_access tenant_context arbiter.api")
    assert USER_CODE.match(started["user_code"])
    assert started["verification_uri"] == server.url + "/device"
    assert started["verification_uri_complete"] == server.url + "/device?user_code=" + started["user_code"]
    assert started["expires_in"] == 600 and started["interval"] == 5

    client = OAuth2Session(client_id="arbiter-cli", token_endpoint_auth_method="none")
    assert poll_error(client, metadata, started["device_code"]) == "authorization_pending"
    # Polled again at once, faster than the interval.
    assert poll_error(client, metadata, started["device_code"]) == "slow_down"

    approved = decide(server.url, started["user_code"].lower())
    assert approved.status_code == 200 and "Device approved" in approved.text, approved.text

    token = poll(client, metadata, started["device_code"])
    assert token["token_type"] == "Bearer"
    assert token["scope"] == "openid offline_access tenant_context arbiter.api"
    assert token["refresh_token"]
    claims = verify(token["access_token"], metadata)
    assert claims["client_id"] == "arbiter-cli"
    assert claims["tenant_id"] == tenant["tenant_id"]
    assert claims["membership_id"].startswith("mem")
    assert claims["organization_id"]
    assert claims["session_id"].startswith("ses_")
    assert claims["perm_ver"] >= 1 and claims["ent_ver"] >= 1
    assert claims["sub"].startswith("usr")

    # openid: an ID token for the same user and session, audience arbiter-cli.
    id_key = jwt.PyJWKClient(metadata["jwks_uri"], cache_keys=False).get_signing_key_from_jwt(token["id_token"])
    id_claims = jwt.decode(token["id_token"], id_key.key, algorithms=["ES256"], audience="arbiter-cli",
                           issuer=metadata["issuer"])
    assert id_claims["sub"] == claims["sub"] and id_claims["sid"] == claims["session_id"]

    # Redeemable once.
    assert poll_error(client, metadata, started["device_code"]) == "invalid_grant"

    # The user token works as a bearer token at Arbiter's own endpoints.
    introspected = requests.post(
        tenant["issuer"] + "/connect/introspect", data={"token": token["access_token"]},
        headers={"Authorization": "Bearer " + token["access_token"]})
    assert introspected.status_code == 200 and introspected.json()["active"] is True


def test_deny_answers_access_denied(tenant):
    server, metadata = tenant["server"], tenant["metadata"]
    started = start_device_flow(tenant["issuer"])
    client = OAuth2Session(client_id="arbiter-cli", token_endpoint_auth_method="none")
    denied = decide(server.url, started["user_code"], action="deny")
    assert denied.status_code == 200 and "Request denied" in denied.text
    assert poll_error(client, metadata, started["device_code"]) == "access_denied"


def test_the_page_needs_the_csrf_token_and_the_right_password(tenant):
    server = tenant["server"]
    started = start_device_flow(tenant["issuer"])
    # No CSRF cookie or field: refused before anything is checked.
    forged = requests.post(server.url + "/device", data={
        "user_code": started["user_code"], "user_name": "admin", "password": PASSWORD, "action": "approve"})
    assert forged.status_code == 403
    wrong = decide(server.url, started["user_code"], password="not-the-password")
    assert wrong.status_code == 400 and "The user name or password is wrong." in wrong.text
    unknown = decide(server.url, "BBBB-BBBB")
    assert unknown.status_code == 400 and "unknown, expired or already used" in unknown.text
    # Still pending: a wrong password did not decide anything.
    client = OAuth2Session(client_id="arbiter-cli", token_endpoint_auth_method="none")
    assert poll_error(client, tenant["metadata"], started["device_code"]) == "authorization_pending"


def test_arbiter_cli_is_only_served_under_a_tenant_issuer(tenant):
    server = tenant["server"]
    response = requests.post(server.url + "/connect/deviceauthorization", data={"client_id": "arbiter-cli"})
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert "/t/" in response.json()["error_description"]
    wide = requests.post(tenant["issuer"] + "/connect/deviceauthorization",
                         data={"client_id": "arbiter-cli", "scope": "openid arbiter.scim.admin"})
    assert wide.status_code == 400 and wide.json()["error"] == "invalid_scope"
