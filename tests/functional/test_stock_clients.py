#!/usr/bin/python3
"""Functional test: drive a running Ember with the STOCK Debian clients.

Runs with Debian's /usr/bin/python3 and calls /usr/bin/cinder and
/usr/bin/openstack (python3-cinderclient, python3-openstackclient) with
auth_strategy = noauth. It must run on the machine Ember runs on, because it
writes data straight into the volume files under <state_dir>/volumes.

Environment:
  EMBER_URL        base URL of Ember (default http://127.0.0.1:8776)
  EMBER_STATE_DIR  Ember's state_path (default <checkout>/data)
  EMBER_PROJECT    project id used with noauth; hex, as cinder's project_id_regex
                   ([0-9a-f-]+) requires (default e3be7e57000000000000000000000001)
  EMBER_TIMEOUT    seconds to wait for each status change (default 120)

Prints PASS/FAIL per check and a closing "functional: N passed, N failed".
Exit status 0 only if every check passed.
"""

import hashlib
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
URL = os.environ.get("EMBER_URL", "http://127.0.0.1:8776").rstrip("/")
STATE_DIR = os.environ.get("EMBER_STATE_DIR", os.path.join(ROOT, "data"))
VOLUMES_DIR = os.environ.get("EMBER_VOLUMES_DIR", os.path.join(STATE_DIR, "volumes"))
BACKUP_DIR = os.environ.get("EMBER_BACKUP_DIR", os.path.join(STATE_DIR, "backup"))
PROJECT = os.environ.get("EMBER_PROJECT", "e3be7e57000000000000000000000001")
USER = os.environ.get("EMBER_USER", "functional-user")
TIMEOUT = float(os.environ.get("EMBER_TIMEOUT", "120"))
API_VERSION = os.environ.get("EMBER_API_VERSION", "3.64")
CLI_TIMEOUT = 90
GiB = 1024 ** 3

CINDER = "/usr/bin/cinder"
OPENSTACK = "/usr/bin/openstack"

results = []  # (name, ok, detail)


def log(msg):
    print(msg, flush=True)


def check(name, ok, detail=""):
    results.append((name, bool(ok), detail))
    if ok:
        log("PASS %s" % name)
    else:
        log("FAIL %s%s" % (name, (": " + detail) if detail else ""))
    return bool(ok)


class Abort(Exception):
    """A step the rest of the scenario depends on failed."""


def require(name, ok, detail=""):
    if not check(name, ok, detail):
        raise Abort(name)


# ---------------------------------------------------------------- clients ---

def client_env():
    env = {k: v for k, v in os.environ.items()
           if not (k.startswith("OS_") or k.startswith("CINDER_"))}
    env.update({
        "OS_AUTH_TYPE": "noauth",
        "OS_USER_ID": USER,
        "OS_PROJECT_ID": PROJECT,
        "OS_VOLUME_API_VERSION": API_VERSION,
        # cinder CLI: the endpoint includes the project id.
        "CINDER_ENDPOINT": "%s/v3/%s" % (URL, PROJECT),
        # openstack CLI (cinderclient's noauth plugin): it appends the project.
        "OS_ENDPOINT": "%s/v3" % URL,
        "PYTHONWARNINGS": "ignore",
    })
    return env


def run(argv):
    """Runs a client; returns (rc, combined output)."""
    shown = " ".join(argv)
    try:
        p = subprocess.run(argv, env=client_env(), stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=CLI_TIMEOUT)
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode("utf-8", "replace")
        log("  $ %s\n  (timed out after %ss)\n%s" % (shown, CLI_TIMEOUT, indent(out)))
        return 124, out
    out = p.stdout.decode("utf-8", "replace")
    log("  $ %s  -> rc=%d" % (shown, p.returncode))
    return p.returncode, out


def cinder(*args):
    return run([CINDER] + list(args))


def openstack(*args):
    return run([OPENSTACK] + list(args))


def indent(text, prefix="    | "):
    return "\n".join(prefix + line for line in text.rstrip().splitlines())


def parse_table(out):
    """cinder's "| Property | Value |" table -> dict (multi-line values joined)."""
    props = {}
    last = None
    for line in out.splitlines():
        m = re.match(r"^\|\s*(.*?)\s*\|\s*(.*?)\s*\|$", line)
        if not m:
            continue
        key, value = m.group(1), m.group(2)
        if key in ("Property", "Field") and value == "Value":
            continue
        if key == "" and last is not None:
            props[last] += "\n" + value
            continue
        props[key] = value
        last = key
    return props


def table_rows(out):
    """cinder's list table -> list of dicts keyed by header."""
    rows, header = [], None
    for line in out.splitlines():
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = cells
        else:
            rows.append(dict(zip(header, cells)))
    return rows


