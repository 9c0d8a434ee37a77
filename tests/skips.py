#!/usr/bin/python3
"""tests/skips.py REPORT_DIR ALLOWED_FILE — lists every JUnit test Surefire reports as skipped, with
its reason, and counts as unexpected every skip whose reason matches no pattern of ALLOWED_FILE.

./tests/run installs and starts everything the suite needs (MariaDB, RabbitMQ, Ceph), so a skip
there means a guard fired where nothing was missing: a regression hidden as a skip. Only reasons
about the machine itself (a package or an address it lacks) may be listed in ALLOWED_FILE, one
regular expression a line, '#' comments. Prints the skips and, last, "skips: N allowed, N unexpected";
exits 1 if any is unexpected."""
import glob
import os
import re
import sys
import xml.etree.ElementTree as ET


def main(report_dir, allowed_file):
    allowed = []
    with open(allowed_file) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                allowed.append(re.compile(line))
    ok = bad = 0
    for path in sorted(glob.glob(os.path.join(report_dir, "TEST-*.xml"))):
        for case in ET.parse(path).getroot().iter("testcase"):
            skipped = case.find("skipped")
            if skipped is None:
                continue
            reason = (skipped.get("message") or skipped.text or "").strip()
            name = "%s.%s" % (case.get("classname"), case.get("name"))
            if any(p.search(reason) for p in allowed):
                ok += 1
                print("skipped (environment): %s: %s" % (name, reason))
            else:
                bad += 1
                print("SKIPPED UNEXPECTEDLY: %s: %s" % (name, reason or "(no reason given)"))
    print("skips: %d allowed, %d unexpected" % (ok, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
