"""An Okta-style SCIM sequence against the real binary: an administrator makes an OIDC
enterprise connection with JIT defaults and rotates its SCIM token; the "IdP" creates a
user, creates a group, adds the user to it and finally patches the user inactive, the way
Okta's SCIM client does (PATCH with and without paths, `members[value eq "…"]`). A tenant
policy bundle allows `deploy` to members of that group, and `check` answers exactly as the
policy says after every step — with nothing else done in between. Another connection's token
gets 404 for this connection."""


import requests

from admin_api import admin_token, api, operator, register

SCIM_JSON = "application/scim+json"
USER_URN = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_URN = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_URN = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def connection(server, admin, organization_id, name="Okta"):
    created = api(server, "POST", "/api/enterprise/connections", admin, json={
        "type": "oidc", "name": name, "providerKey": "okta",
        "oidc": {"issuer": "https://acme.okta.example", "clientId": "0oa-acme", "scopes": ["openid", "email"]},
        "jit": {"organizationId": organization_id, "roles": ["member"]},
    })
    assert created.status_code == 201, created.text
    connection_id = created.json()["id"]
    rotated = api(server, "POST", f"/api/enterprise/connections/{connection_id}/scim-token", admin)
    assert rotated.status_code in (200, 201), rotated.text
    token = rotated.json()["token"]
    assert token.startswith("scim_")
    return connection_id, token


class SCIM:
    def __init__(self, server, connection_id, token):
        self.base = f"{server.url}/scim/v2/enterprise-connections/{connection_id}"
        self.token = token

    def __call__(self, method, path, body=None, token=None):
        headers = {"Authorization": "Bearer " + (token or self.token), "Accept": SCIM_JSON}
        data = None
        if body is not None:
            headers["Content-Type"] = SCIM_JSON
            import json
            data = json.dumps(body)
        response = requests.request(method, self.base + path, headers=headers, data=data)
        if response.content:
            assert response.headers["Content-Type"].startswith(SCIM_JSON), response.headers
        return response


