#!/usr/bin/python3
"""Creates (idempotently) Ember's Keystone test fixture through Keystone's REST API and writes
its ids, names and passwords as JSON to the path given as the only argument.

Run by devstack/lib/keystone.sh (keystone_fixture) with /usr/bin/python3 (Debian's keystoneauth1).
Environment: KEYSTONE_URL (http://127.0.0.1:5000/v3), KEYSTONE_ADMIN_PASSWORD (bootstrap's),
KEYSTONE_FIXTURE_PASSWORD (every fixture user's), EMBER_API_URL (the block-storage endpoint base).

Fixture: domain ember-test with projects ember-a and ember-b;
  users (domain ember-test)  a-admin, a-member, a-reader   roles on project ember-a
                             b-member, b-reader            roles on project ember-b
                             d-reader, d-admin             reader / admin on the domain
                             s-reader, s-admin             reader / admin on the system (all)
  service user ember (domain Default) with service and admin on project service;
  services cinderv3 (block-storage) and volumev3 with endpoints <EMBER_API_URL>/v3/%(project_id)s.
"""
import json
import os
import sys

from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3

URL = os.environ.get("KEYSTONE_URL", "http://127.0.0.1:5000/v3").rstrip("/")
ADMIN_PW = os.environ.get("KEYSTONE_ADMIN_PASSWORD", "ember-admin")
PW = os.environ.get("KEYSTONE_FIXTURE_PASSWORD", "ember-fixture")
EMBER = os.environ.get("EMBER_API_URL", "http://127.0.0.1:8776").rstrip("/")

auth = v3.Password(auth_url=URL, username="admin", password=ADMIN_PW, user_domain_id="default",
                   system_scope="all")
s = ks_session.Session(auth=auth)


def get(path, **params):
    return s.get(URL + path, params=params, raise_exc=True).json()


def find_or_create(kind, plural, query, body):
    found = get("/" + plural, **query)[plural]
    if found:
        return found[0]
    return s.post(URL + "/" + plural, json={kind: body}, raise_exc=True).json()[kind]


def role(name):
    return find_or_create("role", "roles", {"name": name}, {"name": name})


def grant(target, user, role_obj):
    # PUT is idempotent in Keystone (204 whether or not it existed).
    s.put(URL + "%s/users/%s/roles/%s" % (target, user["id"], role_obj["id"]), raise_exc=True)


def user(name, domain_id, password):
    u = find_or_create("user", "users", {"name": name, "domain_id": domain_id},
                       {"name": name, "domain_id": domain_id, "password": password, "enabled": True})
    return u


roles = {r: role(r) for r in ("admin", "member", "reader", "service")}
domain = find_or_create("domain", "domains", {"name": "ember-test"},
                        {"name": "ember-test", "description": "Ember test fixture", "enabled": True})
did = domain["id"]
projects = {}
for key, name in (("a", "ember-a"), ("b", "ember-b")):
    projects[key] = find_or_create("project", "projects", {"name": name, "domain_id": did},
                                   {"name": name, "domain_id": did, "enabled": True})

users = {}
plan = [
    ("a-admin", "project", "a", "admin"), ("a-member", "project", "a", "member"),
    ("a-reader", "project", "a", "reader"), ("b-member", "project", "b", "member"),
    ("b-reader", "project", "b", "reader"), ("d-reader", "domain", None, "reader"),
    ("d-admin", "domain", None, "admin"), ("s-reader", "system", None, "reader"),
    ("s-admin", "system", None, "admin"),
]
for name, scope, proj, rname in plan:
    u = user(name, did, PW)
    if scope == "project":
        grant("/projects/%s" % projects[proj]["id"], u, roles[rname])
    elif scope == "domain":
        grant("/domains/%s" % did, u, roles[rname])
    else:
        grant("/system", u, roles[rname])
    users[name] = {"id": u["id"], "name": name, "scope": scope,
                   "project": projects[proj]["id"] if proj else None, "role": rname}

service_project = find_or_create("project", "projects", {"name": "service", "domain_id": "default"},
                                 {"name": "service", "domain_id": "default", "enabled": True})
ember_user = user("ember", "default", PW)
grant("/projects/%s" % service_project["id"], ember_user, roles["service"])
grant("/projects/%s" % service_project["id"], ember_user, roles["admin"])

for sname, stype in (("cinderv3", "block-storage"), ("volumev3", "volumev3")):
    svc = find_or_create("service", "services", {"type": stype},
                         {"name": sname, "type": stype, "enabled": True})
    ep_url = EMBER + "/v3/%(project_id)s"
    for iface in ("public", "internal", "admin"):
        eps = get("/endpoints", service_id=svc["id"], interface=iface)["endpoints"]
        if not eps:
            s.post(URL + "/endpoints", json={"endpoint": {
                "service_id": svc["id"], "interface": iface, "url": ep_url,
                "region_id": "RegionOne", "enabled": True}}, raise_exc=True)

out = {
    "auth_url": URL,
    "password": PW,
    "domain": {"id": did, "name": "ember-test"},
    "projects": {k: {"id": p["id"], "name": p["name"]} for k, p in projects.items()},
    "users": users,
    "service_user": {"name": "ember", "id": ember_user["id"], "password": PW,
                     "domain": "Default", "project": "service", "project_domain": "Default"},
    "admin": {"name": "admin", "password": ADMIN_PW, "domain": "Default", "project": "admin"},
}
with open(sys.argv[1], "w") as f:
    json.dump(out, f, indent=2, sort_keys=True)
print("fixture: domain %s, projects a=%s b=%s, %d users" % (
    did, projects["a"]["id"], projects["b"]["id"], len(users)), file=sys.stderr)
