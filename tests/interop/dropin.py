#!/usr/bin/python3
"""Drop-in test: the stock `cinder` client talks only to Debian's cinder-api; cinder-scheduler and
cinder-volume (RBD) are Debian's too; Ember is the cinder-backup service. Volume data is written and
read with librbd's Python binding. Prints one line per check and ends with
"interop: N passed, N failed". Environment: the client's (OS_AUTH_TYPE=noauth, OS_USER_ID,
OS_PROJECT_ID, CINDER_ENDPOINT, OS_VOLUME_API_VERSION), CEPH_CONF, INTEROP_TIMEOUT (s, per wait);
for the service-role checks: EMBER_BACKUP_PID, EMBER_BACKUP_LOG (the --log-file it was given),
CINDER_CONF and CINDER_CONF_SHA256 (the services' cinder.conf and its hash before Ember started).
"""
import hashlib
import os
import random
import re
import subprocess
import sys
import time

import rados
import rbd

CEPH_CONF = os.environ["CEPH_CONF"]
TIMEOUT = int(os.environ.get("INTEROP_TIMEOUT", "180"))
CINDER = "/usr/bin/cinder"
PASSED = 0
FAILED = 0
STOP = False


class Fail(Exception):
    pass


def cinder(*args, ok=True):
    p = subprocess.run([CINDER, *args], capture_output=True, text=True, timeout=TIMEOUT + 60)
    if ok and p.returncode != 0:
        raise Fail("cinder %s failed (%d): %s%s" % (" ".join(args), p.returncode, p.stdout, p.stderr))
    return p


def table(out):
    """The Property/Value table of cinder's show/create output as a dict."""
    d = {}
    for line in out.splitlines():
        m = re.match(r"^\|\s*(\S[^|]*?)\s*\|\s*(.*?)\s*\|$", line)
        if m and m.group(1) not in ("Property", "Field"):
            d[m.group(1)] = m.group(2)
    return d


def rows(out):
    """The rows of a list table as dicts keyed by the header."""
    lines = [l for l in out.splitlines() if l.startswith("|")]
    if not lines:
        return []
    head = [h.strip() for h in lines[0].strip("|").split("|")]
    return [dict(zip(head, [c.strip() for c in l.strip("|").split("|")])) for l in lines[1:]]


def check(name, fn):
    global PASSED, FAILED, STOP
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


def wait(kind, ident, want, bad=("error",)):
    deadline = time.time() + TIMEOUT
    last = None
    while time.time() < deadline:
        p = cinder(kind + "-show" if kind != "volume" else "show", ident, ok=False)
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
    raise Fail("%s %s not %s within %ds (last: %s)" % (kind, ident, want, TIMEOUT,
                                                      last.get("status") if last else None))


def image(vid):
    cluster = rados.Rados(conffile=CEPH_CONF, rados_id="cinder")
    cluster.connect(timeout=30)
    io = cluster.open_ioctx("volumes")
    return cluster, io, rbd.Image(io, "volume-" + vid)


