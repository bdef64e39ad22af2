"""RFC 8705 against the real binary over real TLS: `arbiter serve --tls-cert --tls-key
--client-ca` with a throwaway PKI made by openssl; Authlib obtains certificate-bound
tokens with tls_client_auth and self_signed_tls_client_auth at the mTLS alias of the
token endpoint; PyJWT verifies them against the JWKS; a bound token is refused without
its certificate; a request without one is refused at the mTLS endpoint."""

import base64
import hashlib
import socket
import ssl
import subprocess
import urllib.parse

import jwt
import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from conftest import REPO, ArbiterProcess, arbiter_binary

PASSWORD = "ChangeThisPassword123!"


def openssl(*args, cwd):
    result = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def make_ca(directory, name):
    openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", f"{name}.key", cwd=directory)
    openssl("req", "-x509", "-new", "-key", f"{name}.key", "-sha256", "-days", "2", "-subj", f"/O=Arbiter e2e/CN={name}",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            "-out", f"{name}.crt", cwd=directory)


def issue(directory, ca, name, subject, extensions):
    openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", f"{name}.key", cwd=directory)
    openssl("req", "-new", "-key", f"{name}.key", "-subj", subject, "-out", f"{name}.csr", cwd=directory)
    (directory / f"{name}.ext").write_text(extensions)
    openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.crt", "-CAkey", f"{ca}.key", "-CAcreateserial",
            "-days", "2", "-sha256", "-extfile", f"{name}.ext", "-out", f"{name}.crt", cwd=directory)


def self_signed(directory, name, subject):
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", f"{name}.key",
            "-sha256", "-days", "2", "-subj", subject, "-addext", "basicConstraints=CA:FALSE", "-out", f"{name}.crt",
            cwd=directory)


def thumbprint(cert_path):
    """x5t#S256: base64url SHA-256 of the certificate's DER bytes."""
    der = x509.load_pem_x509_certificate(cert_path.read_bytes()).public_bytes(serialization.Encoding.DER)
    return base64.urlsafe_b64encode(hashlib.sha256(der).digest()).rstrip(b"=").decode()


@pytest.fixture
def pki(tmp_path):
    directory = tmp_path / "pki"
    directory.mkdir()
    make_ca(directory, "server-ca")
    make_ca(directory, "client-ca")
    issue(directory, "server-ca", "server", "/CN=127.0.0.1",
          "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
          "subjectAltName=IP:127.0.0.1\n")
    issue(directory, "client-ca", "client", "/O=Acme/CN=billing",
          "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n")
    self_signed(directory, "selfie", "/O=Acme/CN=selfie")
    # Same subject as the CA-issued client certificate, but self-signed.
    self_signed(directory, "impostor", "/O=Acme/CN=billing")
    return directory


@pytest.fixture
def server(tmp_path, pki):
    process = ArbiterProcess(
        tmp_path / "data", scheme="https", verify=str(pki / "server-ca.crt"),
        extra_args=["--tls-cert", str(pki / "server.crt"), "--tls-key", str(pki / "server.key"),
                    "--client-ca", str(pki / "client-ca.crt")]).start()
    yield process
    if process.process.poll() is None:
        process.kill()


