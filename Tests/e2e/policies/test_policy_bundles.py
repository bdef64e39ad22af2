"""Tenant policy bundles against the real binary: an administrator (device-flow token)
uploads YAML as a JSON map and as a tar made by Python's tarfile, gets every diagnostic of
a broken upload (422, file/line/column), rolls back, and the active version survives a
crash-restart. Another tenant sees none of it (404)."""

import io
import signal
import tarfile

from admin_api import admin_token, api, register


def policy(rule, action="edit"):
    return f"""kind: policy
id: {rule}-policy
rules:
  - id: {rule}
    effect: allow
    principal: User
    actions: [{action}]
    resource: Document
    when: principal.roles.contains("editor")
"""


def tar_of(files):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_upload_diagnostics_rollback_and_restart(arbiter_factory):
    server = arbiter_factory().start()
    register(server, "acme")
    register(server, "globex")
    acme = admin_token(server, "acme")
    globex = admin_token(server, "globex")

    assert api(server, "PUT", "/api/runtime/policies", json={"files": {"a.yaml": policy("a")}}).status_code == 401

    first = api(server, "PUT", "/api/runtime/policies", acme, json={"files": {"docs.yaml": policy("first")}})
    assert first.status_code == 201, first.text
    assert first.json()["version"] == "v1" and first.json()["active"] is True
    assert first.headers["Location"] == "/api/runtime/policies/v1"

    second = api(server, "PUT", "/api/runtime/policies", acme, data=tar_of({
        "docs.yaml": policy("second"), "nested/publish.yaml": policy("publish", action="publish")}),
        headers={"Content-Type": "application/x-tar"})
    assert second.status_code == 201, second.text
    assert second.json()["version"] == "v2" and second.json()["rules"] == 2
    assert second.json()["policyEpoch"] == first.json()["policyEpoch"] + 1

    broken = api(server, "PUT", "/api/runtime/policies", acme, json={
        "a.yaml": "kind: policy\nid: a\nrules:\n  - id: a1\n    effect: permit\n",
        "b.yaml": "kind: policy\nid: b\nrules:\n  - id: b1\n    effect: allow\n    when: 1 +\n",
    })
    assert broken.status_code == 422
    assert broken.headers["Content-Type"] == "application/problem+json"
    found = [(d["file"], d["line"], d["column"]) for d in broken.json()["diagnostics"]]
    assert found == [("a.yaml", 5, 13), ("b.yaml", 6, 14)], found

    widening = api(server, "PUT", "/api/runtime/policies", acme, json={"files": {"w.yaml": (
        "kind: policy\nid: w\nrules:\n  - id: everyone-manages-apps\n    effect: allow\n"
        "    actions: [update]\n    resource: Application\n")}})
    assert widening.status_code == 422
    assert "everyone-manages-apps" in widening.json()["diagnostics"][0]["message"]

    # Another tenant sees nothing and can change nothing.
    assert api(server, "GET", "/api/runtime/policies/v1", globex).status_code == 404
    assert api(server, "POST", "/api/runtime/policies/v1/activate", globex).status_code == 404
    assert api(server, "GET", "/api/runtime/policies", globex).json()["items"] == []

    back = api(server, "POST", "/api/runtime/policies/v1/activate", acme)
    assert back.status_code == 200, back.text
    listed = api(server, "GET", "/api/runtime/policies", acme).json()
    assert listed["activeVersion"] == "v1"
    assert [(v["version"], v["active"]) for v in listed["items"]] == [("v1", True), ("v2", False)]
    shown = api(server, "GET", "/api/runtime/policies/v2", acme).json()
    assert set(shown["sources"]) == {"docs.yaml", "nested/publish.yaml"}
    assert shown["sources"]["docs.yaml"] == policy("second")

    # The active version is in LMDB, not only in memory.
    server.kill(signal.SIGKILL)
    server.start()
    listed = api(server, "GET", "/api/runtime/policies", acme).json()
    assert listed["activeVersion"] == "v1"
    assert listed["policyEpoch"] == back.json()["policyEpoch"]
