"""Operator commands on a live data directory: when `arbiter graph import` (another
process) grows the LMDB map, the running server adopts the new size for its reads and
writes instead of failing with MDB_MAP_RESIZED until restarted."""

import json
import subprocess

import requests

from conftest import arbiter_binary


def registration(slug):
    return {"tenantName": slug.title(), "tenantSlug": slug, "userName": "admin", "email": f"admin@{slug}.example",
            "password": "ChangeThisPassword123!", "planCode": "developer"}


def test_server_adopts_a_map_grown_by_an_import(arbiter_factory, tmp_path):
    # Start tiny, so the importer's default 64 MiB map is a growth the server did not make.
    server = arbiter_factory(extra_env={"ARBITER_INITIAL_MAP_BYTES": str(256 << 10)}).start()
    assert requests.post(server.url + "/api/tenancy/tenant-registrations", json=registration("acme")).status_code == 201
    entities = [{"uid": {"type": "Document", "id": f"d{i}"}, "attrs": {"title": "x" * 200}, "parents": []}
                for i in range(2000)]
    path = tmp_path / "entities.json"
    path.write_text(json.dumps(entities))
    imported = subprocess.run(
        [str(arbiter_binary()), "graph", "import", "--tenant", "acme", "--data-dir", str(server.data_dir),
         "--entities", str(path)], capture_output=True, text=True, timeout=120)
    assert imported.returncode == 0, imported.stderr

    assert requests.get(server.url + "/readyz").status_code == 200, server.logs()[-2000:]
    created = requests.post(server.url + "/api/tenancy/tenant-registrations", json=registration("other"))
    assert created.status_code == 201, created.text
    exported = subprocess.run(
        [str(arbiter_binary()), "graph", "export", "--tenant", "acme", "--data-dir", str(server.data_dir)],
        capture_output=True, text=True, timeout=120)
    assert exported.returncode == 0 and len([e for e in json.loads(exported.stdout) if e["uid"]["type"] == "Document"]) == 2000
