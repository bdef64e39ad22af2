"""/docs in a real browser: Debian's headless Chromium loads the page from a running server,
runs its script (under the page's Content-Security-Policy), and the sandbox, opened by the
deep link /docs#sandbox/registerTenant, must show the expected cURL for the tenant
registration example. Running that cURL against the server registers the tenant. A
screenshot is kept under Tests/e2e/artifacts/docs/ (git-ignored); the test prints its path.

The sandbox's cURL format (DocsScript.swift): one line, single spaces, arguments in single
quotes, the JSON example re-serialized compactly in the editor's key order (sorted keys):

    curl -X POST '<base>/api/tenancy/tenant-registrations' -H 'Content-Type: application/json' -d '<json>'
"""

import html
import json
import pathlib
import re
import shutil
import subprocess

import pytest
import requests

ARTIFACTS = pathlib.Path(__file__).resolve().parents[1] / "artifacts" / "docs"


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-headless-shell")
    if path is None:
        pytest.fail("chromium not found; scripts/install-deps.sh installs Debian's chromium")
    return path


def run_chromium(*args, timeout=120) -> subprocess.CompletedProcess:
    # --no-sandbox: test containers usually run as root, where Chromium's sandbox refuses.
    command = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-extensions", "--hide-scrollbars", *args]
    return subprocess.run(command, capture_output=True, timeout=timeout, text=True)


def dump_dom(url: str) -> str:
    result = run_chromium("--virtual-time-budget=5000", "--dump-dom", url)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def element_text(dom: str, element_id: str) -> str:
    match = re.search(r'<(\w+)[^>]*\bid="%s"[^>]*>(.*?)</\1>' % re.escape(element_id), dom, re.S)
    assert match, f"no element #{element_id} in the DOM"
    return html.unescape(re.sub(r"<[^>]+>", "", match.group(2)))


def registration_example(base: str) -> dict:
    document = requests.get(base + "/openapi.json", timeout=10).json()
    operation = document["paths"]["/api/tenancy/tenant-registrations"]["post"]
    assert operation["operationId"] == "registerTenant"
    return operation["requestBody"]["content"]["application/json"]["example"]


def test_sandbox_deep_link_writes_the_tenant_registration_curl(arbiter):
    base = arbiter.url
    example = registration_example(base)
    dom = dump_dom(base + "/docs#sandbox/registerTenant")

    # The script ran and the sandbox shows the route (test_every_operation… shows the deep
    # link choosing a route other than this default).
    assert '<option value="registerTenant">POST /api/tenancy/tenant-registrations</option>' in dom
    assert element_text(dom, "sb-summary") == "Create a tenant with its first organization and administrator."

    body = json.dumps(example, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    expected = (f"curl -X POST '{base}/api/tenancy/tenant-registrations' "
                f"-H 'Content-Type: application/json' -d '{body}'")
    curl = element_text(dom, "sb-curl")
    assert curl == expected

    # The example response shape comes from the 201 schema.
    assert element_text(dom, "sb-response-status") == "201"
    shape = json.loads(element_text(dom, "sb-response"))
    assert set(shape) == {"tenantId", "organizationId", "administratorUserId", "membershipId"}
    # Send is enabled: the base URL is the page's own origin.
    assert re.search(r'<button[^>]*id="sb-send"[^>]*>', dom)
    assert not re.search(r'<button[^>]*id="sb-send"[^>]*disabled', dom)

    # The cURL is real: pasted into a shell, it registers the tenant.
    if shutil.which("curl"):
        result = subprocess.run(["bash", "-c", curl + " -s -w '\\n%{http_code}'"],
                                capture_output=True, text=True, timeout=30)
        answer, status = result.stdout.rsplit("\n", 1)
        assert status == "201", answer
        assert set(json.loads(answer)) >= {"tenantId", "organizationId", "administratorUserId", "membershipId"}


def test_every_operation_is_reachable_from_the_rendered_page(arbiter):
    base = arbiter.url
    document = requests.get(base + "/openapi.json", timeout=10).json()
    ids = {op["operationId"] for item in document["paths"].values() for op in item.values()
           if isinstance(op, dict) and "operationId" in op}
    dom = dump_dom(base + "/docs#sandbox/check")
    for operation_id in ids:
        assert f'id="op-{operation_id}"' in dom, operation_id
    # The sandbox's route list holds every operation of the selected family, and a bearer
    # route writes the $TOKEN placeholder until a token is typed.
    assert element_text(dom, "sb-curl").startswith(
        f"curl -X POST '{base}/api/runtime/authorization/check' -H \"Authorization: Bearer $TOKEN\" "
        "-H 'Content-Type: application/json' -d '{")


def test_screenshot_is_kept_as_an_artifact(arbiter):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for name, url in [("docs.png", "/docs"), ("docs-sandbox-registerTenant.png", "/docs#sandbox/registerTenant")]:
        path = ARTIFACTS / name
        path.unlink(missing_ok=True)
        result = run_chromium("--virtual-time-budget=5000", f"--screenshot={path}", "--window-size=1280,2000",
                              arbiter.url + url)
        assert result.returncode == 0, result.stderr[-2000:]
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000, "screenshot missing or blank"
        print(f"screenshot: {path}")