# ------------------------------------------------------------- raw API ---

def api(method, path, body=None):
    """Direct call, used for polling; returns (status, parsed JSON or text)."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(URL + "/v3/" + PROJECT + path, data=data, method=method)
    req.add_header("X-Auth-Token", "%s:%s" % (USER, PROJECT))
    req.add_header("Accept", "application/json")
    req.add_header("OpenStack-API-Version", "volume " + API_VERSION)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            raw, status = r.read(), r.status
    except urllib.error.HTTPError as e:
        raw, status = e.read(), e.code
    except (urllib.error.URLError, OSError) as e:
        return 0, str(e)
    try:
        return status, json.loads(raw.decode() or "null")
    except ValueError:
        return status, raw.decode("utf-8", "replace")


def wait_status(kind, ident, wanted, timeout=TIMEOUT):
    """Polls /volumes/<id> or /backups/<id> until status is wanted.

    Returns (ok, last_document). Fails fast on an error status.
    """
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        status, doc = api("GET", "/%ss/%s" % (kind, ident))
        last = (status, doc)
        if status == 200 and isinstance(doc, dict):
            st = (doc.get(kind) or {}).get("status")
            if st == wanted:
                return True, last
            if st and st.startswith("error"):
                return False, last
        time.sleep(1)
    return False, last


def wait_gone(kind, ident, timeout=TIMEOUT):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        status, doc = api("GET", "/%ss/%s" % (kind, ident))
        last = (status, doc)
        if status == 404:
            return True, last
        if status == 200 and isinstance(doc, dict):
            st = (doc.get(kind) or {}).get("status", "")
            if st.startswith("error"):
                return False, last
        time.sleep(1)
    return False, last


def brief(last):
    if last is None:
        return "no response"
    status, doc = last
    text = json.dumps(doc) if not isinstance(doc, str) else doc
    return "HTTP %s %s" % (status, text[:600])


# ------------------------------------------------------------- volumes ---

def volume_path(vid):
    return os.path.join(VOLUMES_DIR, "volume-" + vid)


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            b = f.read(8 * 1024 * 1024)
            if not b:
                break
            h.update(b)
    return h.hexdigest()


def stored_bytes(backup_id):
    """Bytes of the files under BACKUP_DIR whose path names the backup."""
    total = 0
    for dirpath, _, files in os.walk(BACKUP_DIR):
        for name in files:
            full = os.path.join(dirpath, name)
            if backup_id in full:
                total += os.path.getsize(full)
    return total


def write_random(path, chunks):
    """Writes os.urandom(length) at each (offset, length); keeps the file size."""
    size = os.path.getsize(path)
    with open(path, "r+b") as f:
        for off, length in chunks:
            if off + length > size:
                raise ValueError("write past end of %s" % path)
            f.seek(off)
            f.write(os.urandom(length))
        f.flush()
        os.fsync(f.fileno())


def create_volume(name, size="1"):
    rc, out = cinder("create", "--name", name, size)
    props = parse_table(out)
    vid = props.get("id", "")
    if rc != 0 or not re.match(r"^[0-9a-f-]{36}$", vid):
        raise Abort("cinder create %s: rc=%d\n%s" % (name, rc, indent(out)))
    return vid


def create_and_wait_volume(label, name):
    try:
        vid = create_volume(name)
    except Abort as e:
        require("%s: cinder create 1" % label, False, str(e))
    check("%s: cinder create 1" % label, True)
    ok, last = wait_status("volume", vid, "available")
    require("%s: volume %s becomes available" % (label, vid), ok, brief(last))
    return vid


# ------------------------------------------------------------ scenario ---

def scenario(cleanup):
    # The server answers the version document.
    try:
        with urllib.request.urlopen(URL + "/", timeout=10) as r:
            code, body = r.status, r.read()
    except urllib.error.HTTPError as e:
        code, body = e.code, e.read()
    except (urllib.error.URLError, OSError) as e:
        code, body = 0, str(e).encode()
    require("GET / answers the versions document (300)", code == 300 and b"versions" in body,
            "HTTP %s %s" % (code, body[:300]))

    rc, out = cinder("backup-list")
    require("cinder backup-list works (empty project)", rc == 0 and "ID" in out, indent(out))

    # --- source volume ------------------------------------------------------
    vol = create_and_wait_volume("source", "ember-func-src")
    cleanup["volumes"].append(vol)
    path = volume_path(vol)
    require("source: volume file %s exists and is 1 GiB" % path,
            os.path.isfile(path) and os.path.getsize(path) == GiB,
            "exists=%s size=%s" % (os.path.isfile(path),
                                   os.path.getsize(path) if os.path.exists(path) else None))

    rc, out = cinder("show", vol)
    props = parse_table(out)
    check("cinder show <volume>: status available, size 1",
          rc == 0 and props.get("status") == "available" and props.get("size") == "1",
          indent(out))

    # --- data for the full backup -------------------------------------------
    MiB = 1024 * 1024
    write_random(path, [(0, 4 * MiB), (100 * MiB + 12345, 3 * MiB),
                        (512 * MiB, 1 * MiB), (GiB - 64 * 1024, 64 * 1024)])
    sha_full = sha256_file(path)
    log("  sha256 at full backup:        %s" % sha_full)

    rc, out = cinder("backup-create", "--name", "ember-func-full", vol)
    full = parse_table(out).get("id", "")
    require("cinder backup-create <volume> (full)", rc == 0 and full, indent(out))
    cleanup["backups"].insert(0, full)
    ok, last = wait_status("backup", full, "available")
    require("full backup %s becomes available" % full, ok, brief(last))
    ok, last = wait_status("volume", vol, "available", 30)
    check("source volume back to available after backup", ok, brief(last))

    # --- more data for the incremental --------------------------------------
    # Small changes (under 1 MiB in all) so the incremental is visibly smaller.
    write_random(path, [(2 * MiB, 256 * 1024), (300 * MiB + 7, 100 * 1024),
                        (700 * MiB + 1, 32 * 1024), (GiB - 4096, 4096)])
    sha_incr = sha256_file(path)
    log("  sha256 at incremental backup: %s" % sha_incr)
    check("data changed between the backups", sha_incr != sha_full)

    rc, out = cinder("backup-create", "--incremental", "--name", "ember-func-incr", vol)
    incr = parse_table(out).get("id", "")
    require("cinder backup-create --incremental <volume>", rc == 0 and incr, indent(out))
    cleanup["backups"].insert(0, incr)
    ok, last = wait_status("backup", incr, "available")
    require("incremental backup %s becomes available" % incr, ok, brief(last))
    ok, last = wait_status("volume", vol, "available", 30)
    check("source volume back to available after incremental", ok, brief(last))

    # Change the source again so a restore can't accidentally match it.
    write_random(path, [(0, 1 * MiB)])

    # --- list / show ---------------------------------------------------------
    rc, out = cinder("backup-list")
    rows = {r.get("ID"): r for r in table_rows(out)}
    check("cinder backup-list shows both backups available",
          rc == 0 and all(rows.get(b, {}).get("Status") == "available" for b in (full, incr))
          and all(rows.get(b, {}).get("Volume ID") == vol for b in (full, incr)),
          indent(out))

    rc, out = cinder("backup-show", full)
    p = parse_table(out)
    check("cinder backup-show <full>: available, not incremental, has dependents",
          rc == 0 and p.get("id") == full and p.get("status") == "available"
          and p.get("is_incremental") == "False" and p.get("has_dependent_backups") == "True"
          and p.get("volume_id") == vol and p.get("size") == "1",
          indent(out))

    rc, out = cinder("backup-show", incr)
    p = parse_table(out)
    check("cinder backup-show <incremental>: available, is_incremental True",
          rc == 0 and p.get("id") == incr and p.get("status") == "available"
          and p.get("is_incremental") == "True" and p.get("has_dependent_backups") == "False",
          indent(out))

    # The incremental stores only the changed blocks (posix driver files are
    # named after the backup id, as cinder's are).
    full_bytes, incr_bytes = stored_bytes(full), stored_bytes(incr)
    log("  bytes stored under %s: full %d, incremental %d" % (BACKUP_DIR, full_bytes, incr_bytes))
    check("incremental backup stores less than half of the full backup's data",
          full_bytes > 0 and 0 < incr_bytes < full_bytes / 2,
          "full %d bytes, incremental %d bytes" % (full_bytes, incr_bytes))

    # --- openstack CLI ------------------------------------------------------
    rc, out = openstack("volume", "backup", "list", "-f", "json")
    try:
        ids = {b.get("ID") for b in json.loads(out)}
    except ValueError:
        ids = set()
    check("openstack volume backup list contains both backups",
          rc == 0 and {full, incr} <= ids, indent(out))

    rc, out = openstack("volume", "backup", "show", "-f", "json", incr)
    try:
        doc = json.loads(out)
    except ValueError:
        doc = {}
    check("openstack volume backup show <incremental>",
          rc == 0 and doc.get("id") == incr and doc.get("status") == "available"
          and doc.get("volume_id") == vol, indent(out))

    rc, out = openstack("volume", "backup", "list")
    check("openstack volume backup list (table) shows the names",
          rc == 0 and "ember-func-full" in out and "ember-func-incr" in out, indent(out))

    # --- deleting a backup that has an incremental on top must fail --------
    rc, out = cinder("backup-delete", full)
    log(indent(out))
    check("cinder backup-delete <full> refused: 'Invalid backup: Incremental backups exist for this backup.'",
          rc != 0 and "Invalid backup: Incremental backups exist for this backup." in out,
          indent(out))
    status, doc = api("GET", "/backups/%s" % full)
    check("full backup still available after refused delete",
          status == 200 and doc.get("backup", {}).get("status") == "available", brief((status, doc)))

    # --- restores -------------------------------------------------------------
    def restore_into(label, backup, target, want_sha):
        args = ["backup-restore"] + (["--volume", target] if target else []) + [backup]
        rc, out = cinder(*args)
        p = parse_table(out)
        new_vol = p.get("volume_id", "")
        if not check("%s: cinder %s" % (label, " ".join(args)),
                     rc == 0 and p.get("backup_id") == backup and new_vol
                     and (target is None or new_vol == target), indent(out)):
            return
        if target is None:
            cleanup["volumes"].append(new_vol)
        ok, last = wait_status("volume", new_vol, "available")
        if not check("%s: restored volume %s becomes available" % (label, new_vol), ok, brief(last)):
            return
        ok, last = wait_status("backup", backup, "available", 30)
        check("%s: backup back to available" % label, ok, brief(last))
        rpath = volume_path(new_vol)
        got = sha256_file(rpath) if os.path.isfile(rpath) else "<no file %s>" % rpath
        check("%s: sha256 of restored volume matches backup time" % label, got == want_sha,
              "got %s want %s" % (got, want_sha))

    t1 = create_and_wait_volume("restore target 1", "ember-func-restore-full")
    cleanup["volumes"].append(t1)
    restore_into("restore full into existing volume", full, t1, sha_full)

    t2 = create_and_wait_volume("restore target 2", "ember-func-restore-incr")
    cleanup["volumes"].append(t2)
    restore_into("restore incremental into existing volume", incr, t2, sha_incr)

    restore_into("restore incremental to a new volume", incr, None, sha_incr)
    restore_into("restore full to a new volume", full, None, sha_full)

    # --- delete from the top ----------------------------------------------------
    for label, b in (("incremental", incr), ("full", full)):
        rc, out = cinder("backup-delete", b)
        if check("cinder backup-delete <%s>" % label, rc == 0, indent(out)):
            ok, last = wait_gone("backup", b)
            if check("%s backup %s deleted (404)" % (label, b), ok, brief(last)):
                cleanup["backups"].remove(b)

    rc, out = cinder("backup-list")
    check("cinder backup-list no longer shows the backups",
          rc == 0 and full not in out and incr not in out, indent(out))

    # --- volumes: delete them through the API -----------------------------------
    for v in list(cleanup["volumes"]):
        rc, out = cinder("delete", v)
        if check("cinder delete <volume %s>" % v, rc == 0, indent(out)):
            ok, last = wait_gone("volume", v)
            if check("volume %s deleted (404) and its file removed" % v,
                     ok and not os.path.exists(volume_path(v)), brief(last)):
                cleanup["volumes"].remove(v)


def best_effort_cleanup(cleanup):
    for b in list(cleanup["backups"]):
        api("POST", "/backups/%s/action" % b, {"os-reset_status": {"status": "available"}})
        api("DELETE", "/backups/%s" % b)
        wait_gone("backup", b, 30)
    for v in list(cleanup["volumes"]):
        api("POST", "/volumes/%s/action" % v, {"os-reset_status": {"status": "available"}})
        api("DELETE", "/volumes/%s" % v)


def main():
    for exe in (CINDER, OPENSTACK):
        if not os.access(exe, os.X_OK):
            log("FAIL %s is missing (install python3-cinderclient / python3-openstackclient)" % exe)
            log("functional: 0 passed, 1 failed")
            return 1
    log("functional test against %s (project %s, volumes in %s)" % (URL, PROJECT, VOLUMES_DIR))
    cleanup = {"volumes": [], "backups": []}
    try:
        scenario(cleanup)
    except Abort as e:
        log("  scenario aborted after failed step: %s" % e)
    except Exception as e:  # a bug in the test or an unexpected answer
        check("scenario ran without an unexpected error", False, "%s: %s" % (type(e).__name__, e))
    finally:
        if cleanup["volumes"] or cleanup["backups"]:
            log("  cleaning up left-overs: %s" % cleanup)
            best_effort_cleanup(cleanup)
    passed = sum(1 for _, ok, _ in results if ok)
    failed = len(results) - passed
    if failed:
        log("failed checks:")
        for name, ok, _ in results:
            if not ok:
                log("  - %s" % name)
    log("functional: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