def write_random(vid, seed, count=16):
    cluster, io, img = image(vid)
    try:
        rnd = random.Random(seed)
        size = img.size()
        for _ in range(count):
            off = rnd.randrange(0, size // 4096) * 4096
            img.write(rnd.randbytes(65536)[: min(65536, size - off)], off)
        img.flush()
    finally:
        img.close(); io.close(); cluster.shutdown()


def sha(vid):
    cluster, io, img = image(vid)
    try:
        h = hashlib.sha256()
        size = img.size()
        off = 0
        while off < size:
            n = min(4 << 20, size - off)
            h.update(img.read(off, n))
            off += n
        return h.hexdigest()
    finally:
        img.close(); io.close(); cluster.shutdown()


S = {}


def create_volume():
    d = table(cinder("create", "1", "--name", "interop-src").stdout)
    S["src"] = d["id"]
    wait("volume", S["src"], {"available"})
    write_random(S["src"], 1)
    S["sha_full"] = sha(S["src"])


def backup_create():
    d = table(cinder("backup-create", "--name", "interop-full", S["src"]).stdout)
    S["full"] = d["id"]
    b = wait("backup", S["full"], {"available"})
    assert b.get("is_incremental") in ("False", None), b


def backup_incremental():
    write_random(S["src"], 2)
    S["sha_inc"] = sha(S["src"])
    assert S["sha_inc"] != S["sha_full"]
    d = table(cinder("backup-create", "--incremental", "--name", "interop-inc", S["src"]).stdout)
    S["inc"] = d["id"]
    b = wait("backup", S["inc"], {"available"})
    assert b.get("is_incremental") == "True", b


def backup_list_show():
    ids = {r.get("ID") for r in rows(cinder("backup-list").stdout)}
    assert {S["full"], S["inc"]} <= ids, ids
    b = table(cinder("backup-show", S["full"]).stdout)
    assert b["volume_id"] == S["src"] and b["status"] == "available", b
    assert b.get("has_dependent_backups") == "True", b


def delete_from_top_refused():
    p = cinder("backup-delete", S["full"], ok=False)
    out = p.stdout + p.stderr
    assert p.returncode != 0 and "Incremental backups exist for this backup" in out, out
    assert table(cinder("backup-show", S["full"]).stdout)["status"] == "available"


def restore_new_volume():
    out = cinder("backup-restore", S["inc"]).stdout
    d = table(out)
    vid = d.get("volume_id")
    assert vid, out
    S["restored"] = vid
    wait("backup", S["inc"], {"available"}, bad=())
    wait("volume", vid, {"available"}, bad=("error", "error_restoring"))
    got = sha(vid)
    assert got == S["sha_inc"], "sha256 of the restored volume differs"


def restore_same_volume():
    cinder("backup-restore", "--volume", S["src"], S["full"])
    time.sleep(1)
    wait("volume", S["src"], {"available"}, bad=("error", "error_restoring"))
    wait("backup", S["full"], {"available"}, bad=())
    got = sha(S["src"])
    assert got == S["sha_full"], "sha256 after restoring the full backup onto the source differs"


def export_import():
    d = table(cinder("backup-export", S["inc"]).stdout)
    svc, url = d["backup_service"], d["backup_url"]
    S["record"] = (svc, url)
    cinder("backup-delete", S["inc"])
    wait("backup", S["inc"], {"want_deleted"}, bad=("error", "error_deleting"))
    d = table(cinder("backup-import", svc, url).stdout)
    assert d.get("id") == S["inc"], d
    b = wait("backup", S["inc"], {"available"})
    assert b["volume_id"] in (S["src"], "00000000-0000-0000-0000-000000000000"), b


def reset_state():
    cinder("backup-reset-state", "--state", "error", S["full"])
    deadline = time.time() + 30
    while time.time() < deadline:
        if table(cinder("backup-show", S["full"]).stdout)["status"] == "error":
            break
        time.sleep(0.5)
    else:
        raise Fail("backup-reset-state --state error did not take effect")
    cinder("backup-reset-state", "--state", "available", S["full"])
    deadline = time.time() + 30
    while time.time() < deadline:
        if table(cinder("backup-show", S["full"]).stdout)["status"] == "available":
            return
        time.sleep(0.5)
    raise Fail("backup-reset-state --state available did not take effect")


def delete_all():
    mine = [S[k] for k in ("inc", "full") if k in S]
    for b in mine:
        cinder("backup-delete", b)
        wait("backup", b, {"want_deleted"}, bad=("error", "error_deleting"))
    ids = {r.get("ID") for r in rows(cinder("backup-list").stdout)}
    assert not (set(mine) & ids), ids


def started_like_cinder_backup():
    """The process is Ember's backup role with Debian's cinder-backup arguments and nothing more, and
    the services' cinder.conf is unchanged."""
    pid = os.environ["EMBER_BACKUP_PID"]
    with open("/proc/%s/cmdline" % pid, "rb") as f:
        argv = [a.decode() for a in f.read().split(b"\0") if a]
    jar = next(i for i, a in enumerate(argv) if a.endswith("ember.jar"))
    want = ["backup", "--config-file=" + os.environ["CINDER_CONF"], "--log-file=" + os.environ["EMBER_BACKUP_LOG"]]
    if argv[jar + 1:] != want:
        raise Fail("arguments %s, expected %s" % (argv[jar + 1:], want))
    with open(os.environ["CINDER_CONF"], "rb") as f:
        if hashlib.sha256(f.read()).hexdigest() != os.environ["CINDER_CONF_SHA256"]:
            raise Fail("cinder.conf changed while Ember ran")


def listening_ports(pid):
    """TCP ports the process listens on, from /proc: its socket inodes in LISTEN state."""
    inodes = set()
    for fd in os.listdir("/proc/%s/fd" % pid):
        try:
            link = os.readlink("/proc/%s/fd/%s" % (pid, fd))
        except OSError:
            continue
        m = re.match(r"socket:\[(\d+)\]", link)
        if m:
            inodes.add(m.group(1))
    ports = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            for line in f.readlines()[1:]:
                cols = line.split()
                if cols[3] == "0A" and cols[9] in inodes:   # 0A: TCP_LISTEN
                    ports.append(int(cols[1].rsplit(":", 1)[1], 16))
    return ports


def no_http_port():
    ports = listening_ports(os.environ["EMBER_BACKUP_PID"])
    if ports:
        raise Fail("the backup role listens on TCP ports %s; cinder-backup opens none" % ports)


def service_up_in_service_list():
    out = cinder("service-list", "--binary", "cinder-backup").stdout
    mine = [r for r in rows(out) if r.get("Binary") == "cinder-backup"]
    if not mine or any(r.get("State") != "up" or r.get("Status") != "enabled" for r in mine):
        raise Fail("cinder service-list --binary cinder-backup: %s" % out)


def logs_to_log_file():
    path = os.environ["EMBER_BACKUP_LOG"]
    with open(path) as f:
        text = f.read()
    if "(backup role) started as cinder-backup host" not in text:
        raise Fail("%s has no start line of the backup role" % path)


def cleanup():
    for v in (S.get("restored"), S.get("src")):
        if v:
            cinder("delete", v, ok=False)


def main():
    global STOP
    print("cinder-api at %s" % os.environ.get("CINDER_ENDPOINT"), flush=True)
    check("ember-backup runs with cinder-backup's command line and the services' cinder.conf as it is",
          started_like_cinder_backup)
    check("the backup role opens no listening port", no_http_port)
    check("cinder service-list (through cinder-api) shows cinder-backup up", service_up_in_service_list)
    check("the backup role logs to the --log-file it was given", logs_to_log_file)
    check("create a 1 GiB RBD volume and write data (librbd)", create_volume)
    STOP = FAILED > 0
    check("backup-create: full backup made by Ember", backup_create)
    STOP = FAILED > 0
    check("backup-create --incremental", backup_incremental)
    incremental_ok = FAILED == 0
    check("backup-list and backup-show", backup_list_show)
    check("deleting a backup with incrementals is refused", delete_from_top_refused)
    STOP = not incremental_ok
    check("backup-restore to a new volume (sha256 equal)", restore_new_volume)
    check("backup-restore onto the source volume (sha256 equal)", restore_same_volume)
    check("backup-export, delete, backup-import", export_import)
    STOP = False
    check("backup-reset-state error/available", reset_state) if "full" in S else None
    check("backup-delete (top first)", delete_all) if "full" in S else None
    cleanup()
    print("interop: %d passed, %d failed" % (PASSED, FAILED), flush=True)
    return 0 if FAILED == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
