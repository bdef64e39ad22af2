"""Shared fixtures for end-to-end tests: the built `arbiter` binary, and real server
processes on 127.0.0.1 with their own temporary data directories."""

import os
import pathlib
import signal
import socket
import subprocess
import time

import pytest
import requests

REPO = pathlib.Path(__file__).resolve().parents[2]


def arbiter_binary() -> pathlib.Path:
    path = pathlib.Path(os.environ.get("ARBITER_BIN", REPO / ".build" / "debug" / "arbiter"))
    if not path.is_file():
        pytest.fail(f"arbiter binary not found at {path}; build it first (make test does)")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ArbiterProcess:
    """`arbiter serve` as a child process; restartable on the same data directory."""

    def __init__(self, data_dir: pathlib.Path, extra_env=None, extra_args=(), policies=REPO / "Policies",
                 scheme="http", verify=True):
        # scheme="https" with verify=CA-file for a server started with --tls-cert/--tls-key.
        self.scheme = scheme
        self.verify = verify
        self.data_dir = data_dir
        self.policies = policies
        self.port = free_port()
        self.extra_env = extra_env or {}
        self.extra_args = list(extra_args)
        self.process = None
        self.log_path = data_dir.parent / f"arbiter-{self.port}.log"

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def start(self):
        env = dict(os.environ)
        env.setdefault("ARBITER_PASSWORD_HASH_COST", "4")
        env.update(self.extra_env)
        self.log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [str(arbiter_binary()), "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--data-dir", str(self.data_dir), "--policies", str(self.policies), *self.extra_args],
            stdout=self.log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"arbiter exited with {self.process.returncode}: {self.logs()}")
            try:
                if requests.get(self.url + "/readyz", timeout=1, verify=self.verify).status_code == 200:
                    return self
            except requests.ConnectionError:
                pass
            time.sleep(0.05)
        raise RuntimeError("arbiter did not become ready in 30 s: " + self.logs())

    def kill(self, sig=signal.SIGKILL) -> int:
        self.process.send_signal(sig)
        code = self.process.wait(timeout=30)
        self.log.close()
        return code

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@pytest.fixture
def arbiter(tmp_path):
    server = ArbiterProcess(tmp_path / "data").start()
    yield server
    if server.process.poll() is None:
        server.kill(signal.SIGTERM)


@pytest.fixture
def arbiter_factory(tmp_path):
    started = []

    def make(**kwargs):
        server = ArbiterProcess(tmp_path / "data", **kwargs)
        started.append(server)
        return server

    yield make
    for server in started:
        if server.process and server.process.poll() is None:
            server.kill(signal.SIGTERM)
