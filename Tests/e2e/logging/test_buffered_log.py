"""The access log is written in batches (BufferedLogHandler): every line must still reach
standard output, once and in order, when the server stops cleanly right after the
requests (SIGTERM well inside the 100 ms batching interval), in both formats."""
import json
import signal

import pytest
import requests


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_every_request_line_survives_a_clean_stop(arbiter_factory, log_format):
    server = arbiter_factory(extra_args=["--log-format", log_format]).start()
    ids = [f"e2e-log-{log_format}-{n}" for n in range(300)]
    with requests.Session() as session:
        for request_id in ids:
            response = session.get(server.url + "/healthz", headers={"X-Request-Id": request_id})
            assert response.status_code == 200
            assert response.headers["X-Request-Id"] == request_id
    assert server.kill(signal.SIGTERM) == 0
    logs = server.logs()
    seen = []
    for line in logs.splitlines():
        if log_format == "json":
            if not line.startswith("{"):
                continue
            record = json.loads(line)
            if record.get("message") == "request" and str(record.get("request_id", "")).startswith("e2e-log-"):
                assert record["path"] == "/healthz" and record["status"] == "200", line
                seen.append(record["request_id"])
        elif line.endswith("] request") and "request_id=e2e-log-" in line:
            fields = dict(part.split("=", 1) for part in line.split(" [")[0].split(": ", 1)[1].split(" "))
            assert fields["path"] == "/healthz" and fields["status"] == "200", line
            seen.append(fields["request_id"])
    assert seen == ids, logs[-2000:]
    # The server's own lines around them are there too, the last one at the stop.
    assert "stopped" in logs.splitlines()[-1], logs[-500:]
