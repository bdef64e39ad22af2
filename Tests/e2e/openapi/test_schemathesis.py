"""Schemathesis (property-based API testing from the OpenAPI document) against a live
server with real credentials: every operation of the served /openapi.json gets a bounded
number of generated requests (its examples, the coverage phase's boundary and negative
values, then random ones), and the run fails on any 5xx, any response that breaks its
documented schema or content type, and any status code the document does not list.

Credentials are real: an administrator token (device flow, arbiter.api) for the
management API, a client-credentials token with arbiter.runtime.check for the Runtime
operations, the basic credentials of that client for the token endpoints, the SCIM token of
an enterprise connection for /scim/v2, and the tokens of a Shared Signals client, a manifest
publisher and a device agent for their routes. The tenant has an installed product with
seats and an approved device; path parameters naming the tenant, its organization, the
connection, the activation and the device are pinned to the real ones, so generated
requests get past "not found" and reach the routes' own validation."""

import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import time

import pytest
import requests

from admin_api import admin_token, api, device_flow, register
from conftest import arbiter_binary

HERE = pathlib.Path(__file__).resolve().parent
ARTIFACTS = HERE.parent / "artifacts" / "schemathesis"  # full output and NDJSON reports (git-ignored)
SEED = int(os.environ.get("ARBITER_SCHEMATHESIS_SEED", "20261129"))
# Per operation and phase. A longer hunt: ARBITER_SCHEMATHESIS_EXAMPLES=100 (the time bound scales).
MAX_EXAMPLES = int(os.environ.get("ARBITER_SCHEMATHESIS_EXAMPLES", "12"))
RUN_BUDGET_SECONDS = 150 * max(1, MAX_EXAMPLES // 12)  # per pass; at 12 the whole test takes ~100 s on 2 cores

CHECKS = "not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance"

# Operations that take a token with one of these scopes instead of arbiter.api, each run in
# a pass of its own with the token named here (see the credentials fixture).
CAPABILITY_TOKENS = {"arbiter.ssf.manage": "ssf", "arbiter.manifest.publish": "publisher",
                     "arbiter.devices.agent": "agent"}
AGENT_SCOPES = "openid offline_access tenant_context arbiter.devices.agent"

# No operation is left out. Those whose effect would break later ones run after them: the
# management pass, which may delete the clients, the enterprise connection or its SCIM token
# the other passes use (deleteApplication, deleteClient, deleteEnterpriseConnection,
# rotateScimToken), comes last. Browser pages (/device, /connect/authorize, endsession) are
# included: the document describes their forms and HTML answers.


def toml_string(value):
    return json.dumps(value)  # a JSON string literal is a valid TOML basic string


def cli(server, *args):
    result = subprocess.run([str(arbiter_binary()), "admin", *args, "--data-dir", str(server.data_dir)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return dict(line.split(": ", 1) for line in result.stdout.strip().splitlines() if ": " in line)


def client_token(server, slug, client, scope=None):
    data = {"grant_type": "client_credentials", **({"scope": scope} if scope else {})}
    issued = requests.post(f"{server.url}/t/{slug}/connect/token", auth=(client["client_id"], client["client_secret"]),
                           data=data)
    assert issued.status_code == 200, issued.text
    return issued.json()["access_token"]


@pytest.fixture
def credentials(arbiter):
    """Tenant acme with everything the operations act on: an administrator, a runtime client, an
    enterprise connection with a SCIM token, a Shared Signals client, an installed product
    (published by tenant vendor) with seats, and a device agent with an approved activation."""
    registered = register(arbiter, "acme")
    # With openid and profile, so userinfo's answers are real ones, not only 401/403.
    admin = device_flow(arbiter, "acme", scope="openid profile email arbiter.api tenant_context")["access_token"]

    client = cli(arbiter, "create-client", "--tenant", "acme", "--name", "Schemathesis", "--purpose", "automation",
                 "--scopes", "arbiter.runtime.check tenant_context")
    runtime = client_token(arbiter, "acme", client, "arbiter.runtime.check")

    connection = api(arbiter, "POST", "/api/enterprise/connections", admin, json={
        "type": "oidc", "name": "Okta", "providerKey": "okta",
        "oidc": {"issuer": "https://idp.example/oauth2", "clientId": "arbiter"}})
    assert connection.status_code == 201, connection.text
    connection_id = connection.json()["id"]
    scim = api(arbiter, "POST", f"/api/enterprise/connections/{connection_id}/scim-token", admin)
    assert scim.status_code == 200, scim.text

    receiver = cli(arbiter, "create-client", "--tenant", "acme", "--name", "Shared Signals receiver",
                   "--purpose", "automation", "--scopes", "arbiter.ssf.manage")
    ssf = client_token(arbiter, "acme", receiver, "arbiter.ssf.manage")

    # Tenant vendor publishes a product; acme installs it and buys seats.
    register(arbiter, "vendor")
    vendor_admin = admin_token(arbiter, "vendor")
    app = api(arbiter, "POST", "/api/applications", vendor_admin,
              json={"name": "Agent", "key": "agent", "externalConsumption": True})
    assert app.status_code == 201, app.text
    publisher_client = cli(arbiter, "create-client", "--tenant", "vendor", "--name", "Publisher",
                           "--purpose", "manifest_publisher", "--scopes", "arbiter.manifest.publish",
                           "--application", app.json()["id"])
    publisher = client_token(arbiter, "vendor", publisher_client)
    published = api(arbiter, "POST", "/api/runtime/manifests", publisher, json={
        "version": "1.0.0", "features": [{"key": "sync", "name": "Sync", "actions": ["run"]}]})
    assert published.status_code == 201, published.text
    product = published.json()["productKey"]
    assert api(arbiter, "POST", "/api/marketplace/installations", admin, json={"productKey": product}).status_code == 201
    assert api(arbiter, "POST", "/api/licensing/subscriptions", admin,
               json={"productKey": product, "seats": 5}).status_code == 201

    # A device agent (public device client, user token) with an activation the administrator approved.
    agent_client = cli(arbiter, "create-client", "--tenant", "acme", "--name", "Device agent", "--purpose", "device",
                       "--scopes", AGENT_SCOPES)
    agent = device_flow(arbiter, "acme", agent_client["client_id"], AGENT_SCOPES)["access_token"]
    activated = api(arbiter, "POST", "/api/devices/activations", agent, json={
        "productKey": product, "hardwareId": "SERIAL-0001", "platform": "linux", "displayName": "build-01",
        "publicKey": {"kty": "EC", "crv": "P-256", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
                      "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}})
    assert activated.status_code == 201, activated.text
    activation_id = activated.json()["activation"]["id"]
    approved = api(arbiter, "POST", f"/api/devices/activations/{activation_id}/approve", admin, json={"reason": "fixture"})
    assert approved.status_code == 200, approved.text

    return dict(admin=admin, runtime=runtime, ssf=ssf, publisher=publisher, agent=agent,
                client_id=client["client_id"], client_secret=client["client_secret"],
                organization_id=registered["organizationId"], connection_id=connection_id, scim=scim.json()["token"],
                activation_id=activation_id, device_id=activated.json()["device"]["id"])


def operations_needing(url, scope):
    """Operation ids whose every security requirement is a bearer token with `scope`."""
    document = requests.get(url + "/openapi.json", timeout=10).json()
    found = []
    for item in document["paths"].values():
        for operation in item.values():
            if not isinstance(operation, dict) or "operationId" not in operation:
                continue
            requirements = operation.get("security", document.get("security", []))
            if requirements and all(list(r) == ["bearerToken"] and r["bearerToken"] == [scope] for r in requirements):
                found.append(operation["operationId"])
    return found


def config_file(path, c, bearer, unpinned=()):
    """schemathesis.toml: credentials per security scheme and the pinned path parameters
    (all of them but `unpinned`, which the generator chooses)."""
    pins = {"tenant": "acme", "organizationId": c["organization_id"], "connectionId": c["connection_id"],
            "activationId": c["activation_id"], "deviceId": c["device_id"]}
    pinned = "\n".join(f'"path.{name}" = {toml_string(value)}' for name, value in pins.items() if name not in unpinned)
    path.write_text(f"""
[auth.openapi.bearerToken]
bearer = {toml_string(bearer)}

[auth.openapi.scimToken]
bearer = {toml_string(c["scim"])}

[auth.openapi.clientSecretBasic]
username = {toml_string(c["client_id"])}
password = {toml_string(c["client_secret"])}

# OpenAPI has no scheme for credentials in a form body, so the document names
# client_secret_post as an "API key" in the Content-Type header: its value is the form type.
[auth.openapi.clientSecretPost]
api_key = "application/x-www-form-urlencoded"

[parameters]
{pinned}
""")
    return path


# Passes in this order, each with the bearer token its operations are called with: the
# Runtime operations with the runtime client's token, /scim/v2 with the SCIM token, the
# capability-scoped ones each with their own token, then the rest as the administrator.
# The management pass comes last: it fuzzes DELETE and PATCH on applications, clients and
# connections, which may remove the clients or change the connection the others depend on.
def passes(url):
    """(name, token, filters, unpinned) in order; the capability-scoped operations are found in the document."""
    by_scope = {scope: operations_needing(url, scope) for scope in CAPABILITY_TOKENS}
    for scope, ids in by_scope.items():
        assert ids, f"no operation needs {scope} alone: the document changed, update the test"
    ids = lambda flag, scope: [argument for operation_id in by_scope[scope] for argument in (flag, operation_id)]
    return [
        ("runtime", "runtime", ["--include-tag", "Runtime"], ()),
        # The issuer routes once more with any tenant in their path: unknown ones must get
        # their documented 404 (the other passes pin the tenant to reach the routes' logic).
        ("any-tenant", "admin", ["--include-path-regex", "^/t/"], ("tenant",)),
        ("scim", "admin", ["--include-tag", "SCIM"], ()),
        *[(token, token, ids("--include-operation-id", scope), ()) for scope, token in CAPABILITY_TOKENS.items()],
        # The connection is left to the generator here (it finds the real one in list answers),
        # so deleting it or rotating its SCIM token cannot starve the other connection routes.
        ("rest", "admin", ["--exclude-tag", "Runtime", "--exclude-tag", "SCIM",
                           *[a for scope in CAPABILITY_TOKENS for a in ids("--exclude-operation-id", scope)]],
         ("connectionId",)),
    ]


def run_pass(name, url, config, filters, location=None):
    command = [
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "--no-color",
        "run", str(location or url + "/openapi.json"), "--url", url,
        "--checks", CHECKS,
        "--phases", "examples,coverage,fuzzing",
        "--max-examples", str(MAX_EXAMPLES),
        "--seed", str(SEED),
        "--request-timeout", "10",
        # One worker: with two, Hypothesis's lambda-description cache races between threads on
        # the free-form JSON schemas (KeyError / "AST constructor recursion depth mismatch"),
        # aborting an operation with a runtime error that is not the server's.
        "--workers", "1",
        "--suppress-health-check", "all",
        "--report", "ndjson", "--report-dir", str(ARTIFACTS / name),
        *filters,
    ]
    environment = dict(os.environ, SCHEMATHESIS_HOOKS="schemathesis_hooks",
                       PYTHONPATH=os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")])))
    # Run in the temporary directory: schemathesis and Hypothesis keep caches in the working directory.
    result = subprocess.run(command, capture_output=True, text=True, timeout=RUN_BUDGET_SECONDS, env=environment,
                            cwd=pathlib.Path(config).parent)
    return result.returncode, result.stdout + result.stderr


def test_schemathesis_finds_no_failures(arbiter, credentials, tmp_path, capsys):
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    started = time.monotonic()
    failed, tested, total = [], 0, 0
    for name, token, filters, unpinned in passes(arbiter.url):
        config = config_file(tmp_path / f"schemathesis-{name}.toml", credentials, credentials[token], unpinned)
        code, output = run_pass(name, arbiter.url, config, filters)
        (ARTIFACTS / f"{name}.txt").write_text(output)
        summary = output[output.find("=== SUMMARY ==="):] if "=== SUMMARY ===" in output else output[-4000:]
        with capsys.disabled():
            print(f"\nschemathesis pass '{name}' (exit {code}, {time.monotonic() - started:.0f} s so far):\n" + summary)
        count = re.search(r"Tested: (\d+)", output)
        selected = re.search(r"Selected: \d+/(\d+)", output)
        assert count and selected, f"pass {name} did not run:\n" + output[-4000:]
        if name != "any-tenant":  # the same operations are counted in the other passes
            tested += int(count.group(1))
        total = int(selected.group(1))
        if code != 0:
            failed.append(f"pass {name} (full output in {ARTIFACTS / name}.txt):\n" + output[-20000:])
    assert arbiter.process.poll() is None, "the server died during the run:\n" + arbiter.logs()[-4000:]
    assert not failed, "schemathesis found failures:\n" + "\n".join(failed)
    # Every operation schemathesis loaded (all of the document's but GET /openapi.json, the
    # schema's own address) was exercised in one of the passes.
    assert tested == total, (tested, total)


def test_schemathesis_catches_a_wrong_document(arbiter, tmp_path):
    # The run must not be a rubber stamp: against a copy of the served document in which
    # tenant registration no longer lists 400 and its 201 promises a field the server does not
    # send, the same command fails with both an undocumented status and a schema violation.
    document = requests.get(arbiter.url + "/openapi.json", timeout=10).json()
    operation = document["paths"]["/api/tenancy/tenant-registrations"]["post"]
    del operation["responses"]["400"]
    operation["responses"]["201"] = {"description": "Registered.", "content": {"application/json": {"schema": {
        "type": "object", "required": ["tenantId", "noSuchField"]}}}}
    broken = tmp_path / "broken-openapi.json"
    broken.write_text(json.dumps(document))
    config = tmp_path / "schemathesis-selfcheck.toml"
    config.write_text("")
    code, output = run_pass("selfcheck", arbiter.url, config, ["--include-operation-id", "registerTenant"], broken)
    assert code != 0, output[-4000:]
    assert "Undocumented status code" in output and "Response violates schema" in output, output[-4000:]
