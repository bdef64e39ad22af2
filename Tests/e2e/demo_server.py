"""`arbiter serve --demo` as a child process, and the commands it prints: shared by the demo
test and the /docs sandbox test (which types the demo's token into the browser)."""

import os
import signal
import subprocess
import time

import requests

from conftest import REPO, arbiter_binary

END_MARK = '# → "allowed": false'


class DemoServer:
    def __init__(self, data_dir, port):
        self.data_dir = data_dir
        self.port = port
        self.process = None

    def start(self, attempt):
        self.out_path = self.data_dir.parent / f"demo-{attempt}.out"
        env = dict(os.environ, ARBITER_PASSWORD_HASH_COST="4")
        self.out = open(self.out_path, "wb")
        self.process = subprocess.Popen(
            [str(arbiter_binary()), "serve", "--demo", "--host", "127.0.0.1", "--port", str(self.port),
             "--data-dir", str(self.data_dir), "--policies", str(REPO / "Policies")],
            stdout=self.out, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"arbiter exited with {self.process.returncode}: {self.output()}")
            if END_MARK in self.output():
                try:
                    if requests.get(f"http://127.0.0.1:{self.port}/readyz", timeout=1).status_code == 200:
                        return self.output()
                except requests.ConnectionError:
                    pass
            time.sleep(0.1)
        raise RuntimeError("arbiter --demo did not print its commands and become ready: " + self.output())

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)
        self.out.close()

    def output(self):
        return self.out_path.read_text(errors="replace")


def printed_commands(output):
    lines = output.splitlines()
    token = [line for line in lines if line.startswith("TOKEN=$(curl ")]
    checks = [line for line in lines if line.startswith("curl ")]
    assert len(token) == 1, output
    assert len(checks) == 2, output
    return token[0], checks
