#!/usr/bin/python3
"""Side-by-side table of tempest runs (subunit v2 streams written by `tempest run --subunit`).

usage: report.py OUT_DIR BASELINE=FILE EMBER_COL=FILE... [--posix EMBER_COL=FILE]

The first column is the baseline (Debian's cinder-backup); every other column is an Ember topology.
A (test, Ember column) cell fails when the baseline passed the test and Ember did not (failed, or
absent from Ember's run), or when Ember skipped it for a reason other than a missing nova, glance
or neutron. A skip the baseline shows for the same named reason (nova, glance, neutron, or tempest's
"storage_protocol = ceph" skip of its container-name test, which cinder's Ceph driver takes as a
pool name) is allowed; the posix column (Ember with the posix driver) runs exactly those ceph-skipped
tests, and each of its cells must pass.
Tests the baseline did not pass are shown and not counted. Prints the table and
"tempest: N passed, N failed"; writes OUT_DIR/report.txt.
"""
import os
import re
import sys

import subunit
import testtools

ALLOWED_SKIP = re.compile(r"nova|compute|glance|image|neutron|network", re.I)
CEPH_SKIP = re.compile(r"ceph does not support arbitrary container names", re.I)


def load(path):
    res = {}
    if not os.path.exists(path):
        return res

    def on_test(t):
        if t["status"] in ("exists", "inprogress", None):
            return
        tid = re.sub(r"\[.*\]$", "", t["id"])
        reason = ""
        details = t.get("details") or {}
        if t["status"] == "skip" and "reason" in details:
            reason = details["reason"].as_text().strip()
        elif t["status"] in ("fail", "uxsuccess") and "traceback" in details:
            lines = [ln.strip() for ln in details["traceback"].as_text().strip().splitlines() if ln.strip()]
            key = [ln for ln in lines if re.match(r"^[\w.]+(Error|Exception|Failure)\b|^Details:", ln)]
            reason = (key[-1] if key else lines[-1] if lines else "")[:300]
        res[tid] = (t["status"], reason)

    with open(path, "rb") as f:
        stream = subunit.ByteStreamToStreamResult(f, non_subunit_name="stdout")
        result = testtools.StreamToDict(on_test)
        result.startTestRun()
        try:
            stream.run(result)
        finally:
            result.stopTestRun()
    return res


def short(tid):
    tid = tid.replace("tempest.api.volume.", "t.").replace("cinder_tempest_plugin.api.volume.", "ctp.")
    return tid


def main(argv):
    out_dir = argv[1]
    cols, posix = [], None
    args = argv[2:]
    i = 0
    while i < len(args):
        if args[i] == "--posix":
            name, path = args[i + 1].split("=", 1)
            posix = (name, load(path))
            i += 2
            continue
        name, path = args[i].split("=", 1)
        cols.append((name, load(path)))
        i += 1
    base_name, base = cols[0]
    embers = cols[1:]
    if posix:
        embers_all = embers + [posix]
    else:
        embers_all = embers
    tests = sorted(set(base) | {t for _, r in cols for t in r} | (set(posix[1]) if posix else set()))
    passed = failed = 0
    lines = []
    notes = []
    w = max([len(short(t)) for t in tests] + [10])
    header = "%-*s  %-9s" % (w, "test", base_name[:9]) + "".join("  %-9s" % n[:9] for n, _ in embers_all)
    lines.append(header)
    lines.append("-" * len(header))

    def cell(r, tid):
        s = r.get(tid)
        return s[0] if s else "-"

    posix_name = posix[0] if posix else None
    for tid in tests:
        b = base.get(tid)
        row = "%-*s  %-9s" % (w, short(tid), cell(base, tid))
        for name, r in embers_all:
            e = r.get(tid)
            mark = ""
            if name == posix_name:
                # Only the tests the Ceph runs skip for storage_protocol = ceph run here: each must pass.
                if e is None:
                    row += "  %-9s" % "-"
                    continue
                if e[0] == "success":
                    passed += 1
                else:
                    failed += 1
                    mark = "!"
                    notes.append("%s [%s]: %s: %s" % (short(tid), name, e[0], e[1]))
                row += "  %-9s" % (e[0] + mark)
                continue
            if b is None or b[0] != "success":
                # The baseline did not pass it: not counted, except an Ember skip nobody explains.
                if b and b[0] == "skip" and e and e[0] == "skip" and e[1] == b[1] and \
                        (ALLOWED_SKIP.search(e[1]) or CEPH_SKIP.search(e[1])):
                    passed += 1   # the same named skip as cinder-backup's
                elif e and e[0] == "skip" and not ALLOWED_SKIP.search(e[1]):
                    mark = "!"
                    failed += 1
                    notes.append("%s [%s]: unexplained skip: %s" % (short(tid), name, e[1]))
                elif e and e[0] == "fail" and tid.startswith("tearDownClass") and b is None:
                    mark = "!"   # Ember's resources could not be cleaned up where cinder-backup's were
                    failed += 1
                    notes.append("%s [%s]: %s" % (short(tid), name, e[1]))
                elif e and e[0] == "fail" and tid.startswith("setUpClass") and b is None:
                    notes.append("%s [%s]: class set-up failed (its tests are counted as not run): %s" % (
                        short(tid), name, e[1]))
                elif e and e[0] == "fail":
                    notes.append("%s [%s]: fails as the baseline does (baseline %s): %s" % (
                        short(tid), name, b[0] if b else "absent", e[1]))
                row += "  %-9s" % (cell(r, tid) + mark)
                continue
            if e is None:
                failed += 1
                mark = "!"
                notes.append("%s [%s]: not run (its class set-up failed)" % (short(tid), name))
            elif e[0] == "success":
                passed += 1
            elif e[0] == "skip" and ALLOWED_SKIP.search(e[1]):
                passed += 1
            else:
                failed += 1
                mark = "!"
                notes.append("%s [%s]: %s: %s" % (short(tid), name, e[0], e[1]))
            row += "  %-9s" % (cell(r, tid) + mark)
        lines.append(row)
    skips = {}
    for name, r in cols + ([posix] if posix else []):
        for tid, (st, why) in r.items():
            if st == "skip":
                skips.setdefault(why, set()).add(short(tid))
    lines.append("")
    lines.append("t. = tempest.api.volume., ctp. = cinder_tempest_plugin.api.volume.; '!' = counted as a failure")
    if skips:
        lines.append("skip reasons:")
        for why, ts in sorted(skips.items()):
            lines.append("  %s: %s" % (why, ", ".join(sorted(ts))))
    if notes:
        lines.append("notes:")
        lines.extend("  " + n for n in notes)
    lines.append("tempest: %d passed, %d failed" % (passed, failed))
    text = "\n".join(lines)
    print(text)
    with open(os.path.join(out_dir, "report.txt"), "w") as f:
        f.write(text + "\n")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
