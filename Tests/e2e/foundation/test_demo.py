"""`arbiter serve --demo`: the printed curl commands, run exactly as printed in a shell,
get a token and an allowed and a denied decision; a restart on the same data directory
reuses the demo and prints commands that work again (the client secret is rotated)."""

import json
import os
import re
import subprocess

import requests

from conftest import REPO, arbiter_binary, free_port
from demo_server import DemoServer, printed_commands


def run(token_line, check_line):
    """The printed lines, verbatim, in one shell (as a user pastes them)."""
    result = subprocess.run(["bash", "-c", token_line + "\n" + check_line], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_printed_commands_allow_and_deny_and_survive_a_restart(tmp_path):
    server = DemoServer(tmp_path / "data", free_port())
    try:
        first = server.start(1)
        assert re.search(r"demo-admin, password \S{12,} \(shown only now\)", first), first
        assert f"http://127.0.0.1:{server.port}/t/demo/connect/token" in first
        token_line, (allowed, denied) = printed_commands(first)

        answer = run(token_line, allowed)
        assert answer["allowed"] is True, answer
        assert answer["decision"] == "allow"
        assert "folder-readers-read" in answer["reasons"]
        answer = run(token_line, denied)
        assert answer["allowed"] is False, answer
        assert answer["decision"] == "deny"
        tenant = re.search(r"Tenant demo \((ten_\w+)\)", first).group(1)
        server.stop()

        second = server.start(2)
        assert "shown only now" not in second, "the password is printed only when it is made"
        assert f"Tenant demo ({tenant})" in second, second
        token_line_2, (allowed_2, denied_2) = printed_commands(second)
        assert token_line_2 != token_line, "the client secret is rotated on every --demo start"
        # Same users and documents: the check bodies are unchanged.
        assert (allowed_2, denied_2) == (allowed, denied)
        assert run(token_line_2, allowed_2)["allowed"] is True
        assert run(token_line_2, denied_2)["allowed"] is False

        # The old secret no longer gets a token, so the old commands are refused.
        old_secret = re.search(r"-u '([^']+)'", token_line).group(1)
        refused = requests.post(f"http://127.0.0.1:{server.port}/t/demo/connect/token",
                                auth=tuple(old_secret.split(":", 1)), data={"grant_type": "client_credentials"})
        assert refused.status_code == 401, refused.text
    finally:
        server.stop()


def test_demo_refuses_port_zero(tmp_path):
    result = subprocess.run(
        [str(arbiter_binary()), "serve", "--demo", "--port", "0", "--data-dir", str(tmp_path / "data"),
         "--policies", str(REPO / "Policies")],
        capture_output=True, text=True, timeout=120, env=dict(os.environ, ARBITER_PASSWORD_HASH_COST="4"))
    assert result.returncode != 0
    assert "--demo needs a fixed port" in result.stdout + result.stderr