def admin(server, *args):
    result = subprocess.run(
        [str(arbiter_binary()), "admin", *args, "--data-dir", str(server.data_dir)],
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return dict(line.split(": ", 1) for line in result.stdout.strip().splitlines())


@pytest.fixture
def tenant(server, pki):
    ca = str(pki / "server-ca.crt")
    created = requests.post(server.url + "/api/tenancy/tenant-registrations", verify=ca, json={
        "tenantName": "Acme", "tenantSlug": "acme", "userName": "admin", "email": "admin@acme.example",
        "password": PASSWORD, "planCode": "developer",
    })
    assert created.status_code == 201, created.text
    issuer = f"{server.url}/t/acme"
    metadata = requests.get(issuer + "/.well-known/openid-configuration", verify=ca).json()
    return dict(server=server, ca=ca, issuer=issuer, metadata=metadata, tenant_id=created.json()["tenantId"])


def add_client_id(client, method, uri, headers, body):
    """RFC 8705 §2: an mTLS client sends only its client_id; the TLS layer carries the proof."""
    from authlib.common.urls import add_params_to_qs
    body = add_params_to_qs(body or "", [("client_id", client.client_id)])
    if "Content-Length" in headers:
        headers["Content-Length"] = str(len(body))
    return uri, headers, body


def mtls_session(client_id, method, cert, key, ca):
    # trust_env=False: otherwise REQUESTS_CA_BUNDLE in the environment replaces verify=ca.
    session = OAuth2Session(client_id, token_endpoint_auth_method=method, cert=(str(cert), str(key)), verify=ca,
                            trust_env=False)
    session.register_client_auth_method((method, add_client_id))
    return session


def verify_jwt(token, tenant):
    jwks = requests.get(tenant["metadata"]["jwks_uri"], verify=tenant["ca"]).json()
    kid = jwt.get_unverified_header(token)["kid"]
    key = next(k for k in jwt.PyJWKSet.from_dict(jwks).keys if k.key_id == kid)
    return jwt.decode(token, key.key, algorithms=["ES256"], issuer=tenant["issuer"],
                      audience=tenant["issuer"].rsplit("/t/", 1)[0],
                      options={"require": ["exp", "iat", "iss", "sub", "aud", "jti"]})


def test_discovery_over_https_advertises_the_mtls_alias(tenant):
    metadata = tenant["metadata"]
    assert metadata["issuer"] == tenant["issuer"] and tenant["issuer"].startswith("https://")
    assert metadata["mtls_endpoint_aliases"]["token_endpoint"] == tenant["issuer"] + "/connect/mtls/token"
    assert metadata["tls_client_certificate_bound_access_tokens"] is True
    assert {"tls_client_auth", "self_signed_tls_client_auth"} <= set(metadata["token_endpoint_auth_methods_supported"])


def test_tls_client_auth_token_is_bound_to_the_certificate(tenant, pki):
    out = admin(tenant["server"], "create-client", "--tenant", "acme", "--name", "Billing mTLS", "--purpose", "automation",
                "--scopes", "arbiter.api tenant_context", "--tls-subject-dn", "CN=billing,O=Acme")
    assert "client_secret" not in out
    client_id = out["client_id"]
    endpoint = tenant["metadata"]["mtls_endpoint_aliases"]["token_endpoint"]

    session = mtls_session(client_id, "tls_client_auth", pki / "client.crt", pki / "client.key", tenant["ca"])
    token = session.fetch_token(endpoint, grant_type="client_credentials")
    assert token["token_type"] == "Bearer"
    claims = verify_jwt(token["access_token"], tenant)
    assert claims["client_id"] == client_id and claims["tenant_id"] == tenant["tenant_id"]
    assert claims["cnf"] == {"x5t#S256": thumbprint(pki / "client.crt")}

    introspect = tenant["issuer"] + "/connect/introspect"
    bearer = {"Authorization": "Bearer " + token["access_token"]}
    # With the certificate it is bound to, the token works at a bearer route …
    ok = requests.post(introspect, headers=bearer, data={"token": token["access_token"]}, verify=tenant["ca"],
                       cert=(str(pki / "client.crt"), str(pki / "client.key")))
    assert ok.status_code == 200, ok.text
    assert ok.json()["active"] is True
    assert ok.json()["cnf"]["x5t#S256"] == claims["cnf"]["x5t#S256"]
    # … and without it, or with another certificate, it is refused.
    stolen = requests.post(introspect, headers=bearer, data={"token": token["access_token"]}, verify=tenant["ca"])
    assert stolen.status_code == 401
    assert stolen.json()["error"] == "invalid_token"
    assert stolen.headers["WWW-Authenticate"].startswith("Bearer")
    other = requests.post(introspect, headers=bearer, data={"token": token["access_token"]}, verify=tenant["ca"],
                          cert=(str(pki / "selfie.crt"), str(pki / "selfie.key")))
    assert other.status_code == 401

    # A self-signed certificate with the same subject did not come from the client CA.
    impostor = requests.post(endpoint, data={"grant_type": "client_credentials", "client_id": client_id},
                             verify=tenant["ca"], cert=(str(pki / "impostor.crt"), str(pki / "impostor.key")))
    assert impostor.status_code == 401 and impostor.json()["error"] == "invalid_client"


def test_self_signed_tls_client_auth(tenant, pki):
    fingerprint = openssl("x509", "-in", "selfie.crt", "-noout", "-fingerprint", "-sha256", cwd=pki).strip().split("=", 1)[1]
    out = admin(tenant["server"], "create-client", "--tenant", "acme", "--name", "Edge agent", "--purpose", "automation",
                "--scopes", "arbiter.api", "--tls-thumbprint", fingerprint)
    client_id = out["client_id"]
    endpoint = tenant["metadata"]["mtls_endpoint_aliases"]["token_endpoint"]
    session = mtls_session(client_id, "self_signed_tls_client_auth", pki / "selfie.crt", pki / "selfie.key", tenant["ca"])
    token = session.fetch_token(endpoint, grant_type="client_credentials")
    claims = verify_jwt(token["access_token"], tenant)
    assert claims["cnf"]["x5t#S256"] == thumbprint(pki / "selfie.crt")
    assert claims["scope"] == "arbiter.api"
    # Another certificate (even a CA-issued one) is not this client's.
    wrong = requests.post(endpoint, data={"grant_type": "client_credentials", "client_id": client_id},
                          verify=tenant["ca"], cert=(str(pki / "client.crt"), str(pki / "client.key")))
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"


def test_mtls_endpoint_without_a_certificate_is_refused(tenant, pki):
    out = admin(tenant["server"], "create-client", "--tenant", "acme", "--name", "Billing mTLS", "--purpose", "automation",
                "--scopes", "arbiter.api", "--tls-subject-dn", "CN=billing,O=Acme")
    endpoint = tenant["metadata"]["mtls_endpoint_aliases"]["token_endpoint"]
    response = requests.post(endpoint, data={"grant_type": "client_credentials", "client_id": out["client_id"]},
                             verify=tenant["ca"])
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert response.headers["Cache-Control"] == "no-store"

    # A forged forwarded-certificate header from a peer that is not a trusted proxy counts
    # for nothing, and the log says so without repeating the header.
    pem = (pki / "client.crt").read_text()
    forged = requests.post(endpoint, data={"grant_type": "client_credentials", "client_id": out["client_id"]},
                           headers={"X-SSL-Client-Cert": requests.utils.quote(pem)}, verify=tenant["ca"])
    assert forged.status_code == 401
    logs = tenant["server"].logs()
    assert "forwarded client certificate header ignored" in logs
    assert pem.splitlines()[1] not in logs

    # The plain token endpoint, over TLS with the certificate, authenticates the client too,
    # but its token is not bound.
    plain = requests.post(tenant["metadata"]["token_endpoint"],
                          data={"grant_type": "client_credentials", "client_id": out["client_id"]},
                          verify=tenant["ca"], cert=(str(pki / "client.crt"), str(pki / "client.key")))
    assert plain.status_code == 200, plain.text
    assert "cnf" not in verify_jwt(plain.json()["access_token"], tenant)


def raw_post(port, path, form, context, session=None):
    """One HTTP/1.1 POST on its own TLS connection, optionally resuming `session`."""
    body = urllib.parse.urlencode(form).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        with context.wrap_socket(sock, server_hostname="127.0.0.1", session=session) as tls:
            tls.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                        f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n\r\n".encode()
                        + body)
            response = b""
            while chunk := tls.recv(65536):
                response += chunk
            return int(response.split(b" ", 2)[1]), tls.session, tls.session_reused


