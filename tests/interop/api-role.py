#!/usr/bin/python3
"""API-role test: Ember's `bin/ember-api` serves the backup API beside Debian's cinder-api,
cinder-scheduler and cinder-volume (RBD), with Ember as cinder-backup. The stock `cinder` client is
pointed at ember-api (CINDER_ENDPOINT) for every backup command and at cinder-api for volumes. A
restore into a new volume makes that volume through cinder-scheduler and cinder-volume; restored
data is compared by SHA-256 (librbd). cinder-api and ember-api must answer the same JSON for the same
backups (show, list, detail list). Prints one line per check and ends with
"interop api role: N passed, N failed".

Environment: OS_AUTH_TYPE=noauth, OS_USER_ID, OS_PROJECT_ID, OS_VOLUME_API_VERSION, CEPH_CONF (as
dropin.py), CINDER_API_URL and EMBER_API_URL (http://127.0.0.1:<port>, no path), EMBER_API_PID,
EMBER_API_LOG (its --log-file), CINDER_CONF and EMBER_API_PORT_CONF (its two --config-files),
CINDER_CONF_SHA256 (the services' cinder.conf's hash before Ember started), CINDER_DB (the database,
for the services rows).
"""
import base64
import hashlib
import json
import os
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dropin  # noqa: E402  (its librbd, table and wait helpers)
from dropin import Fail, rows, sha, table, write_random  # noqa: E402

PROJECT = os.environ["OS_PROJECT_ID"]
USER = os.environ["OS_USER_ID"]
CINDER_API = os.environ["CINDER_API_URL"]
EMBER_API = os.environ["EMBER_API_URL"]
VERSION = os.environ.get("OS_VOLUME_API_VERSION", "3.64")
TIMEOUT = dropin.TIMEOUT
PASSED = 0
FAILED = 0
STOP = False
S = {}


def cli(base, *args, ok=True):
    """/usr/bin/cinder with its endpoint overridden to BASE."""
    env = dict(os.environ, CINDER_ENDPOINT="%s/v3/%s" % (base, PROJECT))
    p = subprocess.run([dropin.CINDER, *args], capture_output=True, text=True, timeout=TIMEOUT + 60, env=env)
    if ok and p.returncode != 0:
        raise Fail("cinder %s (at %s) failed (%d): %s%s" % (" ".join(args), base, p.returncode, p.stdout, p.stderr))
    return p


def ember(*args, ok=True):
    return cli(EMBER_API, *args, ok=ok)


def cinder(*args, ok=True):
    return cli(CINDER_API, *args, ok=ok)


def check(name, fn):
    global PASSED, FAILED
    if STOP:
        print("SKIP %s (an earlier step this depends on failed)" % name, flush=True)
        FAILED += 1
        return None
    t0 = time.time()
    try:
        r = fn()
        PASSED += 1
        print("ok   %s (%.1fs)" % (name, time.time() - t0), flush=True)
        return r
    except Exception as e:  # noqa
        FAILED += 1
        print("FAIL %s (%.1fs): %s" % (name, time.time() - t0, e), flush=True)
        return None


def wait(run, kind, ident, want, bad=("error",)):
    deadline = time.time() + TIMEOUT
    last = None
    while time.time() < deadline:
        p = run(kind + "-show" if kind != "volume" else "show", ident, ok=False)
        if p.returncode != 0 and "want_deleted" in want:
            return {"status": "deleted"}
        d = table(p.stdout)
        last = d
        st = d.get("status")
        if st in want:
            return d
        if st in bad or (st or "").startswith("error"):
            raise Fail("%s %s went to %s (fail_reason: %s)" % (kind, ident, st, d.get("fail_reason")))
        time.sleep(1)
    raise Fail("%s %s not %s within %ds (last: %s)" % (kind, ident, want, TIMEOUT, last.get("status") if last else None))