def test_okta_sequence_changes_checks_as_the_policy_says(arbiter):
    registered = register(arbiter, "acme")
    admin = admin_token(arbiter, "acme")
    connection_id, token = connection(arbiter, admin, registered["organizationId"])
    other_id, other_token = connection(arbiter, admin, registered["organizationId"], name="Entra")
    scim = SCIM(arbiter, connection_id, token)

    out = operator(arbiter, "create-client", "--tenant", "acme", "--name", "Backend", "--purpose", "automation",
                   "--scopes", "arbiter.runtime.check")
    issued = requests.post(f"{arbiter.url}/t/acme/connect/token", data={
        "grant_type": "client_credentials", "client_id": out["client_id"], "client_secret": out["client_secret"],
        "scope": "arbiter.runtime.check"})
    assert issued.status_code == 200, issued.text
    checker = issued.json()["access_token"]

    def decision(user_id):
        answer = api(arbiter, "POST", "/api/runtime/authorization/check", checker, json={
            "action": "deploy", "principal": {"type": "User", "id": user_id}})
        assert answer.status_code == 200, answer.text
        return answer.json()["allowed"], answer.json()["reasons"]

    # 1. Okta creates two users (it looks them up by userName first).
    assert scim("GET", '/Users?filter=userName eq "ada@acme.example"&startIndex=1&count=100').json()["totalResults"] == 0
    ada = scim("POST", "/Users", {
        "schemas": [USER_URN], "userName": "ada@acme.example", "name": {"givenName": "Ada", "familyName": "Lovelace"},
        "emails": [{"primary": True, "value": "ada@acme.example", "type": "work"}], "displayName": "Ada Lovelace",
        "locale": "en-US", "externalId": "00u1ada", "groups": [], "password": "ignored-1234", "active": True})
    assert ada.status_code == 201, ada.text
    ada_id = ada.json()["id"]
    assert "password" not in ada.json()
    bob = scim("POST", "/Users", {
        "schemas": [USER_URN], "userName": "bob@acme.example", "name": {"givenName": "Bob", "familyName": "Babbage"},
        "emails": [{"primary": True, "value": "bob@acme.example", "type": "work"}], "active": True})
    assert bob.status_code == 201, bob.text
    bob_id = bob.json()["id"]
    duplicate = scim("POST", "/Users", {"schemas": [USER_URN], "userName": "ADA@acme.example"})
    assert duplicate.status_code == 409 and duplicate.json()["scimType"] == "uniqueness", duplicate.text
    found = scim("GET", '/Users?filter=userName eq "ada@acme.example"')
    assert [r["id"] for r in found.json()["Resources"]] == [ada_id], found.text

    # 2. Okta pushes a group (empty at first), and the tenant's policy names it.
    group = scim("POST", "/Groups", {"schemas": [GROUP_URN], "displayName": "Engineering", "members": []})
    assert group.status_code == 201, group.text
    group_id = group.json()["id"]
    bundle = api(arbiter, "PUT", "/api/runtime/policies", admin, json={"files": {"deploy.yaml": f"""kind: policy
id: deploy
rules:
  - id: engineering-deploys
    effect: allow
    principal: User
    actions: [deploy]
    when: principal in Group::"{group_id}"
"""}})
    assert bundle.status_code == 201, bundle.text
    assert decision(ada_id) == (False, [])
    assert decision(bob_id) == (False, [])

    # 3. Okta adds both members; the checks flip with nothing else done.
    added = scim("PATCH", f"/Groups/{group_id}", {"schemas": [PATCH_URN], "Operations": [
        {"op": "add", "path": "members", "value": [{"value": ada_id, "display": "ada@acme.example"},
                                                   {"value": bob_id, "display": "bob@acme.example"}]}]})
    assert added.status_code == 200, added.text
    assert sorted(m["value"] for m in added.json()["members"]) == sorted([ada_id, bob_id])
    assert decision(ada_id) == (True, ["engineering-deploys"])
    assert decision(bob_id) == (True, ["engineering-deploys"])

    # Okta removes one member with a value filter.
    removed = scim("PATCH", f"/Groups/{group_id}", {"schemas": [PATCH_URN], "Operations": [
        {"op": "remove", "path": f'members[value eq "{bob_id}"]'}]})
    assert removed.status_code == 200, removed.text
    assert [m["value"] for m in removed.json()["members"]] == [ada_id]
    assert decision(bob_id) == (False, [])
    assert decision(ada_id) == (True, ["engineering-deploys"])

    # 4. Okta deactivates Ada (PATCH replace without a path): the built-in rule denies at once.
    inactive = scim("PATCH", f"/Users/{ada_id}", {"schemas": [PATCH_URN], "Operations": [
        {"op": "replace", "value": {"active": False}}]})
    assert inactive.status_code == 200, inactive.text
    assert inactive.json()["active"] is False
    assert decision(ada_id) == (False, ["inactive-users-are-denied"])
    listed = scim("GET", "/Users?filter=active eq false")
    assert [r["id"] for r in listed.json()["Resources"]] == [ada_id]

    # Another connection's token reaches none of it.
    assert scim("GET", f"/Users/{ada_id}", token=other_token).status_code == 404
    assert scim("PATCH", f"/Groups/{group_id}", {"schemas": [PATCH_URN], "Operations": [
        {"op": "add", "path": "members", "value": [{"value": bob_id}]}]}, token=other_token).status_code == 404
    other = SCIM(arbiter, other_id, other_token)
    assert other("GET", f"/Users/{ada_id}").status_code == 404
    assert other("GET", "/Users").json()["totalResults"] == 0
    assert scim("GET", "/Users", token="scim_not-a-real-token").status_code == 401
    assert decision(bob_id) == (False, [])
