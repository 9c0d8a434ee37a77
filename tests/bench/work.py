#!/usr/bin/python3
"""One round of the backup bench through cinder-api (noauth), whoever the backup service is.

On a volume of SIZE MiB written completely (rbd bench, 4 MiB sequential): time a full backup, an
incremental after 1 % random 4 KiB writes, and a restore of that incremental into a new volume,
each from the API call until cinder-api shows the resource `available` (polled every 0.1 s).
The restored volume must equal the source byte for byte (md5 of `rbd export`), or the round fails.
While the round runs, the backup service's RSS is sampled every 0.2 s (VmRSS of PID).

Prints one JSON object: {"full_s", "incr_s", "restore_s", "rss_max_kib", "rss_end_kib", "equal"}.
Exit status 0 only when every step reached `available` and the content was equal.

Usage: work.py --api URL --project P --user U --size-mib N --pid PIDFILE --ceph-conf CONF
"""
import argparse
import hashlib
import json
import subprocess
import sys
import threading
import time

import requests


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--api", required=True)
    ap.add_argument("--project", required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--size-mib", type=int, required=True)
    ap.add_argument("--pid", required=True)
    ap.add_argument("--ceph-conf", required=True)
    ap.add_argument("--pool", default="volumes")
    a = ap.parse_args()

    base = "%s/v3/%s" % (a.api.rstrip("/"), a.project)
    s = requests.Session()
    s.headers.update({"X-Auth-Token": "%s:%s" % (a.user, a.project),
                      "OpenStack-API-Version": "volume 3.64",
                      "Content-Type": "application/json"})
    rbd = ["rbd", "-c", a.ceph_conf, "--id", "cinder"]
    # cinder sizes volumes in GiB: a smaller bench still needs a 1 GiB volume, of which SIZE MiB
    # are written (the smoke run), so the figures are "time for SIZE MiB of data".
    size_gib = max(1, (a.size_mib + 1023) // 1024)
    write_bytes = a.size_mib << 20

    def call(method, path, body=None, ok=(200, 202)):
        r = s.request(method, base + path, data=json.dumps(body) if body is not None else None,
                      timeout=60)
        if r.status_code not in ok:
            raise SystemExit("%s %s -> %d %s" % (method, path, r.status_code, r.text[:300]))
        return r.json() if r.text else None

    def wait(kind, rid, want="available", limit=1800):
        end = time.monotonic() + limit
        while time.monotonic() < end:
            r = s.get("%s/%s/%s" % (base, kind, rid), timeout=60)
            if r.status_code == 404 and want is None:
                return
            st = r.json()[kind[:-1]]["status"] if r.status_code == 200 else None
            if st == want:
                return
            if st and st.startswith("error"):
                raise SystemExit("%s %s went to %s" % (kind[:-1], rid, st))
            time.sleep(0.1)
        raise SystemExit("%s %s: not %s after %d s" % (kind[:-1], rid, want, limit))

    def timed(fn):
        t = time.monotonic()
        fn()
        return round(time.monotonic() - t, 3)

    pid = int(open(a.pid).read().strip())
    samples = []
    done = threading.Event()

    def sample():
        while not done.is_set():
            try:
                with open("/proc/%d/status" % pid) as f:
                    for line in f:
                        if line.startswith("VmRSS:"):
                            samples.append(int(line.split()[1]))
            except OSError:
                pass
            done.wait(0.2)
    threading.Thread(target=sample, daemon=True).start()

    made = {"volumes": [], "backups": []}
    try:
        vol = call("POST", "/volumes", {"volume": {"size": size_gib, "name": "bench"}})["volume"]["id"]
        made["volumes"].append(vol)
        wait("volumes", vol)
        img = "%s/volume-%s" % (a.pool, vol)
        subprocess.run(rbd + ["bench", "--io-type", "write", "--io-size", "4M", "--io-threads", "8",
                              "--io-total", str(write_bytes), "--io-pattern", "seq", img],
                       check=True, stdout=subprocess.DEVNULL)
        out = {}
        ids = {}

        def full():
            ids["full"] = call("POST", "/backups", {"backup": {"volume_id": vol, "name": "bench-full"}})["backup"]["id"]
            made["backups"].append(ids["full"])
            wait("backups", ids["full"])
        out["full_s"] = timed(full)
        subprocess.run(rbd + ["bench", "--io-type", "write", "--io-size", "4K", "--io-threads", "8",
                              "--io-total", str(write_bytes // 100), "--io-pattern", "rand", img],
                       check=True, stdout=subprocess.DEVNULL)

        def incr():
            ids["incr"] = call("POST", "/backups", {"backup": {"volume_id": vol, "name": "bench-incr",
                                                               "incremental": True}})["backup"]["id"]
            made["backups"].append(ids["incr"])
            wait("backups", ids["incr"])
        out["incr_s"] = timed(incr)

        def restore():
            r = call("POST", "/backups/%s/restore" % ids["incr"], {"restore": {"name": "bench-restored"}})
            ids["restored"] = r["restore"]["volume_id"]
            made["volumes"].append(ids["restored"])
            wait("volumes", ids["restored"])
            wait("backups", ids["incr"])
        out["restore_s"] = timed(restore)

        def md5(image):
            h = hashlib.md5()
            p = subprocess.Popen(rbd + ["export", "--no-progress", image, "-"], stdout=subprocess.PIPE)
            for chunk in iter(lambda: p.stdout.read(1 << 20), b""):
                h.update(chunk)
            if p.wait() != 0:
                raise SystemExit("rbd export %s failed" % image)
            return h.hexdigest()
        out["equal"] = md5(img) == md5("%s/volume-%s" % (a.pool, ids["restored"]))
    finally:
        done.set()
        for b in reversed(made["backups"]):
            try:
                call("DELETE", "/backups/%s" % b, ok=(202, 404))
                wait("backups", b, want=None, limit=600)
            except SystemExit as e:
                print("cleanup: %s" % e, file=sys.stderr)
        for v in made["volumes"]:
            s.delete("%s/volumes/%s" % (base, v), timeout=60)
    out["rss_max_kib"] = max(samples) if samples else None
    out["rss_end_kib"] = samples[-1] if samples else None
    print(json.dumps(out))
    return 0 if out.get("equal") else 1


if __name__ == "__main__":
    sys.exit(main())
