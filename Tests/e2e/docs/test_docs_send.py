"""The /docs sandbox's Send button and copied cURL in a real browser, as the issue's new user
meets them: `arbiter serve --demo`, open /docs, type the demo's token, put the demo's check in
the body, then (1) click Send and read the decision the page shows, and (2) run the cURL the
page wrote in a shell and get the same decision.

The browser is Debian's headless Chromium driven through Debian's chromedriver, spoken to
over the W3C WebDriver protocol with `requests` (a handful of calls; no Selenium, whose
current releases need newer certifi than PyPI's mirror here serves).
"""

import json
import re
import shutil
import subprocess
import time

import pytest
import requests

from conftest import free_port
from demo_server import DemoServer, printed_commands

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"  # the W3C WebDriver element reference key


class Browser:
    """A chromedriver process and one headless Chromium session."""

    def __init__(self, log_path):
        driver = shutil.which("chromedriver")
        browser = shutil.which("chromium")
        if driver is None or browser is None:
            pytest.fail("chromium and chromedriver not found; scripts/install-deps.sh installs Debian's packages")
        self.port = free_port()
        self.log = open(log_path, "wb")
        self.process = subprocess.Popen([driver, f"--port={self.port}", "--allowed-ips=127.0.0.1"],
                                        stdout=self.log, stderr=subprocess.STDOUT)
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(self.base + "/status", timeout=1).json()["value"]["ready"]:
                    break
            except (requests.ConnectionError, ValueError, KeyError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("chromedriver did not start")
            time.sleep(0.1)
        # --no-sandbox: CI containers run as root, where Chromium's sandbox refuses.
        options = {"binary": browser, "args": ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                               "--disable-extensions", "--window-size=1280,2000"]}
        answer = self.call("POST", "/session", {"capabilities": {"alwaysMatch": {"goog:chromeOptions": options}}})
        self.session = answer["sessionId"]

    def call(self, method, path, body=None):
        response = requests.request(method, self.base + path, json=body, timeout=60)
        value = response.json()
        assert response.status_code == 200, value
        return value["value"]

    def session_call(self, method, path, body=None):
        return self.call(method, f"/session/{self.session}{path}", body)

    def open(self, url):
        self.session_call("POST", "/url", {"url": url})

    def element(self, css):
        found = self.session_call("POST", "/element", {"using": "css selector", "value": css})
        assert ELEMENT in found, found
        return found[ELEMENT]

    def type(self, css, text):
        element = self.element(css)
        self.session_call("POST", f"/element/{element}/clear", {})
        self.session_call("POST", f"/element/{element}/value", {"text": text})

    def click(self, css):
        self.session_call("POST", f"/element/{self.element(css)}/click", {})

    def text(self, css):
        return self.session_call("GET", f"/element/{self.element(css)}/text")

    def wait_for_text(self, css, pattern, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            text = self.text(css)
            if re.search(pattern, text):
                return text
            if time.monotonic() > deadline:
                raise AssertionError(f"#{css} never matched {pattern!r}; last text: {text!r}")
            time.sleep(0.1)

    def close(self):
        try:
            self.call("DELETE", f"/session/{self.session}")
        finally:
            self.process.terminate()
            self.process.wait(timeout=30)
            self.log.close()


def demo_token(token_line):
    """The printed token command, verbatim, in a shell; then the token it set."""
    result = subprocess.run(["bash", "-c", token_line + '\nprintf %s "$TOKEN"'], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0 and result.stdout.count(".") == 2, result.stderr
    return result.stdout


def check_body(check_line):
    return json.loads(re.search(r"-d '(\{.*\})'$", check_line).group(1))


def answer_of(result_text):
    """The sandbox result box: `HTTP <status> <text>`, the content type, a blank line, the body."""
    head, _, body = result_text.partition("\n\n")
    return int(head.split()[1]), json.loads(body)


@pytest.fixture
def demo(tmp_path):
    server = DemoServer(tmp_path / "data", free_port())
    output = server.start(1)
    yield server, output
    server.stop()


def test_send_and_the_copied_curl_get_real_decisions_from_the_demo(demo, tmp_path):
    server, output = demo
    base = f"http://127.0.0.1:{server.port}"
    token_line, (allowed_line, denied_line) = printed_commands(output)
    token = demo_token(token_line)

    browser = Browser(tmp_path / "chromedriver.log")
    try:
        browser.open(base + "/docs#sandbox/check")
        browser.wait_for_text("#sb-curl", r"/api/runtime/authorization/check")
        assert browser.session_call("POST", "/execute/sync", {
            "script": "return document.getElementById('sb-send').disabled", "args": []}) is False
        browser.type("#sb-credential", token)

        for line, allowed in [(allowed_line, True), (denied_line, False)]:
            body = check_body(line)
            browser.type("#sb-body", json.dumps(body))

            # (1) Send: the page calls its own server and shows the answer.
            browser.click("#sb-send")
            shown = browser.wait_for_text("#sb-result", r"^HTTP \d{3}")
            status, answer = answer_of(shown)
            assert status == 200, shown
            assert answer["allowed"] is allowed and answer["decision"] == ("allow" if allowed else "deny"), answer

            # (2) The cURL the page wrote, pasted into a shell, gets the same decision.
            curl = browser.text("#sb-curl")
            assert f"Authorization: Bearer {token}" in curl
            result = subprocess.run(["bash", "-c", curl + " -s"], capture_output=True, text=True, timeout=60)
            assert result.returncode == 0, result.stderr
            copied = json.loads(result.stdout)
            assert copied["allowed"] is allowed and copied["decision"] == answer["decision"], copied

        # A wrong token: Send shows the server's 401 problem, not a page error.
        browser.type("#sb-credential", "not-a-token")
        browser.click("#sb-send")
        status, answer = answer_of(browser.wait_for_text("#sb-result", r"^HTTP \d{3}"))
        assert status == 401 and answer["status"] == 401, answer
    finally:
        browser.close()
