#!/usr/bin/python3
"""Differential test of the backup API: the same request corpus against Debian's cinder-api (with
Debian's cinder-backup, -scheduler and -volume on RBD) and against Ember's own API; every answer is
normalised (ids, timestamps, request ids, hosts, volatile headers) and compared: status, headers and
body (JSON deep, key order ignored, list order kept; other bodies as text).

Each side runs the same scenario in its own thread: it creates its volumes, snapshots and
attachments through its own volume API (setup steps, never compared) and waits for states by
polling; every corpus request ("case") is then sent to both with the same method, path template,
headers and body; only the ids filled into the templates differ.

Usage: differ.py [--list | --replay]  (--list prints the case ids; --replay compares again the
       answers recorded by the last run in <out>/raw.json, sending nothing)
Environment:
  DIFF_CINDER_URL   cinder-api, e.g. http://127.0.0.1:18796
  DIFF_EMBER_URL    Ember's API, e.g. http://127.0.0.1:18797
  DIFF_PROJECT, DIFF_USER   the hex project and user ids of the noauth token "user:project"
  DIFF_OUT          output directory (report.txt, results.json); default <checkout>/data/diff
  DIFF_DELIBERATE   the deliberate-differences file (default <checkout>/api-ref/deliberate-differences.md)
  DIFF_TIMEOUT      seconds per wait for a state (default 150)
  DIFF_ONLY         a regular expression: compare only the cases whose id matches (all still run)
Ends with "differential: N passed, N failed" (one case per corpus request); exit 1 on any failure.
"""
import base64
import difflib
import fnmatch
import http.client
import json
import os
import re
import sys
import threading
import time
import traceback
import urllib.parse

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PROJECT = os.environ.get("DIFF_PROJECT", "7e1e5a0d9b2c4f7e8a6b5c4d3e2f1a0b")
USER = os.environ.get("DIFF_USER", "0f1e2d3c4b5a69788796a5b4c3d2e1f0")
OTHER_PROJECT = "0123456789abcdef0123456789abcdef"
TIMEOUT = float(os.environ.get("DIFF_TIMEOUT", "150"))
OUT = os.environ.get("DIFF_OUT", os.path.join(ROOT, "data", "diff"))
DELIBERATE = os.environ.get("DIFF_DELIBERATE", os.path.join(ROOT, "api-ref", "deliberate-differences.md"))

# Ids the corpus itself sends (the same on both sides): kept readable in the normalised answers.
MISSING = "9d0c8a6e-5b4a-4f3e-8d2c-1b0a9f8e7d6c"
MISSING2 = "1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9"
CONSTANT_IDS = {MISSING: "<missing-id>", MISSING2: "<missing-id-2>",
                "00000000-0000-0000-0000-000000000000": "00000000-0000-0000-0000-000000000000"}

