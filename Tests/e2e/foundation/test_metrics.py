"""GET /metrics on a live server is Prometheus text exposition that an independent parser
(prometheus_client) reads, and its counters move with real traffic: requests per route
family, decisions by outcome, token issuance by grant, and LMDB gauges read at scrape time."""

import uuid

import requests
from prometheus_client.parser import text_string_to_metric_families

from admin_api import admin_token, register

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


def scrape(server):
    response = requests.get(server.url + "/metrics", timeout=10)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    families = {family.name: family for family in text_string_to_metric_families(response.text)}
    values = {}
    for family in families.values():
        for sample in family.samples:
            values[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return response.text, families, values


def value(values, name, **labels):
    return values.get((name, tuple(sorted(labels.items()))))


def test_metrics_parse_and_move_with_traffic(arbiter):
    _, families, before = scrape(arbiter)
    # prometheus_client names a counter family without its _total suffix.
    assert families["arbiter_http_requests"].type == "counter"
    assert families["arbiter_http_request_duration_seconds"].type == "histogram"
    assert families["arbiter_evaluator_duration_seconds"].type == "histogram"
    assert families["arbiter_lmdb_map_size_bytes"].type == "gauge"
    assert families["arbiter_authorization_decisions"].documentation  # HELP lines are there

    register(arbiter, "acme")
    token = admin_token(arbiter, "acme")
    check = arbiter.url + "/api/runtime/authorization/check"
    headers = {"Authorization": f"Bearer {token}"}
    # Administrators read their own tenant (built-in policy); nobody may "shred" it.
    allowed = requests.post(check, json={"action": "read"}, headers=headers)
    assert allowed.status_code == 200 and allowed.json()["allowed"] is True, allowed.text
    for _ in range(2):
        denied = requests.post(check, json={"action": "shred"}, headers=headers)
        assert denied.status_code == 200 and denied.json()["allowed"] is False, denied.text
    batch = requests.post(arbiter.url + "/api/runtime/authorization/check-batch", headers=headers,
                          json={"checks": [{"action": "read"}, {"action": "shred"}, {"action": "read"}]})
    assert batch.status_code == 200, batch.text
    for _ in range(3):
        assert requests.get(arbiter.url + f"/nowhere/{uuid.uuid4()}").status_code == 404

    text, families, after = scrape(arbiter)

    def moved(name, **labels):
        return value(after, name, **labels) - (value(before, name, **labels) or 0)

    assert moved("arbiter_authorization_decisions_total", route="check", outcome="allow") == 1
    assert moved("arbiter_authorization_decisions_total", route="check", outcome="deny") == 2
    assert moved("arbiter_authorization_decisions_total", route="check_batch", outcome="allow") == 2
    assert moved("arbiter_authorization_decisions_total", route="check_batch", outcome="deny") == 1
    assert moved("arbiter_evaluator_duration_seconds_count", route="check") == 3
    assert moved("arbiter_evaluator_duration_seconds_count", route="check_batch") == 1
    # admin_token ran the device flow: one token from the device_code grant (the polls
    # before approval, if any, were errors and do not count).
    assert moved("arbiter_tokens_issued_total", grant_type=DEVICE_GRANT) == 1
    assert moved("arbiter_tokens_issued_total", grant_type="client_credentials") == 0
    assert moved("arbiter_http_requests_total", family="authorization", status="2xx") == 4
    assert moved("arbiter_http_requests_total", family="tenancy", status="2xx") == 1
    assert moved("arbiter_http_requests_total", family="unmatched", status="4xx") == 3
    assert moved("arbiter_http_requests_total", family="metrics", status="2xx") == 1
    assert "nowhere" not in text  # the raw path never becomes a label

    # Histogram: cumulative buckets ending in +Inf == count, a positive sum.
    buckets = sorted(
        ((float(labels["le"]), v) for (name, labels_t), v in after.items()
         for labels in [dict(labels_t)]
         if name == "arbiter_http_request_duration_seconds_bucket" and labels.get("family") == "authorization"),
        key=lambda item: item[0])
    assert len(buckets) >= 10 and buckets[-1][0] == float("inf")
    assert all(a[1] <= b[1] for a, b in zip(buckets, buckets[1:]))
    assert buckets[-1][1] == value(after, "arbiter_http_request_duration_seconds_count", family="authorization")
    assert value(after, "arbiter_http_request_duration_seconds_sum", family="authorization") > 0

    # Gauges are read when scraped.
    size = value(after, "arbiter_lmdb_map_size_bytes")
    used = value(after, "arbiter_lmdb_map_used_bytes")
    assert size > 0 and 0 < used <= size
    assert value(after, "arbiter_lmdb_readers") >= 1
    assert value(after, "arbiter_lmdb_max_readers") > 0
    assert value(after, "arbiter_webhook_deliveries_total", outcome="delivered") is not None


def test_metrics_is_documented_as_text(arbiter):
    document = requests.get(arbiter.url + "/openapi.json", timeout=10).json()
    operation = document["paths"]["/metrics"]["get"]
    assert "text/plain" in operation["responses"]["200"]["content"]
