"""OIDC/OAuth first slice against the real binary, with stock client libraries:
Authlib drives discovery, the client-credentials grant (client_secret_basic and
client_secret_post) and introspection; PyJWT verifies token signatures against the
tenant's JWKS on its own. Key rotation is done by the operator CLI on the live data dir."""

import json
import subprocess
import time

import jwt
import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session

from conftest import arbiter_binary

PASSWORD = "ChangeThisPassword123!"


def register(server, slug):
    created = requests.post(server.url + "/api/tenancy/tenant-registrations", json={
        "tenantName": slug.title(), "tenantSlug": slug, "userName": "admin",
        "email": f"admin@{slug}.example", "password": PASSWORD, "planCode": "developer",
    })
    assert created.status_code == 201, created.text
    return created.json()["tenantId"]


def admin(server, *args):
    result = subprocess.run(
        [str(arbiter_binary()), "admin", *args, "--data-dir", str(server.data_dir)],
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return dict(line.split(": ", 1) for line in result.stdout.strip().splitlines())


def create_client(server, slug, scopes="arbiter.api tenant_context", purpose="automation"):
    out = admin(server, "create-client", "--tenant", slug, "--name", "Billing sync",
                "--purpose", purpose, "--scopes", scopes)
    assert out["client_id"].startswith("cli_")
    assert len(out["client_secret"]) == 43
    return out["client_id"], out["client_secret"]


@pytest.fixture
def tenant(arbiter):
    tenant_id = register(arbiter, "acme")
    client_id, secret = create_client(arbiter, "acme")
    issuer = f"{arbiter.url}/t/acme"
    return dict(server=arbiter, tenant_id=tenant_id, client_id=client_id, secret=secret, issuer=issuer)


def discover(issuer):
    response = requests.get(issuer + "/.well-known/openid-configuration")
    assert response.status_code == 200
    metadata = response.json()
    assert metadata["issuer"] == issuer
    return metadata


def verify(token, metadata):
    """PyJWT, independently of the server: signature from the JWKS by kid, iss, aud, exp."""
    signing_key = jwt.PyJWKClient(metadata["jwks_uri"], cache_keys=False).get_signing_key_from_jwt(token)
    return jwt.decode(
        token, signing_key.key, algorithms=["ES256"], issuer=metadata["issuer"],
        audience=metadata["issuer"].rsplit("/t/", 1)[0],
        options={"require": ["exp", "iat", "iss", "sub", "aud", "jti"]})


def test_discovery_lists_what_is_implemented(tenant):
    metadata = discover(tenant["issuer"])
    assert set(metadata["grant_types_supported"]) == {
        "authorization_code", "refresh_token", "client_credentials",
        "urn:ietf:params:oauth:grant-type:device_code"}
    assert metadata["token_endpoint"] == tenant["issuer"] + "/connect/token"
    assert metadata["jwks_uri"] == tenant["issuer"] + "/.well-known/jwks.json"
    assert set(metadata["token_endpoint_auth_methods_supported"]) == {
        "client_secret_basic", "client_secret_post", "none", "tls_client_auth", "self_signed_tls_client_auth"}
    assert "tenant_context" in metadata["scopes_supported"]
    jwks = requests.get(metadata["jwks_uri"]).json()
    assert [k["alg"] for k in jwks["keys"]] == ["ES256"]
    assert all("d" not in k for k in jwks["keys"])
    # The global route names its tenant; without one it says where to look.
    assert requests.get(tenant["server"].url + "/.well-known/openid-configuration?tenant=acme").json() == metadata
    assert requests.get(tenant["server"].url + "/.well-known/openid-configuration").status_code == 400


@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post"])
def test_client_credentials_with_authlib_verified_by_pyjwt(tenant, method):
    metadata = discover(tenant["issuer"])
    session = OAuth2Session(tenant["client_id"], tenant["secret"], token_endpoint_auth_method=method)
    token = session.fetch_token(metadata["token_endpoint"], grant_type="client_credentials")
    assert token["token_type"] == "Bearer"
    assert token["expires_in"] == 3600
    assert token["scope"] == "arbiter.api tenant_context"

    header = jwt.get_unverified_header(token["access_token"])
    assert header["typ"] == "at+jwt" and header["alg"] == "ES256"
    claims = verify(token["access_token"], metadata)
    assert claims["client_id"] == tenant["client_id"] == claims["sub"]
    assert claims["tenant_id"] == tenant["tenant_id"]
    assert claims["scope"] == "arbiter.api tenant_context"
    assert claims["exp"] - claims["iat"] == 3600

    introspection = session.introspect_token(metadata["introspection_endpoint"], token=token["access_token"]).json()
    assert introspection["active"] is True
    assert introspection["client_id"] == tenant["client_id"]
    assert introspection["tenant_id"] == tenant["tenant_id"]
    assert introspection["iss"] == tenant["issuer"]


def test_token_errors_are_rfc6749_objects(tenant):
    metadata = discover(tenant["issuer"])
    bad = requests.post(metadata["token_endpoint"], data={"grant_type": "client_credentials"},
                        auth=(tenant["client_id"], "wrong"))
    assert bad.status_code == 401
    assert bad.json()["error"] == "invalid_client"
    assert bad.headers["WWW-Authenticate"].startswith("Basic")
    assert bad.headers["Cache-Control"] == "no-store"
    scope = requests.post(metadata["token_endpoint"], data={"grant_type": "client_credentials", "scope": "arbiter.scim.admin"},
                          auth=(tenant["client_id"], tenant["secret"]))
    assert scope.status_code == 400 and scope.json()["error"] == "invalid_scope"
    grant = requests.post(metadata["token_endpoint"], data={"grant_type": "password"}, auth=(tenant["client_id"], tenant["secret"]))
    assert grant.json()["error"] == "unsupported_grant_type"
    assert grant.headers["Content-Type"] == "application/json"


def test_other_tenants_tokens_are_inactive(tenant):
    server = tenant["server"]
    register(server, "other-co")
    other_id, other_secret = create_client(server, "other-co")
    theirs = OAuth2Session(other_id, other_secret).fetch_token(
        server.url + "/connect/token", grant_type="client_credentials")["access_token"]
    assert jwt.decode(theirs, options={"verify_signature": False})["iss"] == server.url + "/t/other-co"
    mine = OAuth2Session(tenant["client_id"], tenant["secret"])
    answer = mine.introspect_token(tenant["issuer"] + "/connect/introspect", token=theirs).json()
    assert answer == {"active": False}


def test_rotation_keeps_old_tokens_verifiable_and_signs_new_ones_with_the_new_key(tenant):
    metadata = discover(tenant["issuer"])
    session = OAuth2Session(tenant["client_id"], tenant["secret"])
    old = session.fetch_token(metadata["token_endpoint"], grant_type="client_credentials")["access_token"]
    old_kid = jwt.get_unverified_header(old)["kid"]

    rotated = admin(tenant["server"], "rotate-keys", "--tenant", "acme")
    new_kid = rotated["active kid"]
    assert new_kid != old_kid

    kids = [k["kid"] for k in requests.get(metadata["jwks_uri"]).json()["keys"]]
    assert set(kids) == {old_kid, new_kid}
    new = session.fetch_token(metadata["token_endpoint"], grant_type="client_credentials")["access_token"]
    assert jwt.get_unverified_header(new)["kid"] == new_kid
    assert verify(old, metadata)["client_id"] == tenant["client_id"]
    assert verify(new, metadata)["client_id"] == tenant["client_id"]
    for token in (old, new):
        assert session.introspect_token(metadata["introspection_endpoint"], token=token).json()["active"] is True


def test_secret_rotation_with_grace_period(tenant):
    metadata = discover(tenant["issuer"])
    rotated = admin(tenant["server"], "rotate-client-secret", "--tenant", "acme",
                    "--client-id", tenant["client_id"], "--grace-period", "2")
    for secret in (tenant["secret"], rotated["client_secret"]):
        OAuth2Session(tenant["client_id"], secret).fetch_token(metadata["token_endpoint"], grant_type="client_credentials")
    time.sleep(2.5)
    with pytest.raises(Exception):
        OAuth2Session(tenant["client_id"], tenant["secret"]).fetch_token(metadata["token_endpoint"], grant_type="client_credentials")
    OAuth2Session(tenant["client_id"], rotated["client_secret"]).fetch_token(metadata["token_endpoint"], grant_type="client_credentials")


def test_operator_cli_refuses_unknown_scopes(tenant):
    result = subprocess.run(
        [str(arbiter_binary()), "admin", "create-client", "--data-dir", str(tenant["server"].data_dir), "--tenant", "acme",
         "--name", "x", "--purpose", "automation", "--scopes", "openid made.up"],
        capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "made.up" in result.stderr and "openid" in result.stderr


def test_clients_made_by_the_operator_are_in_the_policy_graph(tenant):
    """`arbiter admin create-client` writes the Client entity in the same transaction as
    the client, as the management API does, so checks can name it as a principal."""
    exported = subprocess.run(
        [str(arbiter_binary()), "graph", "export", "--tenant", "acme", "--data-dir", str(tenant["server"].data_dir)],
        capture_output=True, text=True, timeout=60)
    assert exported.returncode == 0, exported.stderr
    entities = json.loads(exported.stdout)
    clients = [e for e in entities if e["uid"]["type"] == "Client" and e["uid"]["id"] == tenant["client_id"]]
    assert len(clients) == 1, [e["uid"] for e in entities]
    assert set(clients[0]["attrs"]["scopes"]) == {"arbiter.api", "tenant_context"}