# base64 of a JSON object ("{\"" encodes as "eyJ"), long enough to be a backup record
B64_JSON_RE = re.compile(r"eyJ[A-Za-z0-9+/]{40,}={0,2}")
UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
REQ_ID_RE = re.compile(r"req-[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
TIME_RE = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?")
HOST_RE = re.compile(r"https?://(?:127\.0\.0\.1|localhost|\[::1\])(?::\d+)?")
# Headers whose value is the transport's business, not the API's.
IGNORED_HEADERS = {"date", "server", "content-length", "connection", "keep-alive", "transfer-encoding"}
REQUEST_ID_HEADERS = {"x-openstack-request-id", "x-compute-request-id"}

JSON = "application/json"


def hdr(version=None, **extra):
    """Request headers: the microversion (None = no header) plus extras (value None drops one)."""
    h = {}
    if version is not None:
        h["OpenStack-API-Version"] = version if version.startswith(("volume", "compute")) or version == "" \
            else "volume " + version
    h.update({k.replace("_", "-"): v for k, v in extra.items()})
    return h


class Response:
    def __init__(self, status, headers, body, error=None):
        self.status = status
        self.headers = headers  # list of (name, value)
        self.body = body        # bytes
        self.error = error

    def json(self):
        try:
            return json.loads(self.body.decode("utf-8"))
        except Exception:  # noqa
            return None


class Side:
    """One API under test: its base URL, the ids its scenario captured, its recorded cases."""

    def __init__(self, name, url):
        self.name = name
        u = urllib.parse.urlsplit(url)
        self.host, self.port = u.hostname, u.port or 80
        self.ids = {}        # scenario name -> id
        self.records = []    # (case, request dict, Response)
        self.problems = []   # setup steps that did not go as planned
        self.fakes = set()   # names that got a made-up id because their step failed
        self.t0 = time.time()
        self.log = open(os.path.join(OUT, "%s.log" % name), "w")

    def dump(self):
        return {"ids": self.ids, "problems": self.problems, "elapsed": getattr(self, "elapsed", 0),
                "records": [{"case": c.id, "method": c.method, "path": c.path, "request": req,
                             "status": r.status, "headers": r.headers, "error": r.error,
                             "body": base64.b64encode(r.body).decode()} for c, req, r in self.records]}

    @classmethod
    def replayed(cls, name, d):
        side = cls.__new__(cls)
        side.name, side.ids, side.problems, side.elapsed = name, d["ids"], d["problems"], d["elapsed"]
        side.records = [(Case(x["case"], x["method"], x["path"]), x["request"],
                         Response(x["status"], [tuple(h) for h in x["headers"]], base64.b64decode(x["body"]),
                                  x["error"])) for x in d["records"]]
        return side

    def say(self, msg):
        self.log.write("[%7.1fs] %s\n" % (time.time() - self.t0, msg))
        self.log.flush()

    def fmt(self, s):
        if s is None:
            return None

        def sub(m):
            key = m.group(1)
            if key == "P":
                return PROJECT
            if key not in self.ids:
                # A step that should have created it failed on this side: send an id that exists
                # nowhere, registered under the same name so the normalised answers stay comparable.
                fake = "ffffffff-0000-4000-8000-%012x" % (abs(hash(key)) % (1 << 48))
                self.ids[key] = fake
                self.fakes.add(key)
                self.problems.append("no id for {%s} (an earlier step failed); sent %s" % (key, fake))
            return self.ids[key]
        return re.sub(r"\{([A-Za-z0-9_]+)\}", sub, s)

    def send(self, method, path, headers=None, body=None, raw=None, token=True, ctype=JSON):
        h = {"Accept": JSON}
        if token:
            h["X-Auth-Token"] = "%s:%s" % (USER, PROJECT)
        data = None
        if raw is not None:
            data = raw if isinstance(raw, bytes) else self.fmt(raw).encode("utf-8")
        elif body is not None:
            data = self.fmt(json.dumps(body)).encode("utf-8")
        if data is not None and ctype is not None:
            h["Content-Type"] = ctype
        for k, v in (headers or {}).items():
            for existing in [x for x in h if x.lower() == k.lower()]:
                del h[existing]
            if v is not None:
                h[k] = v
        path = self.fmt(path)
        conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
        try:
            conn.putrequest(method, path, skip_accept_encoding=True)
            for k, v in h.items():
                conn.putheader(k, v)
            if data is not None or method in ("POST", "PUT", "PATCH"):
                conn.putheader("Content-Length", str(len(data or b"")))
            conn.endheaders(data)
            r = conn.getresponse()
            resp = Response(r.status, r.getheaders(), r.read())
        except Exception as e:  # noqa
            resp = Response(0, [], b"", error="%s: %s" % (type(e).__name__, e))
        finally:
            conn.close()
        return path, h, data, resp

    # -- setup helpers (never compared) ---------------------------------------------------------
    def setup(self, what, method, path, body=None, version="3.0", want=(200, 202), capture=None):
        p, _, _, r = self.send(method, path, hdr(version), body)
        self.say("setup %s: %s %s -> %s %s" % (what, method, p, r.status, r.body[:300]))
        if r.status not in want:
            self.problems.append("setup %s: %s %s answered %s %s" % (what, method, p, r.status,
                                                                      r.body[:300].decode("utf-8", "replace")))
            return None
        j = r.json()
        if capture and j is not None:
            val = capture(j)
            if val:
                self.ids[what] = val
        return j

    def cleanup(self, path, version="3.0"):
        p, _, _, r = self.send("DELETE", path, hdr(version))
        self.say("cleanup: DELETE %s -> %s %s" % (p, r.status, r.body[:200]))
        return r.status

    def sweep(self):
        """Deletes whatever volumes and backups the side still lists (the databases are fresh per
        run, so that is only what this run made)."""
        for _ in range(3):
            _, _, _, r = self.send("GET", "/v3/{P}/backups/detail?all_tenants=1", hdr("3.0"))
            left = [b for b in ((r.json() or {}).get("backups") or []) if b.get("status") != "deleting"]
            for b in left:
                if b.get("status") not in ("available", "error"):
                    self.send("POST", "/v3/{P}/backups/%s/action" % b["id"], hdr("3.0"),
                              {"os-reset_status": {"status": "error"}})
                self.cleanup("/v3/{P}/backups/%s" % b["id"])
            _, _, _, r = self.send("GET", "/v3/{P}/volumes/detail?all_tenants=1", hdr("3.0"))
            vols = [v for v in ((r.json() or {}).get("volumes") or []) if v.get("status") != "deleting"]
            for v in vols:
                self.cleanup("/v3/{P}/volumes/%s" % v["id"])
            if not left and not vols:
                return
            time.sleep(3)
        self.problems.append("clean-up: volumes or backups still listed after the sweep")

    def get_status(self, kind, ident):
        _, _, _, r = self.send("GET", "/v3/{P}/%s/%s" % (kind, ident), hdr("3.0"))
        if r.status == 404:
            return "<deleted>", None
        j = r.json() or {}
        obj = j.get(kind[:-1]) or {}
        return obj.get("status"), obj

    def wait(self, kind, name, want, bad=("error",), timeout=None):
        """Polls GET /{kind}/{id} until its status is in want (a tuple; '<deleted>' for gone)."""
        if name not in self.ids or name in self.fakes:
            self.problems.append("wait for %s {%s}: it was never created" % (kind, name))
            return None
        ident = self.ids[name]
        deadline = time.time() + (timeout or TIMEOUT)
        status, obj = None, None
        while time.time() < deadline:
            status, obj = self.get_status(kind, ident)
            if status in want:
                self.say("wait %s {%s}: %s" % (kind, name, status))
                return status
            if (status in bad or status == "<deleted>") and status not in want:
                break
            time.sleep(0.5)
        self.problems.append("wait %s {%s} for %s: status %s (%s)" % (
            kind, name, "/".join(want), status, (obj or {}).get("fail_reason", "")))
        return status


class Case:
    def __init__(self, cid, method, path, headers=None, body=None, raw=None, token=True, ctype=JSON,
                 capture=None, note=""):
        self.id, self.method, self.path = cid, method, path
        self.headers, self.body, self.raw, self.token, self.ctype = headers, body, raw, token, ctype
        self.capture, self.note = capture, note


class Runner:
    """What the scenario talks to: run() sends a case and records it; the rest are setup steps."""

    def __init__(self, side):
        self.side = side
        self.seen = set()
        self.last_created = 0.0

    def pace(self):
        # Lists are ordered by created_at, which has whole seconds here; two backups made within
        # one second tie and fall back to their (random) ids. Keep creations 1.2 s apart.
        wait = self.last_created + 1.2 - time.time()
        if wait > 0:
            time.sleep(wait)

    def case(self, cid, method, path, headers=None, body=None, **kw):
        assert cid not in self.seen, "duplicate case id " + cid
        self.seen.add(cid)
        c = Case(cid, method, path, headers, body, **kw)
        creates = method == "POST" and (path.endswith("/backups") or path.endswith("/import_record"))
        if creates:
            self.pace()
        p, h, data, r = self.side.send(method, path, headers, body, raw=c.raw, token=c.token, ctype=c.ctype)
        self.side.say("case %s: %s %s -> %s %s" % (cid, method, p, r.status, r.body[:200]))
        if creates and 200 <= r.status < 300:
            self.last_created = time.time()
        self.side.records.append((c, {"method": method, "path": p, "headers": h,
                                      "body": (data or b"").decode("utf-8", "replace")}, r))
        if c.capture:
            name, fn = c.capture
            j = r.json()
            try:
                val = fn(j) if j is not None and 200 <= r.status < 300 else None
            except Exception:  # noqa
                val = None
            if val:
                self.side.ids[name] = val
            else:
                self.side.problems.append("case %s did not yield {%s} (%s)" % (cid, name, r.status))
        return r

    def __getattr__(self, item):
        return getattr(self.side, item)


# ------------------------------------------------------------------------------------------ corpus
V = "/v3/{P}"
B = V + "/backups"

BOOL_ID = ("id",)


def bid(j):
    return j["backup"]["id"]


def scenario(s):
    """The corpus. Runs once per side; s.case() requests are compared, the rest is setup."""
    # ---- setup: volumes through the side's own volume API ------------------------------------
    def vol(name, size=1):
        s.setup(name, "POST", V + "/volumes", {"volume": {"size": size, "name": "diff-" + name}},
                want=(202,), capture=lambda j: j["volume"]["id"])
    for n in ("vol_a", "vol_b", "vol_c", "vol_d", "vol_e"):
        vol(n)
    for n in ("vol_a", "vol_b", "vol_c", "vol_d", "vol_e"):
        s.wait("volumes", n, ("available",))
    s.setup("snap_a", "POST", V + "/snapshots", {"snapshot": {"volume_id": "{vol_a}", "name": "diff-snap-a"}},
            want=(202,), capture=lambda j: j["snapshot"]["id"])
    s.setup("snap_b", "POST", V + "/snapshots", {"snapshot": {"volume_id": "{vol_b}", "name": "diff-snap-b"}},
            want=(202,), capture=lambda j: j["snapshot"]["id"])
    s.wait("snapshots", "snap_a", ("available",))
    s.wait("snapshots", "snap_b", ("available",))
    # vol_d in-use: attachment-create (reserved) + os-complete, as the stock client does.
    s.setup("att_d", "POST", V + "/attachments",
            {"attachment": {"volume_uuid": "{vol_d}", "instance_uuid": "5f4e3d2c-1b0a-4987-a6b5-c4d3e2f1a0b9"}},
            version="3.44", want=(200,), capture=lambda j: j["attachment"]["id"])
    s.setup("att_d_complete", "POST", V + "/attachments/{att_d}/action", {"os-complete": None},
            version="3.44", want=(200, 202, 204))
    s.wait("volumes", "vol_d", ("in-use",))

    # ---- version documents and routing, before any backup exists -------------------------------
    s.case("versions-root", "GET", "/", token=False)
    s.case("versions-root-token", "GET", "/")
    s.case("versions-v3-slash", "GET", "/v3/")
    s.case("versions-v3-noslash", "GET", "/v3")
    s.case("versions-v3-slash-latest", "GET", "/v3/", hdr("latest"))
    s.case("versions-v2", "GET", "/v2/")
    s.case("versions-v2-backups", "GET", "/v2/{P}/backups")
    s.case("versions-v1", "GET", "/v1/")
    s.case("versions-v3-project-root", "GET", V)
    s.case("versions-v3-project-root-slash", "GET", V + "/")

    # ---- empty lists ------------------------------------------------------------------------------
    s.case("list-empty", "GET", B)
    s.case("detail-empty", "GET", B + "/detail")
    s.case("detail-empty-count", "GET", B + "/detail?with_count=true", hdr("3.45"))

    # ---- create: validation errors (no backup results) -------------------------------------------
    good = {"volume_id": MISSING}  # schema errors: checked before the volume is looked up
    s.case("create-empty-body", "POST", B, raw="")
    s.case("create-not-json", "POST", B, raw="{not json")
    s.case("create-json-array", "POST", B, body=[good])
    s.case("create-json-string", "POST", B, body="backup")
    s.case("create-backup-null", "POST", B, body={"backup": None})
    s.case("create-backup-string", "POST", B, body={"backup": "x"})
    s.case("create-missing-backup-key", "POST", B, body={"volume_id": MISSING})
    s.case("create-missing-volume-id", "POST", B, body={"backup": {"name": "x"}})
    s.case("create-volume-id-not-uuid", "POST", B, body={"backup": {"volume_id": "not-a-uuid"}})
    s.case("create-volume-id-int", "POST", B, body={"backup": {"volume_id": 12}})
    s.case("create-volume-missing", "POST", B, body={"backup": {"volume_id": MISSING}})
    s.case("create-unknown-key", "POST", B, body={"backup": {"volume_id": MISSING, "colour": "red"}})
    s.case("create-unknown-top-key", "POST", B, body={"backup": good, "extra": 1})
    s.case("create-name-int", "POST", B, body={"backup": {"volume_id": MISSING, "name": 5}})
    s.case("create-name-too-long", "POST", B, body={"backup": {"volume_id": MISSING, "name": "n" * 256}})
    s.case("create-description-too-long", "POST", B,
           body={"backup": {"volume_id": MISSING, "description": "d" * 256}})
    s.case("create-container-too-long", "POST", B, body={"backup": {"volume_id": MISSING, "container": "c" * 256}})
    s.case("create-incremental-bad", "POST", B, body={"backup": {"volume_id": MISSING, "incremental": "maybe"}})
    s.case("create-force-int", "POST", B, body={"backup": {"volume_id": MISSING, "force": 2}})
    s.case("create-snapshot-not-uuid", "POST", B, body={"backup": {"volume_id": MISSING, "snapshot_id": "x"}})
    s.case("create-snapshot-missing", "POST", B, body={"backup": {"volume_id": "{vol_a}", "snapshot_id": MISSING}})
    s.case("create-snapshot-other-volume", "POST", B,
           body={"backup": {"volume_id": "{vol_a}", "snapshot_id": "{snap_b}"}})
    s.case("create-metadata-3.0", "POST", B, hdr("3.0"), {"backup": {"volume_id": MISSING, "metadata": {"k": "v"}}})
    s.case("create-metadata-3.42", "POST", B, hdr("3.42"), {"backup": {"volume_id": MISSING, "metadata": {"k": "v"}}})
    s.case("create-metadata-bad-key-3.43", "POST", B, hdr("3.43"),
           {"backup": {"volume_id": MISSING, "metadata": {"bad*key": "v"}}})
    s.case("create-metadata-int-value-3.43", "POST", B, hdr("3.43"),
           {"backup": {"volume_id": MISSING, "metadata": {"k": 1}}})
    s.case("create-metadata-list-3.43", "POST", B, hdr("3.43"), {"backup": {"volume_id": MISSING, "metadata": ["k"]}})
    s.case("create-az-3.50", "POST", B, hdr("3.50"), {"backup": {"volume_id": MISSING, "availability_zone": "nova"}})
    s.case("create-az-int-3.51", "POST", B, hdr("3.51"), {"backup": {"volume_id": MISSING, "availability_zone": 1}})
    s.case("create-incremental-no-parent", "POST", B, body={"backup": {"volume_id": "{vol_a}", "incremental": True}})
    s.case("create-in-use-no-force", "POST", B, body={"backup": {"volume_id": "{vol_d}"}})
    s.case("create-content-type-text", "POST", B, body={"backup": good}, ctype="text/plain")
    s.case("create-content-type-xml", "POST", B, body={"backup": good}, ctype="application/xml")
    s.case("create-content-type-none", "POST", B, body={"backup": {"volume_id": MISSING}}, ctype=None)
    s.case("create-content-type-vnd", "POST", B, body={"backup": {"volume_id": MISSING}},
           ctype="application/vnd.openstack.volume+json")
    s.case("create-content-type-json-charset", "POST", B, body={"backup": {"volume_id": MISSING}},
           ctype="application/json; charset=UTF-8")
    s.case("create-too-large", "POST", B, body={"backup": {"volume_id": MISSING, "description": "x" * 120000}})
    s.case("create-malformed-version", "POST", B, hdr("volume 3.x"), {"backup": good})
    s.case("create-version-too-high", "POST", B, hdr("3.99"), {"backup": good})

    # ---- create: the good ones, one at a time (created_at differs, so list order is stable) -----
    s.case("create-full-named", "POST", B, hdr("3.0"),
           {"backup": {"volume_id": "{vol_a}", "name": "diff-full", "description": "first full"}},
           capture=("bk_full", bid))
    s.wait("backups", "bk_full", ("available",))
    s.case("show-full-3.0", "GET", B + "/{bk_full}")
    s.case("create-incremental", "POST", B, hdr("3.0"),
           {"backup": {"volume_id": "{vol_a}", "name": "diff-inc", "incremental": True}},
           capture=("bk_inc", bid))
    s.wait("backups", "bk_inc", ("available",))
    s.case("create-from-snapshot", "POST", B, hdr("3.0"),
           {"backup": {"volume_id": "{vol_a}", "name": "diff-snap", "snapshot_id": "{snap_a}",
                       "incremental": "false"}},
           capture=("bk_snap", bid))
    s.wait("backups", "bk_snap", ("available",))
    s.case("create-metadata-3.43", "POST", B, hdr("3.43"),
           {"backup": {"volume_id": "{vol_b}", "name": "diff-meta", "metadata": {"k1": "v1", "key two": "v2"}}},
           capture=("bk_meta", bid))
    s.wait("backups", "bk_meta", ("available",))
    s.case("create-az-3.51", "POST", B, hdr("3.51"),
           {"backup": {"volume_id": "{vol_b}", "name": "diff-az", "availability_zone": "nova",
                       "incremental": "True"}},
           capture=("bk_az", bid))
    s.wait("backups", "bk_az", ("available",))
    s.case("create-force-in-use", "POST", B, hdr("3.0"),
           {"backup": {"volume_id": "{vol_d}", "name": "diff-force", "force": True}},
           capture=("bk_force", bid))
    s.wait("backups", "bk_force", ("available",))
    s.case("create-container", "POST", B, hdr("3.0"),
           {"backup": {"volume_id": "{vol_e}", "container": "backups", "name": None, "description": None}},
           capture=("bk_cont", bid))
    s.wait("backups", "bk_cont", ("available",))
    s.case("create-parent-busy", "POST", B, hdr("3.0"),
           {"backup": {"volume_id": "{vol_e}", "name": "diff-busy", "incremental": "yes"}},
           capture=("bk_busy", bid))
    s.wait("backups", "bk_busy", ("available",))
    s.case("create-3.67-no-project", "POST", "/v3/backups", hdr("3.67"),
           {"backup": {"volume_id": "{vol_c}", "name": "diff-noproj"}}, capture=("bk_noproj", bid))
    s.wait("backups", "bk_noproj", ("available",))
    # quota_backups is 10 on both (the default): the 10th backup is accepted, the 11th refused (413)
    s.case("create-quota-10th", "POST", B, hdr("3.0"), {"backup": {"volume_id": "{vol_b}", "name": "diff-quota"}},
           capture=("bk_quota", bid))
    s.wait("backups", "bk_quota", ("available",))
    s.case("create-quota-exceeded", "POST", B, hdr("3.0"), {"backup": {"volume_id": "{vol_b}", "name": "diff-11th"}})

    # ---- show / list across microversions ----------------------------------------------------------
    for v in (None, "3.0", "3.9", "3.18", "3.27", "3.34", "3.43", "3.45", "3.47", "3.51", "3.56", "3.64",
              "3.67", "3.70", "latest"):
        tag = v or "nohdr"
        s.case("show-meta-%s" % tag, "GET", B + "/{bk_meta}", hdr(v))
        s.case("detail-%s" % tag, "GET", B + "/detail", hdr(v))
    for v in (None, "3.0", "3.45", "3.70"):
        s.case("list-%s" % (v or "nohdr"), "GET", B, hdr(v))
    # microversion header errors
    for tag, v in (("3.71", "3.71"), ("4.0", "4.0"), ("2.0", "2.0"), ("3.1000", "3.1000"), ("malformed", "volume 3.x"),
                   ("malformed-dot", "volume 3."), ("leading-zero", "volume 3.05"), ("word-only", "volume"),
                   ("compute", "compute 3.5"), ("empty", ""), ("two-items", "compute 2.1, volume 3.45"),
                   ("lowercase-latest", "volume LATEST"), ("no-service", "3.45")):
        if tag == "no-service":
            h = {"OpenStack-API-Version": "3.45"}
        else:
            h = hdr(v)
        s.case("version-%s" % tag, "GET", B + "/{bk_meta}", h)
    s.case("version-legacy-header", "GET", B + "/{bk_meta}", {"X-OpenStack-Volume-API-Version": "3.45"})
    # the other routes at the boundaries: answers that create nothing (missing volume / backup)
    for v in (None, "3.0", "3.9", "3.27", "3.43", "3.51", "3.64", "3.67", "3.70", "latest", "3.71", "volume 3.x"):
        tag = (v or "nohdr").replace("volume ", "")
        s.case("mv-%s-create-missing-volume" % tag, "POST", B, hdr(v), {"backup": {"volume_id": MISSING}})
        s.case("mv-%s-export" % tag, "GET", B + "/{bk_snap}/export_record", hdr(v))
        s.case("mv-%s-restore-missing" % tag, "POST", B + "/" + MISSING + "/restore", hdr(v), {"restore": {}})
        s.case("mv-%s-reset-missing" % tag, "POST", B + "/" + MISSING + "/action", hdr(v),
               {"os-reset_status": {"status": "error"}})
        s.case("mv-%s-update-missing" % tag, "PUT", B + "/" + MISSING, hdr(v), {"backup": {"name": "x"}})
        s.case("mv-%s-delete-missing" % tag, "DELETE", B + "/" + MISSING, hdr(v))
        s.case("mv-%s-import-bad" % tag, "POST", B + "/import_record", hdr(v), {"backup-record": {}})
    s.case("versions-root-bad-version", "GET", "/", hdr("3.99"))

    # ---- list parameters -------------------------------------------------------------------------------
    L = B + "/detail"
    for tag, q, v in (
            ("limit-1", "limit=1", None), ("limit-2", "limit=2", "3.45"), ("limit-0", "limit=0", None),
            ("limit-neg", "limit=-1", None), ("limit-abc", "limit=abc", None), ("limit-huge", "limit=99999999999", None),
            ("limit-float", "limit=1.5", None),
            ("marker", "marker={bk_inc}", None), ("marker-limit", "limit=1&marker={bk_inc}", None),
            ("marker-missing", "marker=" + MISSING, None), ("marker-garbage", "marker=zzz", None),
            ("offset-1", "offset=1", None), ("offset-neg", "offset=-1", None), ("offset-abc", "offset=abc", None),
            ("offset-big", "offset=100", None), ("limit-offset", "limit=2&offset=1", None),
            ("sort-name-asc-3.0", "sort=name:asc", "3.0"), ("sort-name-asc-3.37", "sort=name:asc", "3.37"),
            ("sort-created-asc", "sort=created_at:asc", None), ("sort-two-keys", "sort=status:asc,created_at", None),
            ("sort-bogus-key", "sort=bogus", None), ("sort-bad-dir", "sort=created_at:up", None),
            ("sort-display-name", "sort=display_name:asc", None), ("sort-size", "sort=size:desc,created_at:asc", None),
            ("sort-key-dir", "sort_key=display_name&sort_dir=asc", None), ("sort-key-only", "sort_key=created_at", None),
            ("sort-dir-only", "sort_dir=asc", None), ("sort-dir-bad", "sort_dir=sideways", None),
            ("sort-and-sort-key", "sort=created_at&sort_key=name", None),
            ("filter-name", "name=diff-meta", None), ("filter-name-3.31", "name=diff-meta", "3.31"),
            ("filter-status", "status=available", None), ("filter-status-error", "status=error", None),
            ("filter-volume", "volume_id={vol_a}", None), ("filter-volume-3.31", "volume_id={vol_b}", "3.31"),
            ("filter-display-name", "display_name=diff-az", None),
            ("filter-unknown-3.0", "colour=red", None), ("filter-unknown-3.31", "colour=red", "3.31"),
            ("filter-column-3.31", "container=backups", "3.31"),
            ("filter-like-3.33", "name~=diff-f", "3.33"), ("filter-like-3.34", "name~=diff-f", "3.34"),
            ("filter-like-status-3.34", "status~=avail", "3.34"),
            ("with-count-3.44", "with_count=true", "3.44"), ("with-count-3.45", "with_count=true", "3.45"),
            ("with-count-false", "with_count=false", "3.45"), ("with-count-bad", "with_count=maybe", "3.45"),
            ("with-count-limit", "with_count=true&limit=1", "3.45"),
            ("with-count-filter", "with_count=1&name=diff-inc", "3.45"),
            ("all-tenants-1", "all_tenants=1", None), ("all-tenants-true", "all_tenants=true", "3.45"),
            ("all-tenants-0", "all_tenants=0", None), ("all-tenants-bad", "all_tenants=maybe", None),
            ("all-tenants-project-filter", "all_tenants=1&project_id=" + PROJECT, "3.31"),
            ("empty-param", "limit=", None), ("repeated-limit", "limit=1&limit=2", None),
    ):
        s.case("detail-q-%s" % tag, "GET", L + "?" + q, hdr(v))
    for tag, q, v in (("limit-1", "limit=1", None), ("marker-limit", "limit=2&marker={bk_snap}", "3.45"),
                      ("sort-name", "sort=name:desc", "3.37"), ("filter-like", "name~=diff", "3.34"),
                      ("with-count", "with_count=true&limit=2", "3.45")):
        s.case("list-q-%s" % tag, "GET", B + "?" + q, hdr(v))

    # ---- issue #11: quotas, limits, volume types, transfers, groups, extensions (Horizon, tempest) --
    # Here both projects hold 5 volumes, 2 snapshots and 10 backups of 1 GiB each (the noauth
    # token is an admin on both sides: the harness has no member or reader persona).
    Q = V + "/os-quota-sets"
    O = Q + "/" + OTHER_PROJECT
    s.case("quota-show", "GET", Q + "/{P}")
    s.case("quota-show-usage", "GET", Q + "/{P}?usage=true")
    s.case("quota-show-usage-false", "GET", Q + "/{P}?usage=False")
    s.case("quota-show-usage-bad", "GET", Q + "/{P}?usage=maybe")
    s.case("quota-show-other-project", "GET", O + "?usage=1")
    s.case("quota-defaults", "GET", Q + "/{P}/defaults")
    s.case("quota-show-3.67-no-project", "GET", "/v3/os-quota-sets/{P}", hdr("3.67"))
    for tag, qs in (("bad-keys", {"colour": 1, "volumes": 5, "shade": 2}), ("not-integer", {"volumes": "many"}),
                    ("float", {"volumes": 5.5}), ("bool", {"volumes": True}), ("null", {"volumes": None}),
                    ("below-minus-one", {"volumes": -2}), ("too-big", {"volumes": 2147483648}),
                    ("bad-value-then-bad-key", {"colour": 1, "volumes": "x"}),
                    ("empty-set", {}), ("set-not-object", [1])):
        s.case("quota-update-" + tag, "PUT", O, body={"quota_set": qs})
    s.case("quota-update-no-quota-set", "PUT", O, body={"volumes": 5})
    s.case("quota-update-extra-top", "PUT", O, body={"quota_set": {"volumes": 5}, "x": 1})
    s.case("quota-update-empty-body", "PUT", O, raw="")
    # a value given as a string: cinder's below-usage comparison raises TypeError (generic 400),
    # except for per_volume_gigabytes, which it skips
    s.case("quota-update-string-value", "PUT", O, body={"quota_set": {"volumes": 7, "gigabytes": "20"}})
    s.case("quota-update-other", "PUT", O,
           body={"quota_set": {"volumes": 7, "per_volume_gigabytes": "20", "backups": 3, "id": "x", "tenant_id": "y"}})
    s.case("quota-show-other-after-update", "GET", O)
    s.case("quota-update-backups-own", "PUT", Q + "/{P}", body={"quota_set": {"backups": 20}})
    s.case("quota-update-below-in-use", "PUT", Q + "/{P}", body={"quota_set": {"backups": 2}})
    s.case("quota-update-unlimited", "PUT", Q + "/{P}",
           body={"quota_set": {"backups": -1, "volumes___DEFAULT__": 50, "per_volume_gigabytes": 0}})
    s.case("quota-show-usage-after-update", "GET", Q + "/{P}?usage=true")
    s.case("limits-after-update", "GET", V + "/limits")
    s.case("quota-delete", "DELETE", Q + "/{P}")
    s.case("quota-show-after-delete", "GET", Q + "/{P}")
    s.case("quota-delete-other", "DELETE", O)
    s.case("quota-show-other-after-delete", "GET", O)
    QC = V + "/os-quota-class-sets"
    s.case("quota-class-show-default", "GET", QC + "/default")
    s.case("quota-class-show-gold", "GET", QC + "/gold")
    for tag, qs in (("bad-key", {"colour": 1}), ("not-digits", {"volumes": "many"}), ("below", {"volumes": -2}),
                    ("bool", {"volumes": True}), ("empty-string", {"volumes": ""}),
                    ("too-big", {"volumes": 2147483648}), ("not-object", 3)):
        s.case("quota-class-update-" + tag, "PUT", QC + "/gold", body={"quota_class_set": qs})
    s.case("quota-class-update-missing", "PUT", QC + "/gold", body={"x": {}})
    s.case("quota-class-update-gold", "PUT", QC + "/gold",
           body={"quota_class_set": {"volumes": 15, "backups": "12", "snapshots___DEFAULT__": 4}})
    s.case("quota-class-show-gold-after", "GET", QC + "/gold")
    s.case("quota-class-update-default", "PUT", QC + "/default", body={"quota_class_set": {"backup_gigabytes": 999}})
    s.case("quota-defaults-after-class", "GET", Q + "/{P}/defaults")
    s.case("limits-after-class", "GET", V + "/limits")
    s.case("quota-class-restore-default", "PUT", QC + "/default",
           body={"quota_class_set": {"backup_gigabytes": 1000}})
    s.case("limits", "GET", V + "/limits")
    s.case("limits-3.39-project", "GET", V + "/limits?project_id=" + OTHER_PROJECT, hdr("3.39"))
    s.case("limits-3.38-project", "GET", V + "/limits?project_id=" + OTHER_PROJECT, hdr("3.38"))
    s.case("limits-no-project-3.67", "GET", "/v3/limits", hdr("3.67"))

    TY = V + "/types"
    s.case("types-list", "GET", TY)
    s.case("types-list-public-none", "GET", TY + "?is_public=none")
    s.case("types-list-public-bad", "GET", TY + "?is_public=maybe")
    s.case("types-default", "GET", TY + "/default", capture=("type_default", lambda j: j["volume_type"]["id"]))
    s.case("types-show-default-by-id", "GET", TY + "/{type_default}")
    s.case("types-show-missing", "GET", TY + "/" + MISSING)
    s.case("types-create", "POST", TY, body={"volume_type": {"name": "diff-type", "description": "a type",
                                                             "extra_specs": {"multiattach": "<is> True", "k": "v"}}},
           capture=("type_a", lambda j: j["volume_type"]["id"]))
    s.case("types-show", "GET", TY + "/{type_a}")
    s.case("types-create-duplicate", "POST", TY, body={"volume_type": {"name": "diff-type"}})
    s.case("types-create-no-name", "POST", TY, body={"volume_type": {}})
    s.case("types-create-name-int", "POST", TY, body={"volume_type": {"name": 5}})
    s.case("types-create-unknown-key", "POST", TY, body={"volume_type": {"name": "x", "colour": "red"}})
    s.case("types-create-private", "POST", TY,
           body={"volume_type": {"name": "diff-private", "os-volume-type-access:is_public": False}},
           capture=("type_p", lambda j: j["volume_type"]["id"]))
    s.case("types-list-private", "GET", TY + "?is_public=false")
    s.case("quota-show-with-types", "GET", Q + "/{P}?usage=true")
    s.case("quota-class-update-type-key", "PUT", QC + "/gold", body={"quota_class_set": {"volumes_diff-type": 3}})
    s.case("types-delete", "DELETE", TY + "/{type_a}")
    s.case("types-delete-private", "DELETE", TY + "/{type_p}")
    s.case("types-delete-again", "DELETE", TY + "/{type_a}")
    s.case("types-delete-default", "DELETE", TY + "/{type_default}")
    s.case("types-delete-missing", "DELETE", TY + "/" + MISSING)
    s.case("types-list-after-delete", "GET", TY)

    T = V + "/os-volume-transfer"
    s.case("transfer-list-empty", "GET", T)
    s.case("transfer-detail-empty", "GET", T + "/detail")
    s.case("transfer-create-missing-volume", "POST", T, body={"transfer": {"volume_id": MISSING}})
    s.case("transfer-create-not-uuid", "POST", T, body={"transfer": {"volume_id": "x"}})
    s.case("transfer-create-no-transfer", "POST", T, body={"volume_id": MISSING})
    s.case("transfer-create-unknown-key", "POST", T, body={"transfer": {"volume_id": MISSING, "no_snapshots": True}})
    s.case("transfer-create-in-use", "POST", T, body={"transfer": {"volume_id": "{vol_d}"}})
    r = s.case("transfer-create", "POST", T, body={"transfer": {"volume_id": "{vol_c}", "name": " diff-xfer "}},
               capture=("xfer_a", lambda j: j["transfer"]["id"]))
    if (r.json() or {}).get("transfer", {}).get("auth_key"):
        s.ids["xfer_a_key"] = r.json()["transfer"]["auth_key"]
    s.case("transfer-create-again", "POST", T, body={"transfer": {"volume_id": "{vol_c}"}})
    s.case("transfer-list", "GET", T)
    s.case("transfer-detail", "GET", T + "/detail")
    s.case("transfer-detail-3.57", "GET", T + "/detail", hdr("3.57"))
    s.case("transfer-show", "GET", T + "/{xfer_a}")
    s.case("transfer-show-missing", "GET", T + "/" + MISSING)
    s.case("transfer-accept-bad-key", "POST", T + "/{xfer_a}/accept", body={"accept": {"auth_key": "wrong"}})
    s.case("transfer-accept-no-key", "POST", T + "/{xfer_a}/accept", body={"accept": {}})
    s.case("transfer-accept-missing", "POST", T + "/" + MISSING + "/accept", body={"accept": {"auth_key": "x"}})
    s.case("transfer-accept", "POST", T + "/{xfer_a}/accept", body={"accept": {"auth_key": "{xfer_a_key}"}})
    s.case("transfer-list-after-accept", "GET", T)
    s.case("transfer-create-3.55", "POST", V + "/volume-transfers", hdr("3.55"),
           {"transfer": {"volume_id": "{vol_c}", "no_snapshots": True}}, capture=("xfer_b", lambda j: j["transfer"]["id"]))
    s.case("transfer-show-3.55", "GET", V + "/volume-transfers/{xfer_b}", hdr("3.55"))
    s.case("transfer-delete", "DELETE", T + "/{xfer_b}")
    s.case("transfer-delete-again", "DELETE", T + "/{xfer_b}")
    s.wait("volumes", "vol_c", ("available",))

    s.case("groups-list-3.13", "GET", V + "/groups", hdr("3.13"))
    s.case("groups-detail-3.13", "GET", V + "/groups/detail", hdr("3.13"))
    s.case("groups-list-3.0", "GET", V + "/groups")
    s.case("extensions", "GET", V + "/extensions")
    s.case("extensions-show", "GET", V + "/extensions/os-used-limits")
    s.case("extensions-show-missing", "GET", V + "/extensions/bogus")

    # ---- update -------------------------------------------------------------------------------------------
    s.case("update-3.0", "PUT", B + "/{bk_full}", hdr("3.0"), {"backup": {"name": "renamed"}})
    s.case("update-3.8", "PUT", B + "/{bk_full}", hdr("3.8"), {"backup": {"name": "renamed"}})
    s.case("update-3.9-name", "PUT", B + "/{bk_full}", hdr("3.9"), {"backup": {"name": "diff-full-renamed"}})
    s.case("update-3.9-description", "PUT", B + "/{bk_full}", hdr("3.9"),
           {"backup": {"description": "new description", "name": None}})
    s.case("update-3.9-metadata", "PUT", B + "/{bk_full}", hdr("3.9"), {"backup": {"metadata": {"a": "b"}}})
    s.case("update-3.43-metadata", "PUT", B + "/{bk_meta}", hdr("3.43"), {"backup": {"metadata": {"k3": "v3"}}})
    s.case("show-after-update-3.43", "GET", B + "/{bk_meta}", hdr("3.43"))
    s.case("update-3.43-metadata-null", "PUT", B + "/{bk_meta}", hdr("3.43"), {"backup": {"metadata": None}})
    s.case("update-empty-backup", "PUT", B + "/{bk_full}", hdr("3.9"), {"backup": {}})
    s.case("update-unknown-key", "PUT", B + "/{bk_full}", hdr("3.9"), {"backup": {"size": 3}})
    s.case("update-no-backup-key", "PUT", B + "/{bk_full}", hdr("3.9"), {"name": "x"})
    s.case("update-empty-body", "PUT", B + "/{bk_full}", hdr("3.9"), raw="")
    s.case("update-name-too-long", "PUT", B + "/{bk_full}", hdr("3.9"), {"backup": {"name": "n" * 256}})
    s.case("update-missing", "PUT", B + "/" + MISSING, hdr("3.9"), {"backup": {"name": "x"}})
    s.case("update-content-type-text", "PUT", B + "/" + MISSING, hdr("3.9"), {"backup": {"name": "x"}},
           ctype="text/plain")
    s.case("show-full-after-update", "GET", B + "/{bk_full}", hdr("3.9"))

    # ---- export / import -----------------------------------------------------------------------------------
    s.case("export-full", "GET", B + "/{bk_full}/export_record")
    s.case("export-cont", "GET", B + "/{bk_cont}/export_record", hdr("3.64"))
    s.case("export-missing", "GET", B + "/" + MISSING + "/export_record")
    s.case("export-post", "POST", B + "/{bk_full}/export_record", body={})
    _, _, _, r = s.send("GET", B + "/{bk_cont}/export_record", hdr("3.0"))
    rec = (r.json() or {}).get("backup-record") if r.status == 200 else None
    if not rec:
        s.problems.append("export of {bk_cont} failed (%s): no record to import" % r.status)
        rec = {"backup_service": "cinder.backup.drivers.ceph.CephBackupDriver", "backup_url": "e30="}
    s.case("import-existing", "POST", B + "/import_record", body={"backup-record": rec})
    s.case("import-empty", "POST", B + "/import_record", body={})
    s.case("import-missing-url", "POST", B + "/import_record",
           body={"backup-record": {"backup_service": rec["backup_service"]}})
    s.case("import-bad-base64", "POST", B + "/import_record",
           body={"backup-record": {"backup_service": rec["backup_service"], "backup_url": "not base64!"}})
    s.case("import-not-json", "POST", B + "/import_record",
           body={"backup-record": {"backup_service": rec["backup_service"],
                                   "backup_url": base64.b64encode(b"hello").decode()}})
    s.case("import-no-id", "POST", B + "/import_record",
           body={"backup-record": {"backup_service": rec["backup_service"],
                                   "backup_url": base64.b64encode(b'{"size": 1}').decode()}})
    s.case("import-empty-url", "POST", B + "/import_record",
           body={"backup-record": {"backup_service": rec["backup_service"], "backup_url": ""}})
    s.case("import-unknown-key", "POST", B + "/import_record",
           body={"backup-record": dict(rec, colour="red")})
    s.case("import-bad-service", "POST", B + "/import_record",
           body={"backup-record": {"backup_service": "no.such.Driver", "backup_url": rec["backup_url"]}})

    # ---- actions: reset-status, force-delete, unknown -----------------------------------------------------------
    A = B + "/{bk_busy}/action"
    # cinder-api casts reset_status to cinder-backup, which sets the status a moment later: wait.
    s.case("reset-status-error", "POST", A, body={"os-reset_status": {"status": "error"}})
    s.wait("backups", "bk_busy", ("error",))
    s.case("show-after-reset", "GET", B + "/{bk_busy}")
    s.case("reset-status-upper", "POST", A, body={"os-reset_status": {"status": "AVAILABLE"}})
    s.wait("backups", "bk_busy", ("available",), bad=(), timeout=30)   # "error" until the reset lands
    s.case("reset-status-bogus", "POST", A, body={"os-reset_status": {"status": "creating"}})
    s.case("reset-status-missing", "POST", A, body={"os-reset_status": {}})
    s.case("reset-status-null", "POST", A, body={"os-reset_status": None})
    s.case("reset-status-int", "POST", A, body={"os-reset_status": {"status": 1}})
    s.case("reset-status-extra", "POST", A, body={"os-reset_status": {"status": "error", "x": 1}})
    s.case("reset-status-backup-missing", "POST", B + "/" + MISSING + "/action",
           body={"os-reset_status": {"status": "error"}})
    s.case("action-unknown", "POST", A, body={"os-bogus": {}})
    s.case("action-empty-object", "POST", A, body={})
    s.case("action-empty-body", "POST", A, raw="")
    s.case("action-two-actions", "POST", A, body={"os-reset_status": {"status": "error"}, "os-force_delete": {}})
    s.case("action-content-type-text", "POST", B + "/" + MISSING + "/action", body={"os-reset_status": {"status": "error"}},
           ctype="text/plain")
    s.case("force-delete-missing", "POST", B + "/" + MISSING + "/action", body={"os-force_delete": {}})
    s.case("force-delete-ceph", "POST", B + "/{bk_cont}/action", body={"os-force_delete": {}})
    s.case("show-after-force-delete", "GET", B + "/{bk_cont}")
    s.case("reset-status-to-error-again", "POST", A, body={"os-reset_status": {"status": "error"}})
    s.wait("backups", "bk_busy", ("error",))

    # ---- restore ----------------------------------------------------------------------------------------------
    R = B + "/{bk_full}/restore"
    s.case("restore-error-backup", "POST", B + "/{bk_busy}/restore", body={"restore": {}})
    s.case("export-error-backup", "GET", B + "/{bk_busy}/export_record")
    s.case("restore-empty-body", "POST", R, raw="")
    s.case("restore-no-restore-key", "POST", R, body={"volume_id": "{vol_c}"})
    s.case("restore-unknown-key", "POST", R, body={"restore": {"size": 1}})
    s.case("restore-volume-not-uuid", "POST", R, body={"restore": {"volume_id": "abc"}})
    s.case("restore-volume-missing", "POST", R, body={"restore": {"volume_id": MISSING}})
    s.case("restore-volume-in-use", "POST", R, body={"restore": {"volume_id": "{vol_d}"}})
    s.case("restore-backup-missing", "POST", B + "/" + MISSING + "/restore", body={"restore": {}})
    s.case("restore-name-int", "POST", R, body={"restore": {"name": 3}})
    s.case("restore-get", "GET", R)
    s.case("restore-content-type-text", "POST", R, body={"restore": {"volume_id": MISSING}}, ctype="text/plain")
    s.case("restore-into-existing", "POST", R, body={"restore": {"volume_id": "{vol_c}"}},
           capture=("restored_c", lambda j: j["restore"]["volume_id"]))
    s.case("show-while-restoring", "GET", B + "/{bk_full}")
    s.wait("volumes", "vol_c", ("available",), bad=("error", "error_restoring"))
    s.wait("backups", "bk_full", ("available",))
    s.case("restore-into-new-named", "POST", B + "/{bk_inc}/restore", body={"restore": {"name": "diff-restored"}},
           capture=("restored_new", lambda j: j["restore"]["volume_id"]))
    s.wait("volumes", "restored_new", ("available",), bad=("error", "error_restoring"))
    s.wait("backups", "bk_inc", ("available",))
    s.case("restore-into-new-null", "POST", B + "/{bk_meta}/restore", body={"restore": None},
           capture=("restored_null", lambda j: j["restore"]["volume_id"]))
    s.wait("volumes", "restored_null", ("available",), bad=("error", "error_restoring"))
    s.wait("backups", "bk_meta", ("available",))

    # ---- delete -----------------------------------------------------------------------------------------------
    s.case("delete-with-dependent", "DELETE", B + "/{bk_full}")
    s.case("force-delete-with-dependent", "POST", B + "/{bk_full}/action", body={"os-force_delete": {}})
    s.case("delete-missing", "DELETE", B + "/" + MISSING)
    s.case("delete-not-uuid", "DELETE", B + "/not-a-uuid")
    s.case("delete-with-body", "DELETE", B + "/" + MISSING2, body={"x": 1})
    s.case("show-full-has-dependents", "GET", B + "/{bk_full}", hdr("3.64"))
    s.case("delete-error-backup", "DELETE", B + "/{bk_busy}")
    s.wait("backups", "bk_busy", ("<deleted>",))
    s.case("show-deleted", "GET", B + "/{bk_busy}")
    s.case("delete-deleted", "DELETE", B + "/{bk_busy}")
    s.case("delete-cont", "DELETE", B + "/{bk_cont}")
    s.case("show-deleting", "GET", B + "/{bk_cont}")
    s.wait("backups", "bk_cont", ("<deleted>",))
    s.case("import-after-delete", "POST", B + "/import_record", body={"backup-record": rec},
           capture=("bk_imported", bid))
    s.wait("backups", "bk_imported", ("available",))
    s.case("show-imported", "GET", B + "/{bk_imported}", hdr("3.64"))

    # ---- errors: unknown routes, unsupported methods, projects, auth ----------------------------------------------
    for tag, m, p in (
            ("show-missing", "GET", B + "/" + MISSING), ("show-not-uuid", "GET", B + "/not-a-uuid"),
            ("show-uppercase-id", "GET", B + "/" + MISSING.upper()),
            ("unknown-route", "GET", V + "/bogus"), ("unknown-subroute", "GET", B + "/{bk_full}/bogus"),
            ("unknown-deep", "GET", B + "/{bk_full}/restore/x"),
            ("backups-trailing-slash", "GET", B + "/"), ("detail-trailing-slash", "GET", B + "/detail/"),
            ("patch-collection", "PATCH", B), ("delete-collection", "DELETE", B), ("put-collection", "PUT", B),
            ("post-detail", "POST", B + "/detail"), ("delete-detail", "DELETE", B + "/detail"),
            ("post-backup", "POST", B + "/{bk_full}"), ("patch-backup", "PATCH", B + "/{bk_full}"),
            ("get-action", "GET", B + "/{bk_full}/action"), ("put-restore", "PUT", B + "/{bk_full}/restore"),
            ("delete-export", "DELETE", B + "/{bk_full}/export_record"),
            ("get-import", "GET", B + "/import_record"), ("delete-import", "DELETE", B + "/import_record"),
            ("head-list", "HEAD", B), ("head-show", "HEAD", B + "/{bk_full}"),
            ("options-list", "OPTIONS", B),
            ("project-not-hex", "GET", "/v3/admin/backups"), ("project-not-hex-detail", "GET", "/v3/admin/backups/detail"),
            ("project-other", "GET", "/v3/" + OTHER_PROJECT + "/backups"),
            ("project-uppercase", "GET", "/v3/" + PROJECT.upper() + "/backups"),
            ("no-project-3.0", "GET", "/v3/backups"), ("no-project-detail-3.0", "GET", "/v3/backups/detail"),
            ("v2-project", "GET", "/v2/{P}/backups/detail"), ("v1-project", "GET", "/v1/{P}/backups"),
            ("v4", "GET", "/v4/{P}/backups"), ("double-slash", "GET", "/v3/{P}//backups"),
            ("query-only", "GET", B + "?"),
    ):
        s.case("err-%s" % tag, m, p)
    s.case("err-no-project-3.66", "GET", "/v3/backups", hdr("3.66"))
    s.case("err-no-project-3.67", "GET", "/v3/backups", hdr("3.67"))
    s.case("err-no-project-show-3.67", "GET", "/v3/backups/{bk_full}", hdr("3.67"))
    s.case("err-no-token", "GET", B, token=False)
    s.case("err-token-other-project", "GET", B, {"X-Auth-Token": "%s:%s" % (USER, OTHER_PROJECT)})
    s.case("err-token-no-colon", "GET", B, {"X-Auth-Token": USER})
    s.case("err-accept-xml", "GET", B + "/{bk_full}", {"Accept": "application/xml"})
    s.case("err-accept-text", "GET", B, {"Accept": "text/plain"})
    s.case("err-unknown-route-v3", "POST", V + "/bogus", body={})

    # ---- clean-up (not compared): delete what this side made, newest first ----------------------------------
    for n in ("bk_imported", "bk_quota", "bk_noproj", "bk_force", "bk_az", "bk_meta", "bk_snap", "bk_inc", "bk_full"):
        if n in s.ids and n not in s.fakes:
            s.cleanup(B + "/{%s}" % n)
            s.wait("backups", n, ("<deleted>",), bad=("error_deleting",))
    s.cleanup(V + "/attachments/{att_d}", "3.44")
    for n in ("snap_a", "snap_b"):
        s.cleanup(V + "/snapshots/{%s}" % n)
    for n in ("snap_a", "snap_b"):
        s.wait("snapshots", n, ("<deleted>",))
    s.wait("volumes", "vol_d", ("available",))
    for n in ("vol_a", "vol_b", "vol_c", "vol_d", "vol_e", "restored_new", "restored_null"):
        if n in s.ids and n not in s.fakes:
            s.cleanup(V + "/volumes/{%s}" % n)
    for n in ("vol_a", "vol_b", "vol_c", "vol_d", "vol_e", "restored_new", "restored_null"):
        if n in s.ids and n not in s.fakes:
            s.wait("volumes", n, ("<deleted>",), bad=("error_deleting",))
    s.sweep()


# ----------------------------------------------------------------------------------------- normalise
class Normaliser:
    def __init__(self, side):
        self.side = side
        self.map = dict(CONSTANT_IDS)
        for name, ident in side.ids.items():
            self.map.setdefault(ident.lower(), "<%s>" % name)
        self.n = 0

    def uuid(self, m):
        k = m.group(0).lower()
        if k not in self.map:
            self.n += 1
            self.map[k] = "<id-%d>" % self.n
        return self.map[k]

    def text(self, s, key=None):
        # A backup record echoed inside a message (e.g. a refused import_record) is base64 of
        # JSON with each side's own ids: compare it decoded and normalised, as backup_url fields.
        s = B64_JSON_RE.sub(lambda m: self.embedded_record(m.group(0)), s)
        s = REQ_ID_RE.sub("<request-id>", s)
        s = HOST_RE.sub("http://HOST", s)
        if key != "updated":   # the version documents' fixed "updated" dates are compared as they are
            s = TIME_RE.sub(lambda m: "<time %s>" % re.sub(r"\d", "d", m.group(0)), s)
        s = UUID_RE.sub(self.uuid, s)
        return s

    def value(self, v, key=None):
        if isinstance(v, dict):
            out = {}
            for k, x in v.items():
                nk = self.text(k) if isinstance(k, str) else k
                if k == "backup_url" and isinstance(x, str):
                    out[nk] = self.backup_url(x)
                elif k == "auth_key" and isinstance(x, str):
                    # a transfer's random key: compared by its form only
                    out[nk] = "<auth key: %d %s>" % (len(x), "hex" if re.fullmatch(r"[0-9a-f]*", x) else "not hex")
                else:
                    out[nk] = self.value(x, k)
            return out
        if isinstance(v, list):
            return [self.value(x, key) for x in v]
        if isinstance(v, str):
            return self.text(v, key)
        return v

    def embedded_record(self, token):
        decoded = self.backup_url(token)
        if isinstance(decoded, dict):
            return "<base64 of JSON %s>" % json.dumps(decoded["<base64 of JSON>"], sort_keys=True)
        return token

    def backup_url(self, s):
        try:
            decoded = json.loads(base64.b64decode(s, validate=False).decode("utf-8"))
        except Exception:  # noqa
            return self.text(s)
        # service_metadata is itself JSON in a string
        for k in ("service_metadata",):
            if isinstance(decoded, dict) and isinstance(decoded.get(k), str):
                try:
                    decoded[k] = json.loads(decoded[k])
                except ValueError:
                    pass
        return {"<base64 of JSON>": self.value(decoded)}

    def response(self, r):
        if r.error:
            return {"status": 0, "headers": {}, "body": "<no answer: %s>" % r.error}
        headers = {}
        for k, v in r.headers:
            lk = k.lower()
            if lk in IGNORED_HEADERS:
                continue
            if lk in REQUEST_ID_HEADERS:
                v = "<request-id>" if REQ_ID_RE.fullmatch(v.strip()) else self.text(v)
            else:
                v = self.text(v)
            headers[lk] = v if lk not in headers else headers[lk] + ", " + v
        text = r.body.decode("utf-8", "replace")
        body = None
        if text.strip():
            try:
                body = self.value(json.loads(text))
                kind = "json"
            except ValueError:
                body = self.text(text)
                kind = "text"
        else:
            kind = "empty"
        return {"status": r.status, "headers": headers, "kind": kind, "body": body}


# ------------------------------------------------------------------------------------- deliberate
def load_deliberate(path):
    """The fenced block tagged ```json deliberate-differences in the markdown file: a list of
    {"case": glob, "aspects": ["status", "body", "body:<json path glob>", "header:<name>", ...]}."""
    if not os.path.exists(path):
        return []
    text = open(path).read()
    m = re.search(r"```json deliberate-differences\n(.*?)\n```", text, re.S)
    if not m:
        return []
    return json.loads(m.group(1))


def differing_aspects(a, b):
    out = []
    if a["status"] != b["status"]:
        out.append("status")
    for h in sorted(set(a["headers"]) | set(b["headers"])):
        if a["headers"].get(h) != b["headers"].get(h):
            out.append("header:" + h)
    if a.get("kind") != b.get("kind") or a.get("body") != b.get("body"):
        out.append("body")
    return out


def body_paths(a, b):
    """The JSON paths (indices folded to [*]) where two JSON bodies differ; None if not both JSON."""
    if a.get("kind") == "json" and b.get("kind") == "json":
        return sorted({re.sub(r"\[\d+\]", "[*]", p) for p, _, _ in json_diffs(a["body"], b["body"])})
    return None


def explained(aspect, allowed, paths):
    """Whether a differing aspect is covered by a deliberate entry's aspects: "status",
    "header:<glob>", "body" (any body difference) or "body:<glob of a JSON path>" (the body
    differs only at paths matching such globs)."""
    if any(fnmatch.fnmatchcase(aspect, pat) for pat in allowed):
        return True
    if aspect == "body" and paths:
        # "[*]" in a path is a folded list index, literally: escape it from fnmatch's classes.
        globs = [pat[5:].replace("[*]", "[[]*[]]") for pat in allowed if pat.startswith("body:")]
        return bool(globs) and all(any(fnmatch.fnmatchcase(p, g) for g in globs) for p in paths)
    return False


def _short_repr(v, n=90):
    r = json.dumps(v, sort_keys=True, ensure_ascii=False) if not isinstance(v, str) or not v.startswith("<absent") else v
    return r if len(r) <= n else r[:n] + "..."


def json_diffs(a, b, path=""):
    """Leaf differences between two normalised JSON values: [(path, cinder repr, ember repr)]."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b), key=str):
            p = "%s.%s" % (path, k) if path else str(k)
            if k not in a:
                out.append((p, "<absent>", _short_repr(b[k])))
            elif k not in b:
                out.append((p, _short_repr(a[k]), "<absent>"))
            else:
                out.extend(json_diffs(a[k], b[k], p))
        return out
    if isinstance(a, list) and isinstance(b, list):
        out = []
        if len(a) != len(b):
            out.append((path + ".length", str(len(a)), str(len(b))))
        for i, (x, y) in enumerate(zip(a, b)):
            out.extend(json_diffs(x, y, "%s[%d]" % (path, i)))
        return out
    if a != b:
        return [(path or "<body>", _short_repr(a), _short_repr(b))]
    return []


def signature(a, b):
    """What differs, with list indices folded, so that cases differing the same way group together."""
    sig = []
    if a["status"] != b["status"]:
        sig.append("status: cinder %s, ember %s" % (a["status"], b["status"]))
    for h in sorted(set(a["headers"]) | set(b["headers"])):
        if a["headers"].get(h) != b["headers"].get(h):
            sig.append("header %s: cinder %s, ember %s" % (
                h, _short_repr(a["headers"].get(h, "<absent>")), _short_repr(b["headers"].get(h, "<absent>"))))
    if a.get("kind") == "json" and b.get("kind") == "json":
        for p, x, y in json_diffs(a["body"], b["body"]):
            sig.append("body %s: cinder %s, ember %s" % (re.sub(r"\[\d+\]", "[*]", p), x, y))
    elif a.get("kind") != b.get("kind") or a.get("body") != b.get("body"):
        sig.append("body: cinder %s %s, ember %s %s" % (a.get("kind"), _short_repr(a.get("body")), b.get("kind"),
                                                         _short_repr(b.get("body"))))
    seen, out = set(), []
    for x in sig:
        if x not in seen:
            seen.add(x)
            out.append(x)
    return tuple(out)


def render(n):
    lines = ["HTTP %s" % n["status"]]
    for k in sorted(n["headers"]):
        lines.append("%s: %s" % (k, n["headers"][k]))
    lines.append("")
    if n.get("kind") == "json":
        lines.extend(json.dumps(n["body"], indent=2, sort_keys=True, ensure_ascii=False).splitlines())
    elif n.get("kind") == "text":
        lines.extend(n["body"].splitlines())
    else:
        lines.append("<empty body>")
    return lines


def short(s, n=600):
    return s if len(s) <= n else s[:n] + "... (%d bytes)" % len(s)


def main():
    os.makedirs(OUT, exist_ok=True)
    if "--list" in sys.argv:
        class Lister:
            ids = {}
            problems = []

            def case(self, cid, *a, **k):
                print(cid)
                return Response(0, [], b"")

            def setup(self, *a, **k):
                return None

            def wait(self, *a, **k):
                return None

            fakes = set()

            def send(self, *a, **k):
                return None, None, None, Response(0, [], b"")

            def cleanup(self, *a, **k):
                return None

            def sweep(self):
                return None
        scenario(Lister())
        return 0
    t0 = time.time()
    raw_path = os.path.join(OUT, "raw.json")
    if "--replay" in sys.argv:
        # Compare again what the last run recorded (data/diff/raw.json), without sending anything:
        # for work on the normalisation or on api-ref/deliberate-differences.md.
        saved = json.load(open(raw_path))
        os.environ.setdefault("DIFF_CINDER_URL", saved["urls"]["cinder"])
        os.environ.setdefault("DIFF_EMBER_URL", saved["urls"]["ember"])
        cinder, ember = Side.replayed("cinder", saved["cinder"]), Side.replayed("ember", saved["ember"])
    else:
        cinder = Side("cinder", os.environ["DIFF_CINDER_URL"])
        ember = Side("ember", os.environ["DIFF_EMBER_URL"])

        def run(side):
            try:
                scenario(Runner(side))
            except Exception:  # noqa
                side.problems.append("scenario crashed:\n" + traceback.format_exc())
            side.elapsed = time.time() - t0

        threads = [threading.Thread(target=run, args=(s,)) for s in (cinder, ember)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        with open(raw_path, "w") as f:
            json.dump({"urls": {"cinder": os.environ["DIFF_CINDER_URL"], "ember": os.environ["DIFF_EMBER_URL"]},
                       "cinder": cinder.dump(), "ember": ember.dump()}, f)

    deliberate = load_deliberate(DELIBERATE)
    only = re.compile(os.environ["DIFF_ONLY"]) if os.environ.get("DIFF_ONLY") else None
    nc, ne = Normaliser(cinder), Normaliser(ember)
    ec = {c.id: (c, req, r) for c, req, r in ember.records}
    results, passed, failed, deliberate_hits = [], 0, 0, []
    report = []
    ids_in_order = [c.id for c, _, _ in cinder.records] + [c.id for c, _, _ in ember.records
                                                           if c.id not in {x.id for x, _, _ in cinder.records}]
    cc = {c.id: (c, req, r) for c, req, r in cinder.records}
    for cid in ids_in_order:
        if only and not only.search(cid):
            continue
        a = nc.response(cc[cid][2]) if cid in cc else {"status": None, "headers": {}, "kind": "empty", "body": None}
        b = ne.response(ec[cid][2]) if cid in ec else {"status": None, "headers": {}, "kind": "empty", "body": None}
        case, req = (cc.get(cid) or ec.get(cid))[:2]
        aspects = differing_aspects(a, b)
        allowed = []
        for d in deliberate:
            if fnmatch.fnmatchcase(cid, d["case"]):
                allowed.extend(d.get("aspects", []))
        paths = body_paths(a, b)
        unexplained = [x for x in aspects if not explained(x, allowed, paths)]
        verdict = "pass" if not aspects else ("deliberate" if not unexplained else "FAIL")
        if verdict == "FAIL":
            failed += 1
        else:
            passed += 1
        if verdict == "deliberate":
            deliberate_hits.append(cid)
        results.append({"case": cid, "verdict": verdict, "aspects": aspects, "signature": list(signature(a, b)),
                        "request": req,
                        "request_ember_path": ec[cid][1]["path"] if cid in ec else None,
                        "cinder": a, "ember": b})
        if verdict != "pass":
            la, lb = render(a), render(b)
            report.append("=" * 100)
            report.append("%s  %s  [%s]  differs in: %s" % (verdict, cid, case.method + " " + case.path,
                                                              ", ".join(aspects)))
            report.append("request (cinder side): %s %s" % (req["method"], req["path"]))
            for k, v in req["headers"].items():
                report.append("  %s: %s" % (k, v))
            report.append("  body: %s" % (short(req["body"]) if req["body"] else "<none>"))
            report.append("--- cinder (normalised)")
            report.extend("  " + x for x in la)
            report.append("--- ember (normalised)")
            report.extend("  " + x for x in lb)
            report.append("--- diff (- cinder, + ember)")
            report.extend("  " + x.rstrip("\n") for x in difflib.unified_diff(la, lb, "cinder", "ember", n=2, lineterm=""))

    head = ["Differential test of the backup API: Debian's cinder-api (%s) vs Ember (%s)" % (
        os.environ["DIFF_CINDER_URL"], os.environ["DIFF_EMBER_URL"]),
        "written %s UTC; scenario took %.0fs (cinder side %.0fs, Ember side %.0fs)" % (
            time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()), time.time() - t0,
            getattr(cinder, "elapsed", 0), getattr(ember, "elapsed", 0)),
        "Ember under test: %s" % os.environ.get("DIFF_EMBER_BUILD", "?"),
        "cases: %d; differing: %d; deliberate (api-ref/deliberate-differences.md): %d" % (
            passed + failed, failed, len(deliberate_hits)),
        "Normalised: uuids -> <name> (named by the scenario) or <id-N> (order of appearance per side), "
        "timestamps -> <time dddd-...> (format kept), req-<uuid> -> <request-id>, http://127.0.0.1:PORT -> "
        "http://HOST; headers Date, Server, Content-Length, Connection, Transfer-Encoding ignored.",
        ""]
    for side in (cinder, ember):
        if side.problems:
            head.append("Setup problems on the %s side (steps not compared; they may explain differences):" % side.name)
            head.extend("  - " + p for p in side.problems)
            head.append("")
    head.append("Differing cases:")
    by_prefix = {}
    for r in results:
        if r["verdict"] == "FAIL":
            head.append("  %-42s %-8s %s %s  (cinder %s, ember %s)" % (
                r["case"], ", ".join(a if not a.startswith("header:") else a[7:] for a in r["aspects"])[:40],
                r["request"]["method"], r["request"]["path"][:60].replace(PROJECT, "{P}"),
                r["cinder"]["status"], r["ember"]["status"]))
            by_prefix.setdefault(r["case"].split("-")[0], 0)
            by_prefix[r["case"].split("-")[0]] += 1
    groups = {}
    for r in results:
        if r["verdict"] == "FAIL":
            groups.setdefault(tuple(r["signature"]), []).append(r["case"])
    head.append("")
    head.append("The same differences grouped (%d groups; list indices folded to [*]):" % len(groups))
    for sig, cases in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        head.append("  * %d case(s): %s" % (len(cases), ", ".join(cases)))
        head.extend("      %s" % x for x in sig)
    if deliberate_hits:
        head.append("")
        head.append("Deliberate differences seen (not counted): " + ", ".join(deliberate_hits))
    head.append("")
    with open(os.path.join(OUT, "report.txt"), "w") as f:
        f.write("\n".join(head + report) + "\n\ndifferential: %d passed, %d failed\n" % (passed, failed))
    with open(os.path.join(OUT, "results.json"), "w") as f:
        json.dump({"results": results, "problems": {"cinder": cinder.problems, "ember": ember.problems}}, f,
                  indent=1)
    for r in results:
        print("%-10s %s%s" % (r["verdict"], r["case"], "" if r["verdict"] == "pass" else "  (" + ", ".join(r["aspects"]) + ")"))
    for side in (cinder, ember):
        for p in side.problems:
            print("setup problem (%s): %s" % (side.name, p.splitlines()[0] if p else p))
    print("report: %s" % os.path.join(OUT, "report.txt"))
    print("differential: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
