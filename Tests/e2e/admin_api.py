"""What end-to-end tests of the management API share: registering a tenant, an
administrator token from the device flow (as `arbiter login` gets it, with the browser
step done by requests), and bearer calls."""

import re

import requests

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


def admin_token(server, slug):
    """The device flow with the built-in arbiter-cli client, approved on /device."""
    issuer = f"{server.url}/t/{slug}"
    started = requests.post(issuer + "/connect/deviceauthorization",
                            data={"client_id": "arbiter-cli", "scope": "arbiter.api tenant_context"})
    assert started.status_code == 200, started.text
    codes = started.json()
    browser = requests.Session()
    page = browser.get(server.url + "/device", params={"user_code": codes["user_code"]})
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    approved = browser.post(server.url + "/device", data={
        "csrf_token": csrf, "user_code": codes["user_code"], "user_name": "admin", "password": PASSWORD,
        "action": "approve"})
    assert approved.status_code == 200, approved.text
    token = requests.post(issuer + "/connect/token", data={
        "grant_type": DEVICE_GRANT, "device_code": codes["device_code"], "client_id": "arbiter-cli"})
    assert token.status_code == 200, token.text
    return token.json()["access_token"]


def api(server, method, path, token=None, **kwargs):
    """A call to the server with an optional bearer token (other headers kept)."""
    headers = dict(kwargs.pop("headers", {}))
    if token:
        headers["Authorization"] = "Bearer " + token
    return requests.request(method, server.url + path, headers=headers, **kwargs)
