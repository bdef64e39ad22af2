"""The two third-party SCIM 2.0 conformance checkers from PyPI against the real binary:
`scim2-tester` (through its Python `check_server` API) and `scim-sanity` (its probe, strict
mode). A tenant is registered, an administrator makes an enterprise connection and rotates
its SCIM token through the management API, and both checkers run against
/scim/v2/enterprise-connections/{id} with that fresh token. Any ERROR or CRITICAL result of
scim2-tester, and any failed or errored probe of scim-sanity, fails the test; the pass/fail
counts are printed to the terminal either way (outside pytest's capture), so `make test`
shows them."""

import signal
from collections import Counter

import httpx2
import pytest
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server
from scim_sanity.probe.runner import run_probe_api

from admin_api import admin_token, api, register
from conftest import ArbiterProcess


@pytest.fixture(scope="module")
def scim_endpoint(tmp_path_factory):
    """A running server and one connection's SCIM base URL with a freshly rotated token."""
    server = ArbiterProcess(tmp_path_factory.mktemp("scim-conformance") / "data").start()
    try:
        registered = register(server, "conformance")
        admin = admin_token(server, "conformance")
        created = api(server, "POST", "/api/enterprise/connections", admin, json={
            "type": "oidc", "name": "Conformance IdP", "providerKey": "okta",
            "oidc": {"issuer": "https://idp.conformance.example", "clientId": "arbiter",
                     "scopes": ["openid", "email"]},
            "jit": {"organizationId": registered["organizationId"], "roles": ["member"]},
        })
        assert created.status_code == 201, created.text
        connection_id = created.json()["id"]
        # Rotate twice: the checkers must work with the newest token, and the first must be dead.
        first = api(server, "POST", f"/api/enterprise/connections/{connection_id}/scim-token", admin)
        assert first.status_code in (200, 201), first.text
        rotated = api(server, "POST", f"/api/enterprise/connections/{connection_id}/scim-token", admin)
        assert rotated.status_code in (200, 201), rotated.text
        token = rotated.json()["token"]
        base = f"{server.url}/scim/v2/enterprise-connections/{connection_id}"
        stale = httpx2.get(base + "/ServiceProviderConfig",
                           headers={"Authorization": "Bearer " + first.json()["token"]})
        assert stale.status_code == 401, stale.text
        yield base, token
    finally:
        if server.process.poll() is None:
            server.kill(signal.SIGTERM)


def describe(result) -> str:
    where = f"[{result.resource_type}] " if result.resource_type else ""
    return f"{result.status.name}: {where}{result.title}: {result.reason}"


def test_scim2_tester_check_server_finds_no_error(scim_endpoint, capsys):
    base, token = scim_endpoint
    with httpx2.Client(base_url=base + "/", headers={"Authorization": "Bearer " + token}, timeout=30) as http:
        results = check_server(SyncSCIMClient(http))
    counts = Counter(result.status.name for result in results)
    with capsys.disabled():
        print(f"\nscim2-tester: {len(results)} checks: " + ", ".join(f"{name} {n}" for name, n in sorted(counts.items())))
        for result in results:
            if result.status not in (Status.SUCCESS, Status.SKIPPED):
                print("  " + describe(result))
    failures = [describe(result) for result in results if result.status in (Status.ERROR, Status.CRITICAL)]
    # Discovery and CRUD must actually have run, not been skipped for lack of a description.
    assert counts["SUCCESS"] >= 20, counts
    assert not failures, f"{len(failures)} ERROR/CRITICAL of {len(results)}:\n" + "\n".join(failures)


def test_scim_sanity_probe_finds_no_failure(scim_endpoint, capsys):
    base, token = scim_endpoint
    report = run_probe_api(base, token=token, strict=True, timeout=30)
    results = report["results"]
    counts = Counter(result["status"] for result in results)
    failures = [f"{r['status'].upper()}: {r.get('phase', '')} / {r['name']}: {r.get('message', '')}"
                for r in results if r["status"] in ("fail", "error")]
    with capsys.disabled():
        print(f"\nscim-sanity {report.get('version')}: {len(results)} probes: "
              + ", ".join(f"{name} {n}" for name, n in sorted(counts.items())))
        for line in failures:
            print("  " + line)
    assert counts["pass"] >= 15, counts
    assert not failures and report["exit_code"] == 0, \
        f"{len(failures)} failed of {len(results)}:\n" + "\n".join(failures)
