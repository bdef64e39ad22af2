"""What end-to-end tests of the management API share: registering a tenant, tokens from the
device flow (as `arbiter login` gets them, with the browser step done by requests),
`arbiter admin` commands, and bearer calls."""

import re
import subprocess

import requests

from conftest import arbiter_binary

PASSWORD = "ChangeThisPassword123!"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


def register(server, slug):
    """Registers `slug` with the administrator `admin`; the registration's answer."""
    created = requests.post(server.url + "/api/tenancy/tenant-registrations", json={
        "tenantName": slug.title(), "tenantSlug": slug, "userName": "admin",
        "email": f"admin@{slug}.example", "password": PASSWORD, "planCode": "developer",
    })
    assert created.status_code == 201, created.text
    return created.json()


def device_flow(server, slug, client_id="arbiter-cli", scope="arbiter.api tenant_context", user="admin"):
    """The device flow of `client_id` (a public client), approved on /device by `user` as a
    browser would: GET the page, read the CSRF field, POST the credentials. The token
    response."""
    issuer = f"{server.url}/t/{slug}"
    started = requests.post(issuer + "/connect/deviceauthorization", data={"client_id": client_id, "scope": scope})
    assert started.status_code == 200, started.text
    codes = started.json()
    browser = requests.Session()
    page = browser.get(server.url + "/device", params={"user_code": codes["user_code"]})
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    approved = browser.post(server.url + "/device", data={
        "csrf_token": csrf, "user_code": codes["user_code"], "user_name": user, "password": PASSWORD,
        "action": "approve"})
    assert approved.status_code == 200, approved.text
    token = requests.post(issuer + "/connect/token", data={
        "grant_type": DEVICE_GRANT, "device_code": codes["device_code"], "client_id": client_id})
    assert token.status_code == 200, token.text
    return token.json()


def admin_token(server, slug):
    """An administrator's access token: the device flow with the built-in arbiter-cli client."""
    return device_flow(server, slug)["access_token"]


def operator(server, *args):
    """`arbiter admin ARGS` on the server's data directory (what an operator runs on the
    host); its `key: value` lines."""
    result = subprocess.run(
        [str(arbiter_binary()), "admin", *args, "--data-dir", str(server.data_dir)],
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return dict(line.split(": ", 1) for line in result.stdout.strip().splitlines())


def api(server, method, path, token=None, **kwargs):
    """A call to the server with an optional bearer token (other headers kept)."""
    headers = dict(kwargs.pop("headers", {}))
    if token:
        headers["Authorization"] = "Bearer " + token
    return requests.request(method, server.url + path, headers=headers, **kwargs)
