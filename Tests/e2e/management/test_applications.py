"""The applications management API against the real binary: an administrator gets a token
with the device flow (the built-in arbiter-cli client, approved on the /device page),
creates an application, an environment and an automation client, and the client gets a
client-credentials token with Authlib, verified with PyJWT against the tenant's JWKS.
Also: no token → 401, the client's own token has no management rights → 403, another
tenant's ids → 404, rotation with a grace period, the plan quota → 409, deletion."""


import jwt
import pytest
from authlib.integrations.requests_client import OAuth2Session, OAuthError
from admin_api import admin_token, api, register


def client_credentials(server, slug, client_id, secret):
    session = OAuth2Session(client_id, secret, token_endpoint_auth_method="client_secret_basic",
                            scope="arbiter.api tenant_context")
    return session.fetch_token(f"{server.url}/t/{slug}/connect/token", grant_type="client_credentials")


def verify(server, slug, token):
    issuer = f"{server.url}/t/{slug}"
    key = jwt.PyJWKClient(issuer + "/.well-known/jwks.json", cache_keys=False).get_signing_key_from_jwt(token)
    return jwt.decode(token, key.key, algorithms=["ES256"], issuer=issuer, audience=server.url)


def test_administrator_creates_an_automation_client_that_gets_a_token(arbiter):
    tenant_id = register(arbiter, "acme")["tenantId"]
    register(arbiter, "globex")
    admin = admin_token(arbiter, "acme")
    other_admin = admin_token(arbiter, "globex")

    anonymous = api(arbiter, "GET", "/api/applications")
    assert anonymous.status_code == 401
    assert anonymous.headers["Content-Type"] == "application/problem+json"
    assert anonymous.headers["WWW-Authenticate"].startswith("Bearer")

    app = api(arbiter, "POST", "/api/applications", admin, json={"name": "Billing", "key": "billing"})
    assert app.status_code == 201, app.text
    app_id = app.json()["id"]
    assert app.headers["Location"] == f"/api/applications/{app_id}"
    assert app.json()["key"] == "billing"

    env = api(arbiter, "POST", f"/api/applications/{app_id}/environments", admin, json={"kind": "production"})
    assert env.status_code == 201, env.text

    created = api(arbiter, "POST", f"/api/applications/{app_id}/clients", admin, json={
        "name": "Billing sync", "purpose": "automation", "scopes": ["arbiter.api", "tenant_context"],
        "environmentId": env.json()["id"]})
    assert created.status_code == 201, created.text
    client_id, secret = created.json()["clientId"], created.json()["clientSecret"]
    assert created.headers["Location"] == f"/api/applications/{app_id}/clients/{client_id}"
    fetched = api(arbiter, "GET", f"/api/applications/{app_id}/clients/{client_id}", admin)
    assert fetched.status_code == 200 and "clientSecret" not in fetched.json() and secret not in fetched.text

    token = client_credentials(arbiter, "acme", client_id, secret)
    claims = verify(arbiter, "acme", token["access_token"])
    assert claims["sub"] == client_id and claims["client_id"] == client_id
    assert claims["tenant_id"] == tenant_id
    assert claims["scope"] == "arbiter.api tenant_context"

    # The client's token is a valid arbiter.api token, but clients get no management rights.
    machine = api(arbiter, "GET", "/api/applications", token["access_token"])
    assert machine.status_code == 403 and machine.json()["type"].endswith(":forbidden")

    # Another tenant's administrator cannot see or touch any of it.
    for method, path in [("GET", f"/api/applications/{app_id}"),
                         ("DELETE", f"/api/applications/{app_id}/clients/{client_id}"),
                         ("POST", f"/api/applications/{app_id}/clients/{client_id}/secrets")]:
        refused = api(arbiter, method, path, other_admin, json={} if method == "POST" else None)
        assert refused.status_code == 404, (method, path, refused.text)
    assert client_credentials(arbiter, "acme", client_id, secret)["access_token"]

    # Rotation with a grace period: old and new secrets both work for now.
    rotated = api(arbiter, "POST", f"/api/applications/{app_id}/clients/{client_id}/secrets", admin,
                  json={"gracePeriodSeconds": 3600})
    assert rotated.status_code == 200, rotated.text
    new_secret = rotated.json()["clientSecret"]
    assert new_secret != secret
    assert client_credentials(arbiter, "acme", client_id, secret)["access_token"]
    assert client_credentials(arbiter, "acme", client_id, new_secret)["access_token"]

    # The developer plan allows three applications.
    for name in ["Two", "Three"]:
        assert api(arbiter, "POST", "/api/applications", admin, json={"name": name}).status_code == 201
    over = api(arbiter, "POST", "/api/applications", admin, json={"name": "Four"})
    assert over.status_code == 409
    assert over.json()["type"].endswith(":quota-exceeded") and "maxApplications" in over.json()["detail"]

    # Deleting the client stops its credentials at once.
    assert api(arbiter, "DELETE", f"/api/applications/{app_id}/clients/{client_id}", admin).status_code == 204
    with pytest.raises(OAuthError) as refused:
        client_credentials(arbiter, "acme", client_id, new_secret)
    assert refused.value.error == "invalid_client"


def test_validation_errors_are_problem_details_with_fields(arbiter):
    register(arbiter, "acme")
    admin = admin_token(arbiter, "acme")
    app_id = api(arbiter, "POST", "/api/applications", admin, json={"name": "Web"}).json()["id"]
    bad = api(arbiter, "POST", f"/api/applications/{app_id}/clients", admin, json={
        "name": "SPA", "purpose": "interactive_web", "scopes": ["openid", "arbiter.scim.admin"],
        "redirectUris": ["http://evil.example.com/cb#x"], "tenantId": "ten_other"})
    assert bad.status_code == 400
    assert bad.headers["Content-Type"] == "application/problem+json"
    assert {error["field"] for error in bad.json()["errors"]} == {"tenantId"}
    bad = api(arbiter, "POST", f"/api/applications/{app_id}/clients", admin, json={
        "name": "SPA", "purpose": "interactive_web", "scopes": ["openid", "arbiter.scim.admin"],
        "redirectUris": ["http://evil.example.com/cb#x"]})
    assert bad.status_code == 400
    assert {error["field"] for error in bad.json()["errors"]} == {"scopes", "redirectUris"}
    listed = api(arbiter, "GET", f"/api/applications/{app_id}/clients", admin)
    assert listed.status_code == 200 and listed.json()["items"] == []
