"""`arbiter login` and `arbiter token` as a user runs them: login prints a code on stderr
and polls; the test approves on the /device page like a person in a browser; the stored
token then works as a bearer token, and `arbiter token` renews it once it has expired."""

import json
import os
import re
import selectors
import stat
import subprocess
import time

import pytest
import requests

from conftest import arbiter_binary
from test_device_flow import decide, register

CODE = re.compile(r"\b([BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4})\b")


def read_user_code(process, timeout=30):
    """Reads login's stderr up to its "Waiting for approval" line; returns the user code it
    printed and everything read. Raw reads on the descriptor: a buffered readline would
    swallow lines that select() then never reports."""
    selector = selectors.DefaultSelector()
    selector.register(process.stderr, selectors.EVENT_READ)
    fd = process.stderr.fileno()
    seen = ""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not selector.select(timeout=max(0.0, deadline - time.monotonic())):
            break
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        seen += chunk.decode()
        found = CODE.search(seen)
        if found and "Waiting" in seen:
            return found.group(1), seen
    process.kill()
    pytest.fail(f"arbiter login printed no user code; stderr so far: {seen!r}")


def cli(*args, env, timeout=60):
    return subprocess.run([str(arbiter_binary()), *args], capture_output=True, text=True, env=env, timeout=timeout)


@pytest.fixture
def config_env(tmp_path):
    env = dict(os.environ, ARBITER_CONFIG_DIR=str(tmp_path / "config"))
    return env


def login(server, env, tenant="acme", action="approve"):
    process = subprocess.Popen(
        [str(arbiter_binary()), "login", "--server", server.url + "/", "--tenant", tenant],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    user_code, seen = read_user_code(process)
    assert server.url + "/device" in seen
    assert f"{server.url}/device?user_code={user_code}" in seen
    decided = decide(server.url, user_code, action=action)
    assert decided.status_code == 200, decided.text
    out, err = process.communicate(timeout=60)
    return process.returncode, out, seen + err


def test_login_then_token_is_a_working_bearer_token(arbiter, config_env, tmp_path):
    register(arbiter, "acme")
    code, out, err = login(arbiter, config_env)
    assert code == 0, err
    assert out.startswith("Signed in to acme at " + arbiter.url), out
    assert len(out.strip().splitlines()) == 1

    path = tmp_path / "config" / "credentials.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    stored = json.loads(path.read_text())["logins"][arbiter.url + "/t/acme"]
    assert stored["refreshToken"] and stored["tenant"] == "acme"

    printed = cli("token", "--server", arbiter.url, "--tenant", "acme", env=config_env)
    assert printed.returncode == 0, printed.stderr
    token = printed.stdout.strip()
    assert token == stored["accessToken"]
    introspected = requests.post(
        arbiter.url + "/t/acme/connect/introspect", data={"token": token},
        headers={"Authorization": "Bearer " + token})
    assert introspected.status_code == 200, introspected.text
    body = introspected.json()
    assert body["active"] is True and body["client_id"] == "arbiter-cli"

    # Expired in the file: `arbiter token` renews it with the refresh token and stores the new pair.
    document = json.loads(path.read_text())
    document["logins"][arbiter.url + "/t/acme"]["expiresAt"] = "2000-01-01T00:00:00Z"
    path.write_text(json.dumps(document))
    renewed = cli("token", "--server", arbiter.url, "--tenant", "acme", env=config_env)
    assert renewed.returncode == 0, renewed.stderr
    fresh = renewed.stdout.strip()
    assert fresh and fresh != token
    after = json.loads(path.read_text())["logins"][arbiter.url + "/t/acme"]
    assert after["accessToken"] == fresh and after["refreshToken"] != stored["refreshToken"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    check = requests.post(
        arbiter.url + "/t/acme/connect/introspect", data={"token": fresh}, headers={"Authorization": "Bearer " + fresh})
    assert check.json()["active"] is True


def test_login_denied_exits_nonzero_and_stores_nothing(arbiter, config_env, tmp_path):
    register(arbiter, "acme")
    code, out, err = login(arbiter, config_env, action="deny")
    assert code != 0
    assert "denied" in err
    assert not (tmp_path / "config" / "credentials.json").exists()


def test_token_without_login_and_login_to_an_unknown_tenant_fail_clearly(arbiter, config_env):
    register(arbiter, "acme")
    missing = cli("token", "--server", arbiter.url, "--tenant", "acme", env=config_env)
    assert missing.returncode != 0 and "arbiter login" in missing.stderr
    unknown = cli("login", "--server", arbiter.url, "--tenant", "nobody", env=config_env)
    assert unknown.returncode != 0 and "no tenant 'nobody'" in unknown.stderr
