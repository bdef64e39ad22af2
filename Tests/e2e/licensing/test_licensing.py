"""Licensing against the real binary: the operator makes a manifest_publisher client with
`arbiter admin create-client`, the client gets a token with HTTP Basic (Authlib) and
publishes its application's feature manifest (republishing is a no-op); another tenant's
administrator (device-flow token) installs the product, subscribes, assigns a seat and
reads the entitlements; seat over-assignment is a 409 problem; the publisher's tenant
cannot reach the consumer's subscription (404)."""


import requests
from authlib.integrations.requests_client import OAuth2Session

from admin_api import admin_token, api, operator, register

MANIFEST = {
    "version": "1.0.0",
    "features": [
        {"key": "reports", "name": "Reports", "actions": ["export"], "roles": ["administrator"], "seatRequired": True},
        {"key": "contacts", "name": "Contacts", "actions": ["list"]},
    ],
}


def test_publish_install_subscribe_and_seats(arbiter):
    register(arbiter, "acme")
    globex = register(arbiter, "globex")
    acme_admin = admin_token(arbiter, "acme")
    globex_admin = admin_token(arbiter, "globex")

    app = api(arbiter, "POST", "/api/applications", acme_admin,
              json={"name": "CRM", "key": "crm", "externalConsumption": True})
    assert app.status_code == 201, app.text
    out = operator(arbiter, "create-client", "--tenant", "acme", "--name", "CRM publisher",
                   "--purpose", "manifest_publisher", "--scopes", "arbiter.manifest.publish",
                   "--application", app.json()["id"])
    session = OAuth2Session(out["client_id"], out["client_secret"], token_endpoint_auth_method="client_secret_basic",
                            scope="arbiter.manifest.publish")
    publisher = session.fetch_token(f"{arbiter.url}/t/acme/connect/token", grant_type="client_credentials")["access_token"]
    # The secret in the body is refused for a manifest publisher: HTTP Basic only.
    post = requests.post(f"{arbiter.url}/t/acme/connect/token", data={
        "grant_type": "client_credentials", "client_id": out["client_id"], "client_secret": out["client_secret"]})
    assert post.status_code == 401, post.text

    first = api(arbiter, "POST", "/api/runtime/manifests", publisher, json=MANIFEST)
    assert first.status_code == 201, first.text
    assert first.json()["productKey"] == "acme.crm" and first.json()["version"] == 1
    again = api(arbiter, "POST", "/api/runtime/manifests", publisher, json=MANIFEST)
    assert again.status_code == 200 and again.json()["version"] == 1 and again.json()["changed"] is False
    # An administrator's token is not a publisher's.
    assert api(arbiter, "POST", "/api/runtime/manifests", acme_admin, json=MANIFEST).status_code == 403

    catalog = api(arbiter, "GET", "/api/marketplace/catalog", globex_admin)
    assert catalog.status_code == 200, catalog.text
    assert [p["productKey"] for p in catalog.json()["items"]] == ["acme.crm"]

    installed = api(arbiter, "POST", "/api/marketplace/installations", globex_admin, json={"productKey": "acme.crm"})
    assert installed.status_code == 201, installed.text
    none = api(arbiter, "POST", "/api/licensing/subscriptions", globex_admin, json={"productKey": "acme.crm", "seats": 0})
    assert none.status_code == 201, none.text
    subscription_id = none.json()["id"]
    user_id = globex["administratorUserId"]

    over = api(arbiter, "POST", "/api/licensing/seat-assignments", globex_admin,
               json={"subscriptionId": subscription_id, "userId": user_id})
    assert over.status_code == 409
    assert over.headers["Content-Type"] == "application/problem+json"
    assert over.json()["type"].endswith("no-seats-left")

    grown = api(arbiter, "PATCH", f"/api/licensing/subscriptions/{subscription_id}", globex_admin, json={"seats": 1})
    assert grown.status_code == 200 and grown.json()["seats"] == 1
    seat = api(arbiter, "POST", "/api/licensing/seat-assignments", globex_admin,
               json={"subscriptionId": subscription_id, "userId": user_id})
    assert seat.status_code == 201, seat.text
    twice = api(arbiter, "POST", "/api/licensing/seat-assignments", globex_admin,
                json={"subscriptionId": subscription_id, "userId": user_id})
    assert twice.status_code == 409 and twice.json()["type"].endswith("seat-already-assigned")
    shrink = api(arbiter, "PATCH", f"/api/licensing/subscriptions/{subscription_id}", globex_admin, json={"seats": 0})
    assert shrink.status_code == 409

    entitlements = api(arbiter, "GET", "/api/licensing/entitlements", globex_admin).json()
    assert sorted(e["featureId"] for e in entitlements["items"]) == ["acme.crm/contacts", "acme.crm/reports"]
    assert entitlements["seats"] == [{"productKey": "acme.crm", "subscriptionId": subscription_id, "seats": 1, "assigned": 1}]

    # The publisher's administrator cannot see or change the consumer's subscription.
    assert api(arbiter, "GET", f"/api/licensing/subscriptions/{subscription_id}", acme_admin).status_code == 404
    assert api(arbiter, "PATCH", f"/api/licensing/subscriptions/{subscription_id}", acme_admin,
               json={"status": "cancelled"}).status_code == 404
    after = api(arbiter, "GET", f"/api/licensing/subscriptions/{subscription_id}", globex_admin).json()
    assert after["status"] == "active" and after["seats"] == 1 and after["assignedSeats"] == 1