def test_resumed_tls_session_still_authenticates_tls_client_auth(tenant, pki):
    """A resumed session skips certificate verification in the handshake; the client is
    still recognised as one from the client CA."""
    out = admin(tenant["server"], "create-client", "--tenant", "acme", "--name", "Billing mTLS", "--purpose", "automation",
                "--scopes", "arbiter.api", "--tls-subject-dn", "CN=billing,O=Acme")
    context = ssl.create_default_context(cafile=tenant["ca"])
    context.load_cert_chain(str(pki / "client.crt"), str(pki / "client.key"))
    form = {"grant_type": "client_credentials", "client_id": out["client_id"]}
    status, session, _ = raw_post(tenant["server"].port, "/t/acme/connect/mtls/token", form, context)
    assert status == 200
    status, _, reused = raw_post(tenant["server"].port, "/t/acme/connect/mtls/token", form, context, session=session)
    if not reused:
        pytest.skip("the server did not resume the TLS session")
    assert status == 200


def test_secret_clients_still_work_over_https_without_a_certificate(tenant):
    out = admin(tenant["server"], "create-client", "--tenant", "acme", "--name", "Billing sync", "--purpose", "automation",
                "--scopes", "arbiter.api")
    session = OAuth2Session(out["client_id"], out["client_secret"], verify=tenant["ca"], trust_env=False)
    token = session.fetch_token(tenant["metadata"]["token_endpoint"], grant_type="client_credentials")
    assert "cnf" not in verify_jwt(token["access_token"], tenant)


def test_bad_tls_files_stop_the_start(tmp_path, pki):
    result = subprocess.run(
        [str(arbiter_binary()), "serve", "--port", "0", "--data-dir", str(tmp_path / "data2"), "--policies", str(REPO / "Policies"),
         "--tls-cert", str(pki / "server.crt"), "--tls-key", str(pki / "client.key")],
        capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "client.key" in result.stderr
    missing = subprocess.run(
        [str(arbiter_binary()), "serve", "--port", "0", "--data-dir", str(tmp_path / "data3"), "--policies", str(REPO / "Policies"),
         "--tls-cert", str(pki / "nope.crt"), "--tls-key", str(pki / "server.key")],
        capture_output=True, text=True, timeout=60)
    assert missing.returncode != 0
    assert "nope.crt" in missing.stderr