def get_json(base, path):
    req = urllib.request.Request(base + "/v3/%s%s" % (PROJECT, path), headers={
        "X-Auth-Token": "%s:%s" % (USER, PROJECT), "OpenStack-API-Version": "volume " + VERSION,
        "Accept": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return r.status, json.loads(r.read().decode())


def without_base(doc, base):
    """The document with the service's own URL (it differs: two ports) in its links replaced."""
    return json.loads(json.dumps(doc).replace(base, "http://API"))


# ------------------------------------------------------------------ the service's own checks

def started_from_the_services_conf():
    """The process is `ember api` with the services' cinder.conf and the one-line port file only,
    and the services' cinder.conf is unchanged."""
    pid = os.environ["EMBER_API_PID"]
    with open("/proc/%s/cmdline" % pid, "rb") as f:
        argv = [a.decode() for a in f.read().split(b"\0") if a]
    jar = next(i for i, a in enumerate(argv) if a.endswith("ember.jar"))
    want = ["api", "--config-file=" + os.environ["CINDER_CONF"], "--config-file=" + os.environ["EMBER_API_PORT_CONF"],
            "--log-file=" + os.environ["EMBER_API_LOG"]]
    if argv[jar + 1:] != want:
        raise Fail("arguments %s, expected %s" % (argv[jar + 1:], want))
    with open(os.environ["EMBER_API_PORT_CONF"]) as f:
        lines = [l.strip() for l in f if l.strip() and not l.strip().startswith("#")]
    if len(lines) != 2 or lines[0] != "[DEFAULT]" or not lines[1].startswith("osapi_volume_listen_port"):
        raise Fail("the second --config-file holds more than the listen port: %s" % lines)
    with open(os.environ["CINDER_CONF"], "rb") as f:
        if hashlib.sha256(f.read()).hexdigest() != os.environ["CINDER_CONF_SHA256"]:
            raise Fail("cinder.conf changed while Ember ran")


def listens_on_its_port():
    port = int(EMBER_API.rsplit(":", 1)[1])
    ports = dropin.listening_ports(os.environ["EMBER_API_PID"])
    if ports != [port]:
        raise Fail("ember-api listens on %s, expected only %d" % (ports, port))
    with open(os.environ["EMBER_API_LOG"]) as f:
        text = f.read()
    if "(api role) listening on port %d" % port not in text:
        raise Fail("%s has no start line of the api role on port %d" % (os.environ["EMBER_API_LOG"], port))


def no_service_row():
    """cinder-api registers no service; nor does ember-api: the one cinder-backup row is the backup
    role's (the JUnit BackupRoleTest checks that the api role runs no manager and consumes nothing)."""
    out = cinder("service-list").stdout
    binaries = sorted(r.get("Binary") for r in rows(out))
    if binaries.count("cinder-backup") != 1 or "cinder-api" in binaries:
        raise Fail("cinder service-list: %s" % out)


# ------------------------------------------------------------------ backups through ember-api

def create_volume():
    d = table(cinder("create", "1", "--name", "api-role-src").stdout)
    S["src"] = d["id"]
    wait(cinder, "volume", S["src"], {"available"})
    write_random(S["src"], 11)
    S["sha_full"] = sha(S["src"])


def backup_full():
    d = table(ember("backup-create", "--name", "api-role-full", S["src"]).stdout)
    S["full"] = d["id"]
    b = wait(ember, "backup", S["full"], {"available"})
    if b.get("is_incremental") not in ("False", None):
        raise Fail("a full backup shows is_incremental %s" % b.get("is_incremental"))
    if table(cinder("show", S["src"]).stdout).get("status") != "available":
        raise Fail("the source volume did not return to available")


def backup_incremental():
    write_random(S["src"], 12)
    S["sha_inc"] = sha(S["src"])
    if S["sha_inc"] == S["sha_full"]:
        raise Fail("the second write changed nothing")
    d = table(ember("backup-create", "--incremental", "--name", "api-role-inc", S["src"]).stdout)
    S["inc"] = d["id"]
    b = wait(ember, "backup", S["inc"], {"available"})
    if b.get("is_incremental") != "True":
        raise Fail("is_incremental %s" % b.get("is_incremental"))


def list_show():
    ids = {r.get("ID") for r in rows(ember("backup-list").stdout)}
    if not {S["full"], S["inc"]} <= ids:
        raise Fail("backup-list through ember-api: %s" % ids)
    b = table(ember("backup-show", S["full"]).stdout)
    if b["volume_id"] != S["src"] or b["status"] != "available" or b.get("has_dependent_backups") != "True":
        raise Fail("backup-show through ember-api: %s" % b)


def same_json_as_cinder_api():
    for path in ("/backups/%s" % S["full"], "/backups/%s" % S["inc"], "/backups", "/backups/detail"):
        st_c, theirs = get_json(CINDER_API, path)
        st_e, ours = get_json(EMBER_API, path)
        theirs, ours = without_base(theirs, CINDER_API), without_base(ours, EMBER_API)
        if (st_c, theirs) != (st_e, ours):
            raise Fail("GET %s differs:\n cinder-api %d %s\n ember-api  %d %s" % (
                path, st_c, json.dumps(theirs, sort_keys=True), st_e, json.dumps(ours, sort_keys=True)))


def export_record():
    """The record ember-api exports is cinder-api's but for updated_at: each API saves the host it
    picked before asking it (cinder's backup.save()), so each record carries its own export's time,
    which is then the backup's updated_at."""
    def record(run):
        d = table(run("backup-export", S["inc"]).stdout)
        if not d.get("backup_service") or not d.get("backup_url"):
            raise Fail("backup-export: %s" % d)
        r = json.loads(base64.b64decode(d["backup_url"]))
        shown = get_json(CINDER_API, "/backups/%s" % S["inc"])[1]["backup"]["updated_at"]
        if not shown.startswith(r["updated_at"].rstrip("Z")):
            raise Fail("the record's updated_at %s is not the backup's %s" % (r["updated_at"], shown))
        return d["backup_service"], {k: v for k, v in r.items() if k != "updated_at"}
    ours, theirs = record(ember), record(cinder)
    if ours != theirs:
        raise Fail("the record differs from cinder-api's: %s vs %s" % (ours, theirs))


def reset_state():
    for state in ("error", "available"):
        ember("backup-reset-state", "--state", state, S["full"])
        deadline = time.time() + 30
        while table(ember("backup-show", S["full"]).stdout).get("status") != state:
            if time.time() > deadline:
                raise Fail("backup-reset-state --state %s did not take effect" % state)
            time.sleep(0.5)


def restore_new_volume():
    out = ember("backup-restore", S["inc"]).stdout
    d = table(out)
    vid = d.get("volume_id")
    if not vid:
        raise Fail("no volume_id in %s" % out)
    S["restored"] = vid
    if d.get("volume_name") != "restore_backup_%s" % S["inc"]:
        raise Fail("volume_name %s" % d.get("volume_name"))
    wait(ember, "backup", S["inc"], {"available"}, bad=())
    v = wait(cinder, "volume", vid, {"available"}, bad=("error", "error_restoring"))
    # Made by cinder-volume on the pool cinder-scheduler chose, of the default type.
    if "@" not in (v.get("os-vol-host-attr:host") or "@") or v.get("volume_type") != "__DEFAULT__":
        raise Fail("the new volume: host %s, type %s" % (v.get("os-vol-host-attr:host"), v.get("volume_type")))
    if v.get("size") != "1":
        raise Fail("size %s, the backup's is 1" % v.get("size"))
    got = sha(vid)
    if got != S["sha_inc"]:
        raise Fail("sha256 of the restored volume differs")


def restore_existing_volume():
    ember("backup-restore", "--volume", S["src"], S["full"])
    time.sleep(1)
    wait(cinder, "volume", S["src"], {"available"}, bad=("error", "error_restoring"))
    wait(ember, "backup", S["full"], {"available"}, bad=())
    if sha(S["src"]) != S["sha_full"]:
        raise Fail("sha256 after restoring the full backup onto the source differs")


def delete_from_top():
    p = ember("backup-delete", S["full"], ok=False)
    out = p.stdout + p.stderr
    if p.returncode == 0 or "Incremental backups exist for this backup" not in out:
        raise Fail("deleting the parent first: %s" % out)
    for b in (S["inc"], S["full"]):
        ember("backup-delete", b)
        wait(ember, "backup", b, {"want_deleted"}, bad=("error", "error_deleting"))
    ids = {r.get("ID") for r in rows(cinder("backup-list").stdout)}
    if ids & {S["inc"], S["full"]}:
        raise Fail("still listed by cinder-api: %s" % ids)
    S.pop("inc"), S.pop("full")


def cleanup():
    for b in (S.get("inc"), S.get("full")):
        if b:
            ember("backup-delete", "--force", b, ok=False)
    for v in (S.get("restored"), S.get("src")):
        if v:
            cinder("delete", v, ok=False)


def main():
    global STOP
    print("ember-api at %s, cinder-api at %s" % (EMBER_API, CINDER_API), flush=True)
    check("ember-api runs with the services' cinder.conf and a second file holding only the port",
          started_from_the_services_conf)
    check("ember-api listens on its port only and logs to its --log-file", listens_on_its_port)
    check("ember-api adds no services row", no_service_row)
    check("create a 1 GiB RBD volume through cinder-api and write data (librbd)", create_volume)
    STOP = FAILED > 0
    check("backup-create through ember-api: full", backup_full)
    STOP = FAILED > 0
    check("backup-create --incremental through ember-api", backup_incremental)
    STOP = FAILED > 0
    check("backup-list and backup-show through ember-api", list_show)
    check("GET backups (show, list, detail) answer the same JSON from cinder-api and ember-api",
          same_json_as_cinder_api)
    check("backup-export through ember-api (the record cinder-api exports)", export_record)
    check("backup-reset-state error/available through ember-api", reset_state)
    check("backup-restore into a new volume (cinder-scheduler, cinder-volume; sha256 equal)", restore_new_volume)
    check("backup-restore --volume onto the source volume (sha256 equal)", restore_existing_volume)
    check("backup-delete through ember-api, top first (the parent is refused before)", delete_from_top)
    STOP = False
    cleanup()
    print("interop api role: %d passed, %d failed" % (PASSED, FAILED), flush=True)
    return 0 if FAILED == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
