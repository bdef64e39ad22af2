"""`arbiter admin backup` while the server serves, and `arbiter admin restore` into a new
data directory: the restored server answers with the data of the moment of the backup."""

import subprocess

import requests

from conftest import ArbiterProcess, arbiter_binary


def registration(slug):
    return {"tenantName": slug.title(), "tenantSlug": slug, "userName": "admin", "email": f"admin@{slug}.example",
            "password": "ChangeThisPassword123!", "planCode": "developer"}


def admin(*args):
    return subprocess.run([str(arbiter_binary()), "admin", *args], capture_output=True, text=True, timeout=120)


def test_backup_while_serving_and_restore_elsewhere(arbiter, tmp_path):
    assert requests.post(arbiter.url + "/api/tenancy/tenant-registrations", json=registration("acme")).status_code == 201
    # Signing keys are made on first use: make acme's before the backup.
    original = requests.get(arbiter.url + "/t/acme/.well-known/jwks.json")
    assert original.status_code == 200 and original.json()["keys"]
    backup = tmp_path / "acme.mdb"
    made = admin("backup", "--data-dir", str(arbiter.data_dir), "--to", str(backup))
    assert made.returncode == 0, made.stderr
    assert backup.stat().st_size > 0 and "bytes:" in made.stdout

    # Written after the backup: not in the restored copy.
    assert requests.post(arbiter.url + "/api/tenancy/tenant-registrations", json=registration("later")).status_code == 201

    # The running server's directory cannot be restored into.
    refused = admin("restore", "--from", str(backup), "--data-dir", str(arbiter.data_dir), "--force")
    assert refused.returncode != 0 and "server is running" in refused.stderr

    target = tmp_path / "restored"
    restored = admin("restore", "--from", str(backup), "--data-dir", str(target))
    assert restored.returncode == 0, restored.stderr
    copy = ArbiterProcess(target).start()
    try:
        # The tenant from before the backup exists (its slug is taken), the later one does not.
        again = requests.post(copy.url + "/api/tenancy/tenant-registrations", json=registration("acme"))
        assert again.status_code == 409, again.text
        later = requests.post(copy.url + "/api/tenancy/tenant-registrations", json=registration("later"))
        assert later.status_code == 201, later.text
        # Its issuer still publishes the signing keys that were backed up.
        jwks = requests.get(copy.url + "/t/acme/.well-known/jwks.json")
        assert jwks.status_code == 200 and jwks.json() == original.json()
    finally:
        copy.kill()


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    junk = tmp_path / "junk.mdb"
    junk.write_bytes(b"\x07" * 20000)
    refused = admin("restore", "--from", str(junk), "--data-dir", str(tmp_path / "d"))
    assert refused.returncode != 0 and "not an Arbiter backup" in refused.stderr
