# shellcheck shell=bash
# devstack/lib/tempest.sh — Debian's tempest (1:33.0.0) and cinder-tempest-plugin (1.7.2) against a
# block-storage endpoint registered in Debian's real Keystone (devstack/lib/keystone.sh). Each
# topology under test gets a Keystone region of its own holding the block-storage and volumev3
# endpoints of that topology, and a tempest workspace whose tempest.conf names that region: the
# shared RegionOne endpoints (the fixture's) are never changed. Source after services.sh and
# keystone.sh.
#
#   tempest_install                     apt-get install tempest cinder-tempest-plugin (idempotent)
#   tempest_region REGION URL           region REGION with block-storage/volumev3 endpoints
#                                       URL/v3/%(project_id)s (public, internal, admin); idempotent,
#                                       an endpoint of another URL is updated
#   tempest_workspace DIR REGION [PROTOCOL]
#                                       a workspace as `tempest init DIR` makes it (unregistered) and
#                                       DIR/etc/tempest.conf:
#                                       Keystone v3 with dynamic credentials (bootstrap's admin),
#                                       only cinder available (no nova, glance, neutron, swift),
#                                       [volume-feature-enabled] backup = True, the volume service
#                                       looked up in REGION, storage_protocol PROTOCOL (ceph)
#   tempest_run DIR REGEX OUT [CONCURRENCY]
#                                       `tempest run --regex REGEX --concurrency N` in DIR, its
#                                       output in OUT, the subunit stream in OUT.subunit
#
# Environment: KEYSTONE_URL, KEYSTONE_ADMIN_PASSWORD (keystone.sh), TEMPEST_BUILD_TIMEOUT (180).

TEMPEST_PACKAGES="tempest cinder-tempest-plugin"

tempest_log() { printf '[tempest] %s\n' "$*" >&2; }

tempest_installed() {
    local p
    for p in $TEMPEST_PACKAGES; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || return 1
    done
    [ -x /usr/bin/tempest ]
}

tempest_install() {
    tempest_installed && return 0
    tempest_log "installing: $TEMPEST_PACKAGES"
    local log=${TMPDIR:-/tmp}/ember-tempest-install.log
    local apt=(env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -q
        --no-install-recommends)
    # shellcheck disable=SC2086
    if ! ember_as_root "${apt[@]}" $TEMPEST_PACKAGES </dev/null >"$log" 2>&1; then
        ember_as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 update -q \
            </dev/null >>"$log" 2>&1
        # shellcheck disable=SC2086
        ember_as_root "${apt[@]}" $TEMPEST_PACKAGES </dev/null >>"$log" 2>&1
    fi
    tempest_installed || { tempest_log "apt-get install $TEMPEST_PACKAGES failed (see $log)"; tail -n 20 "$log" >&2; return 1; }
}

tempest_region() {
    local region=$1 url=${2%/}
    KEYSTONE_URL=$KEYSTONE_URL KEYSTONE_ADMIN_PASSWORD=$KEYSTONE_ADMIN_PASSWORD \
        /usr/bin/python3 - "$region" "$url" <<'PY'
import os, sys
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3
region, base = sys.argv[1], sys.argv[2]
URL = os.environ["KEYSTONE_URL"].rstrip("/")
s = ks_session.Session(auth=v3.Password(auth_url=URL, username="admin",
                       password=os.environ["KEYSTONE_ADMIN_PASSWORD"], user_domain_id="default",
                       system_scope="all"))
get = lambda path, **q: s.get(URL + path, params=q, raise_exc=True).json()
if not [r for r in get("/regions")["regions"] if r["id"] == region]:
    s.post(URL + "/regions", json={"region": {"id": region, "description": "Ember tempest"}},
           raise_exc=True)
ep_url = base + "/v3/%(project_id)s"
for name, stype in (("cinderv3", "block-storage"), ("volumev3", "volumev3")):
    svcs = get("/services", type=stype)["services"]
    svc = svcs[0] if svcs else s.post(URL + "/services", json={"service": {
        "name": name, "type": stype, "enabled": True}}, raise_exc=True).json()["service"]
    for iface in ("public", "internal", "admin"):
        eps = [e for e in get("/endpoints", service_id=svc["id"], interface=iface)["endpoints"]
               if e.get("region_id") == region]
        if not eps:
            s.post(URL + "/endpoints", json={"endpoint": {
                "service_id": svc["id"], "interface": iface, "url": ep_url,
                "region_id": region, "enabled": True}}, raise_exc=True)
        elif eps[0]["url"] != ep_url:
            s.patch(URL + "/endpoints/" + eps[0]["id"], json={"endpoint": {"url": ep_url}},
                    raise_exc=True)
print("region %s: block-storage and volumev3 at %s" % (region, ep_url), file=sys.stderr)
PY
}

tempest_workspace() {
    local dir=$1 region=$2 protocol=${3:-ceph}
    # What `tempest init` writes, without registering the directory in ~/.tempest/workspace.yaml
    # (a second init of a registered name fails).
    local pkg
    pkg=$(/usr/bin/python3 -c 'import os, tempest; print(os.path.dirname(os.path.dirname(tempest.__file__)))') || return 1
    mkdir -p "$dir/etc" "$dir/logs"
    cat >"$dir/.stestr.conf" <<STESTR
[DEFAULT]
test_path=$pkg/tempest/test_discover
top_dir=$pkg
group_regex=([^\.]*\.)*
STESTR
    cat >"$dir/etc/tempest.conf" <<CONF
# written by devstack/lib/tempest.sh
[DEFAULT]
log_dir = $dir/logs
log_file = tempest.log
debug = true

[auth]
use_dynamic_credentials = True
create_isolated_networks = False
admin_username = admin
admin_password = $KEYSTONE_ADMIN_PASSWORD
admin_project_name = admin
admin_domain_name = Default

[identity]
uri_v3 = $KEYSTONE_URL/
auth_version = v3
region = RegionOne

[identity-feature-enabled]
api_v2 = False
api_v3 = True

[service_available]
cinder = True
nova = False
glance = False
neutron = False
swift = False
horizon = False

[validation]
run_validation = False

[volume]
catalog_type = volumev3
region = $region
endpoint_type = publicURL
storage_protocol = $protocol
vendor_name = Open Source
volume_size = 1
min_microversion = 3.0
max_microversion = 3.70
build_timeout = ${TEMPEST_BUILD_TIMEOUT:-180}
build_interval = 1

[volume-feature-enabled]
backup = True
snapshot = True
api_v3 = True
clone = True
extend_attached_volume = False
manage_volume = False
manage_snapshot = False
CONF
}

tempest_run() {
    local dir=$1 regex=$2 out=$3 conc=${4:-2}
    rm -rf "$dir/.stestr"
    (cd "$dir" && /usr/bin/tempest run --config-file "$dir/etc/tempest.conf" --regex "$regex" --concurrency "$conc" \
        --subunit >"$out.subunit" 2>"$out.stderr")
    local rc=$?
    /usr/bin/subunit2pyunit <"$out.subunit" >"$out" 2>&1 || true
    return $rc
}
