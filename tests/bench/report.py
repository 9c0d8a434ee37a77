#!/usr/bin/python3
"""The side-by-side table of tests/bench/run: min / median / max per figure and implementation,
the ratio of the medians (cinder-backup / Ember for times, Ember / cinder-api for request rates)
beside the ratio issue #13 requires, and the machine it ran on.

Writes OUT/<UTC date-time>.json (every round's raw figures, the summary and the machine) and
OUT/latest.txt (the table as printed). It judges nothing: the exit status is 0 when it could read
the results.

Usage: report.py RESULTS.jsonl OUT_DIR SIZE_MIB ROUNDS
"""
import json
import os
import platform
import statistics
import subprocess
import sys
import time

# (part, key, label, unit, direction, required ratio)
# direction "time": ratio = cinder-backup / Ember (lower is better); "rate": Ember / cinder-api.
FIGURES = [
    ("ceph", "full_s", "Ceph driver: full backup", "s", "time", 1.8),
    ("ceph", "incr_s", "Ceph driver: incremental after 1 % random 4 KiB writes", "s", "time", 3.0),
    ("ceph", "restore_s", "Ceph driver: restore to a new volume", "s", "time", 2.0),
    ("posix", "full_s", "posix (chunked) driver: full backup", "s", "time", 4.0),
    ("posix", "incr_s", "posix driver: incremental, same writes", "s", "time", 6.0),
    ("posix", "restore_s", "posix driver: restore to a new volume", "s", "time", 3.0),
    ("list", "rps", "GET backups/detail (all rows), wrk 8 connections", "req/s", "rate", 10.0),
    ("list", "p99_ms", "GET backups/detail, p99", "ms", "time", None),
    ("list?limit=10", "rps", "GET backups/detail?limit=10", "req/s", "rate", 10.0),
    ("list?limit=10", "p99_ms", "GET backups/detail?limit=10, p99", "ms", "time", None),
]


def stats(values):
    if not values:
        return None
    return {"min": min(values), "median": statistics.median(values), "max": max(values), "n": len(values)}


def fmt(st):
    if not st:
        return "—"
    if st["n"] == 1:
        return "%g" % round(st["median"], 2)
    return "%g (%g–%g)" % (round(st["median"], 2), round(st["min"], 2), round(st["max"], 2))


def machine():
    cpu = ""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()
    mem = 0
    try:
        mem = int(open("/proc/meminfo").readline().split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        pass
    return {"cpus": os.cpu_count(), "cpu": cpu, "mem_mib": mem, "kernel": platform.release(),
            "loadavg_at_report": [round(x, 2) for x in load]}


def main():
    results, out_dir, size, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    rows = [json.loads(l) for l in open(results)] if os.path.exists(results) else []
    by = {}
    for r in rows:
        for k, v in r["result"].items():
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                by.setdefault((r["part"], r["impl"], k), []).append(v)
    peer_of = {"list": "cinder-api", "list?limit=10": "cinder-api"}
    lines = []
    summary = []
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    m = machine()
    lines.append("Ember vs Debian's cinder-backup (same cinder-api, cinder-volume, Ceph, cinder.conf), %s" % stamp)
    lines.append("volume %d MiB fully written, %d round(s) alternating; median (min–max)" % (size, rounds))
    lines.append("machine: %d cpus (%s), %d MiB, load %s" % (m["cpus"], m["cpu"], m["mem_mib"], m["loadavg_at_report"]))
    lines.append("")
    lines.append("| work | cinder | Ember | ratio | required |")
    lines.append("|---|---|---|---|---|")
    for part, key, label, unit, direction, req in FIGURES:
        peer = peer_of.get(part, "cinder-backup")
        a, b = stats(by.get((part, peer, key), [])), stats(by.get((part, "ember", key), []))
        if not a and not b:
            continue
        ratio = None
        if a and b and a["median"] and b["median"]:
            ratio = a["median"] / b["median"] if direction == "time" else b["median"] / a["median"]
        met = None if req is None or ratio is None else ratio >= req
        summary.append({"part": part, "figure": key, "label": label, "unit": unit, peer: a, "ember": b,
                        "ratio": ratio, "required": req, "met": met})
        lines.append("| %s | %s %s | %s %s | %s | %s |" % (
            label, fmt(a), unit, fmt(b), unit, "—" if ratio is None else "%.2f×" % ratio,
            "—" if req is None else "≥ %g× %s" % (req, "met" if met else "NOT met")))
    rss = {}
    for impl in ("cinder-backup", "ember"):
        vals = [v for part in ("ceph", "posix") for v in by.get((part, impl, "rss_max_kib"), [])]
        if vals:
            rss[impl] = max(vals) // 1024
    lst = by.get(("list", "ember", "rss_kib"), []) + by.get(("list?limit=10", "ember", "rss_kib"), [])
    lines.append("")
    lines.append("RSS of the backup service, max over the backup rounds: %s" % (
        ", ".join("%s %d MiB" % kv for kv in rss.items()) or "—"))
    if lst:
        lines.append("RSS of Ember's API after the list load: %d MiB (required ≤ 256 MiB)" % (max(lst) // 1024))
    text = "\n".join(lines) + "\n"
    print(text)
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, time.strftime("%Y-%m-%dT%H%M%SZ", time.gmtime()) + ".json"), "w") as f:
        json.dump({"when": stamp, "size_mib": size, "rounds": rounds, "machine": m, "summary": summary,
                   "rss_max_mib": rss, "rounds_raw": rows}, f, indent=1)
    with open(os.path.join(out_dir, "latest.txt"), "w") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
