# shellcheck shell=bash
# devstack/lib/cloud.sh — the deployment of Ember in its two topologies, as functions that
# devstack/cloud (a developer's long-running cloud), tests/tempest/run and the devstack plugin
# (devstack/plugin.sh) all call, so what the tests prove is what the script and the plugin do.
#
#   Topology "dropin": Debian's cinder-api, cinder-scheduler and cinder-volume (RBD on the project's
#   Ceph) with auth_strategy = keystone, and Ember as their cinder-backup: bin/ember-backup started
#   from their cinder.conf as it is, with the command line of Debian's init script.
#   Topology "ember": Ember's own API (`ember all`, Ceph profile) with auth_strategy = keystone.
#   Each registers its block-storage and volumev3 endpoints in a Keystone region of its own.
#
# Functions the devstack plugin uses too (they need only services.sh and ember.sh):
#   cloud_install_ember                      JDK 17 + Maven, build target/ember.jar if stale
#   cloud_backup_program                     prints the path of bin/ember-backup
#   cloud_backup_ceph_options CONF POOL USER prints "option value" lines: the [DEFAULT] options
#                                            devstack's lib/cinder_backups/ceph sets
#   cloud_backup_ceph_prepare CEPH_CONF POOL USER VOLUME_POOL KEYRING_DIR
#                                            pool + client keyring, as lib/cinder_backups/ceph
#                                            makes them, unless the keyring already exists
# Functions of devstack/cloud and tests/tempest/run (they need ceph.sh, rabbitmq.sh,
# cinder-peer.sh, keystone.sh and tempest.sh sourced too):
#   cloud_prereqs                 MariaDB, RabbitMQ, Ceph, Keystone (+ fixture), Ember's jar
#   cloud_authtoken               the [keystone_authtoken] lines (the fixture's service user)
#   cloud_region REGION URL       block-storage + volumev3 endpoints URL/v3/%(project_id)s in REGION
#   cloud_dropin_select           points cinder-peer.sh's CINDER_PEER_* at the drop-in's names
#   cloud_dropin_start_core [BACKUP]
#                                 cinder-api, -scheduler, -volume (and Debian's cinder-backup when
#                                 BACKUP=cinder), unless they run; waits for their heartbeats
#   cloud_dropin_backup ember|cinder|none
#                                 makes that program the running backup service (replacing the other)
#   cloud_dropin_up [BACKUP]      all of it (BACKUP ember by default) + the region; idempotent
#   cloud_dropin_down             stops the drop-in's services
#   cloud_ember_start / cloud_ember_wait / cloud_ember_up / cloud_ember_down
#                                 Ember's own API (cloud_ember_up: start unless it answers + region)
#   cloud_status [TOPOLOGY...]    processes, ports, service heartbeats
#   cloud_env TOPOLOGY [USER]     OS_* variables for the stock clients (USER: admin or a fixture user)
#
# Environment (defaults in brackets; EMBER_TEST_TAG, when set, suffixes every shared name):
#   CLOUD_DATA [data/cloud]
#   CLOUD_DROPIN_DIR [$CLOUD_DATA/dropin]  CLOUD_DROPIN_PORT [18776]  CLOUD_DROPIN_HOST [ember-cloud]
#   CLOUD_DROPIN_DB [cinder_cloud]  CLOUD_DROPIN_VHOST [ember-cloud]  CLOUD_DROPIN_REGION [ember-dropin]
#   CLOUD_EMBER_DIR [$CLOUD_DATA/ember]  CLOUD_EMBER_PORT [18777]  CLOUD_EMBER_DB [ember_cloud]
#   CLOUD_EMBER_REGION [ember-api]  CLOUD_EMBER_BACKUP_DRIVER [cinder.backup.drivers.ceph.CephBackupDriver]
#   CLOUD_BAK_CEPH_POOL [backups]  CLOUD_BAK_CEPH_USER [cinder]
# RegionOne is not used by default: Keystone's fixture (keystone_fixture.py) keeps its block-storage
# endpoints there at Ember's default http://127.0.0.1:8776 (devstack/ember), which other tests use.

CLOUD_TAG=${EMBER_TEST_TAG:-}
CLOUD_DATA=${CLOUD_DATA:-$EMBER_ROOT/data/cloud}
CLOUD_DROPIN_DIR=${CLOUD_DROPIN_DIR:-$CLOUD_DATA/dropin}
CLOUD_DROPIN_PORT=${CLOUD_DROPIN_PORT:-18776}
CLOUD_DROPIN_HOST=${CLOUD_DROPIN_HOST:-ember-cloud${CLOUD_TAG:+-$CLOUD_TAG}}
CLOUD_DROPIN_DB=${CLOUD_DROPIN_DB:-cinder_cloud${CLOUD_TAG:+_$CLOUD_TAG}}
CLOUD_DROPIN_VHOST=${CLOUD_DROPIN_VHOST:-ember-cloud${CLOUD_TAG:+-$CLOUD_TAG}}
CLOUD_DROPIN_REGION=${CLOUD_DROPIN_REGION:-ember-dropin${CLOUD_TAG:+-$CLOUD_TAG}}
CLOUD_EMBER_DIR=${CLOUD_EMBER_DIR:-$CLOUD_DATA/ember}
CLOUD_EMBER_PORT=${CLOUD_EMBER_PORT:-18777}
CLOUD_EMBER_DB=${CLOUD_EMBER_DB:-ember_cloud${CLOUD_TAG:+_$CLOUD_TAG}}
CLOUD_EMBER_REGION=${CLOUD_EMBER_REGION:-ember-api${CLOUD_TAG:+-$CLOUD_TAG}}
CLOUD_EMBER_BACKUP_DRIVER=${CLOUD_EMBER_BACKUP_DRIVER:-cinder.backup.drivers.ceph.CephBackupDriver}
# The project's Ceph has the pool "backups" and the user "cinder" (devstack/lib/ceph.sh); devstack's
# own defaults (CINDER_BAK_CEPH_USER=cinder-bak) are the plugin's (devstack/settings).
CLOUD_BAK_CEPH_POOL=${CLOUD_BAK_CEPH_POOL:-backups}
CLOUD_BAK_CEPH_USER=${CLOUD_BAK_CEPH_USER:-cinder}

cloud_log() { printf '[cloud] %s\n' "$*" >&2; }

# ---------------------------------------------------------------- shared with the devstack plugin

cloud_install_ember() {
    ensure_tools >/dev/null
    ensure_java_maven >/dev/null
    ember_build >/dev/null || { cloud_log "building target/ember.jar failed"; return 1; }
}

cloud_backup_program() { printf '%s\n' "$EMBER_ROOT/bin/ember-backup"; }

# The options and values of devstack's lib/cinder_backups/ceph (configure_cinder_backup_ceph), which
# devstack applies only while c-bak is enabled; Ember reads all but backup_ceph_max_snapshots (0:
# cinder keeps every backup snapshot on the source volume, which is what Ember does).
cloud_backup_ceph_options() {
    local conf=$1 pool=$2 user=$3
    cat <<OPTS
backup_driver cinder.backup.drivers.ceph.CephBackupDriver
backup_ceph_conf $conf
backup_ceph_max_snapshots 0
backup_ceph_pool $pool
backup_ceph_user $user
backup_ceph_stripe_unit 0
backup_ceph_stripe_count 0
restore_discard_excess_bytes True
OPTS
}

# The backup pool and a client allowed on it and on the volume pool, keyring
# KEYRING_DIR/ceph.client.USER.keyring, as lib/cinder_backups/ceph makes them; nothing when that
# keyring exists already (the project's Ceph, or devstack-plugin-ceph's cephadm deployment).
cloud_backup_ceph_prepare() {
    local conf=$1 pool=$2 user=$3 vpool=$4 kdir=$5 keyring
    keyring="$kdir/ceph.client.$user.keyring"
    if ember_as_root test -s "$keyring"; then
        cloud_log "Ceph client.$user has its keyring ($keyring)"
        return 0
    fi
    cloud_log "creating Ceph pool $pool and client.$user (keyring $keyring)"
    ember_as_root ceph -c "$conf" osd pool create "$pool" 8 8 >/dev/null 2>&1 || true
    ember_as_root ceph -c "$conf" osd pool application enable "$pool" rbd >/dev/null 2>&1 || true
    ember_as_root ceph -c "$conf" auth get-or-create "client.$user" mon "profile rbd" \
        osd "profile rbd pool=$pool, profile rbd pool=$vpool" | ember_as_root tee "$keyring" >/dev/null \
        || { cloud_log "cannot create client.$user"; return 1; }
    ember_as_root chown "$(id -un)" "$keyring"
}

# --------------------------------------------------------------------- devstack/cloud and tests

cloud_prereqs() {
    ensure_mariadb >/dev/null
    rabbitmq_ensure_running >/dev/null || return 1
    ceph_ensure_running >/dev/null || return 1
    keystone_ensure_running || return 1
    cloud_install_ember
}

cloud_authtoken() {
    /usr/bin/python3 - "$KEYSTONE_DIR/fixture.json" <<'PY'
import json, sys
f = json.load(open(sys.argv[1]))
su = f["service_user"]
print("""www_authenticate_uri = {u}
auth_url = {u}
auth_type = password
username = {n}
password = {p}
user_domain_name = {d}
project_name = {pr}
project_domain_name = {pd}""".format(u=f["auth_url"], n=su["name"], p=su["password"], d=su["domain"],
                                     pr=su["project"], pd=su["project_domain"]))
PY
}

# Registering takes Keystone a dozen requests (20 s on a loaded machine): a stamp under CLOUD_DATA
# remembers a done registration for as long as Keystone's fixture file is unchanged (it is rewritten
# whenever Keystone is set up again); CLOUD_REFRESH=1 registers anyway.
cloud_region() {
    local region=$1 url=$2 stamp want
    stamp="$CLOUD_DATA/regions/$region"
    want="$url $(stat -c %Y "$KEYSTONE_DIR/fixture.json" 2>/dev/null)"
    if [ "${CLOUD_REFRESH:-0}" != 1 ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
        cloud_log "region $region: block-storage and volumev3 at $url (registered before)"
        return 0
    fi
    tempest_region "$region" "$url" || return 1
    mkdir -p "$CLOUD_DATA/regions" && printf '%s\n' "$want" >"$stamp"
}

cloud_dropin_select() {
    export CINDER_PEER_DIR=$CLOUD_DROPIN_DIR CINDER_PEER_HOST=$CLOUD_DROPIN_HOST
    export CINDER_PEER_DB=$CLOUD_DROPIN_DB CINDER_PEER_VHOST=$CLOUD_DROPIN_VHOST
    export CINDER_PEER_API_PORT=$CLOUD_DROPIN_PORT CINDER_PEER_AUTH_STRATEGY=keystone
    CINDER_PEER_CONF="$CINDER_PEER_DIR/cinder.conf"
    # cinder-peer.sh writes backup_driver, backup_ceph_conf/user/pool itself (same values); these
    # are the other options devstack's lib/cinder_backups/ceph sets (all at cinder's defaults).
    CINDER_PEER_BACKUP_OPTIONS=$(cloud_backup_ceph_options "$(ceph_conf_path)" "$CLOUD_BAK_CEPH_POOL" "$CLOUD_BAK_CEPH_USER" \
        | grep -Ev '^(backup_driver|backup_ceph_conf|backup_ceph_pool|backup_ceph_user) ' | sed 's/ / = /')
    if [ -z "${CINDER_PEER_KEYSTONE_AUTHTOKEN:-}" ]; then
        CINDER_PEER_KEYSTONE_AUTHTOKEN=$(cloud_authtoken) || return 1
    fi
    export CINDER_PEER_KEYSTONE_AUTHTOKEN
}

_cloud_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# Which backup program the pid file's process runs: ember, cinder or none.
_cloud_dropin_backup_kind() {
    local f="$CINDER_PEER_DIR/run/cinder-backup.pid"
    _cloud_alive "$f" || { echo none; return; }
    if tr '\0' ' ' <"/proc/$(cat "$f")/cmdline" 2>/dev/null | grep -q 'ember\.jar'; then echo ember; else echo cinder; fi
}

cloud_dropin_start_core() {
    local backup=${1:-ember} s missing=""
    cloud_dropin_select || return 1
    CINDER_PEER_SERVICES="cinder-api cinder-scheduler cinder-volume"
    [ "$backup" = cinder ] && CINDER_PEER_SERVICES="$CINDER_PEER_SERVICES cinder-backup"
    CINDER_PEER_PACKAGES="cinder-api cinder-scheduler cinder-volume python3-cinderclient python3-pymysql python3-rbd python3-rados ceph-common"
    [ "$backup" = cinder ] && CINDER_PEER_PACKAGES="$CINDER_PEER_PACKAGES cinder-backup"
    export CINDER_PEER_SERVICES CINDER_PEER_PACKAGES
    mkdir -p "$CINDER_PEER_DIR"
    cinder_peer_install || return 1
    for s in cinder-api cinder-scheduler cinder-volume; do
        _cloud_alive "$CINDER_PEER_DIR/run/$s.pid" || missing="$missing $s"
    done
    if [ -z "$missing" ] && [ "$backup" != cinder ]; then
        cloud_log "dropin: cinder-api, cinder-scheduler, cinder-volume already run (host $CINDER_PEER_HOST, :$CINDER_PEER_API_PORT)"
        return 0
    fi
    [ "$backup" = cinder ] && [ "$(_cloud_dropin_backup_kind)" = ember ] && cloud_dropin_backup none
    cloud_log "dropin: starting${missing:- cinder-backup} (host $CINDER_PEER_HOST, cinder-api :$CINDER_PEER_API_PORT, database $CINDER_PEER_DB, vhost $CINDER_PEER_VHOST)"
    cinder_peer_start >/dev/null || return 1
    for s in $CINDER_PEER_SERVICES; do
        _cloud_alive "$CINDER_PEER_DIR/run/$s.pid" \
            || { cloud_log "dropin: $s exited; see $CINDER_PEER_DIR/log"; return 1; }
    done
}

cloud_dropin_backup() {
    local want=${1:-ember} have f p
    cloud_dropin_select || return 1
    f="$CINDER_PEER_DIR/run/cinder-backup.pid"
    have=$(_cloud_dropin_backup_kind)
    if [ "$have" = "$want" ]; then
        [ "$want" = none ] || cloud_log "dropin: the backup service ($want, pid $(cat "$f")) already runs"
        return 0
    fi
    if [ "$have" != none ]; then
        p=$(cat "$f"); kill "$p" 2>/dev/null
        for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$p" 2>/dev/null && kill -9 "$p"
        rm -f "$f"
        cloud_log "dropin: stopped the $have backup service (pid $p)"
    fi
    case $want in
        none) return 0 ;;
        ember) cinder_peer_start_backup "$(cloud_backup_program)" ;;
        cinder) cinder_peer_start_backup /usr/bin/cinder-backup ;;
        *) cloud_log "unknown backup program '$want' (ember, cinder, none)"; return 1 ;;
    esac
    cinder_peer_wait_backup 120
}

cloud_dropin_up() {
    local backup=${1:-ember}
    cloud_dropin_select || return 1
    cloud_backup_ceph_prepare "$(ceph_conf_path)" "$CLOUD_BAK_CEPH_POOL" "$CLOUD_BAK_CEPH_USER" volumes \
        "$(dirname "$(ceph_conf_path)")" || return 1
    cloud_dropin_start_core "$backup" || return 1
    # Debian's cinder-backup is started by cinder_peer_start (in its own mount namespace).
    [ "$backup" = cinder ] || cloud_dropin_backup "$backup" || return 1
    cloud_region "$CLOUD_DROPIN_REGION" "http://127.0.0.1:$CLOUD_DROPIN_PORT"
}

cloud_dropin_down() {
    cloud_dropin_select || return 1
    CINDER_PEER_SERVICES="cinder-api cinder-scheduler cinder-volume"
    cinder_peer_stop
    cloud_log "dropin: stopped (host $CINDER_PEER_HOST)"
}

# cloud_ember_start [DIR PORT DB DRIVER]: Ember's own API, Ceph profile, auth_strategy = keystone
# (does not wait; cloud_ember_wait does). Its ember.conf is rewritten at each start.
cloud_ember_start() {
    local dir=${1:-$CLOUD_EMBER_DIR} port=${2:-$CLOUD_EMBER_PORT} db=${3:-$CLOUD_EMBER_DB}
    local driver=${4:-$CLOUD_EMBER_BACKUP_DRIVER} authtoken
    authtoken=${CINDER_PEER_KEYSTONE_AUTHTOKEN:-$(cloud_authtoken)} || return 1
    ember_stop "$dir/ember.pid" >/dev/null 2>&1
    mkdir -p "$dir"
    ensure_db_user "$db" >/dev/null
    EMBER_CEPH_BACKUP_DRIVER=$driver ember_write_ceph_conf "$dir/ember.conf" "$dir" "$port" "$db" "$(ceph_conf_path)" >/dev/null
    sed -i 's/^auth_strategy = .*/auth_strategy = keystone/' "$dir/ember.conf"
    printf '\n[keystone_authtoken]\n%s\n' "$authtoken" >>"$dir/ember.conf"
    ember_start "$dir/ember.pid" "$dir/ember.log" "$dir/ember.conf" >/dev/null
}

cloud_ember_wait() {
    local dir=${1:-$CLOUD_EMBER_DIR} port=${2:-$CLOUD_EMBER_PORT}
    ember_wait_ready "$dir/ember.pid" "$port" "$dir/ember.log" "${3:-120}" >/dev/null
}

cloud_ember_up() {
    local code
    if ember_pid "$CLOUD_EMBER_DIR/ember.pid" >/dev/null; then
        cloud_log "ember: Ember's API already runs (pid $(cat "$CLOUD_EMBER_DIR/ember.pid"), :$CLOUD_EMBER_PORT)"
    else
        code=$(ember_http_code "$CLOUD_EMBER_PORT")
        if [ "$code" != 000 ]; then
            cloud_log "ember: port $CLOUD_EMBER_PORT answers (HTTP $code) but not from a process this script started"
            return 1
        fi
        cloud_log "ember: starting Ember's API (:$CLOUD_EMBER_PORT, database $CLOUD_EMBER_DB, $CLOUD_EMBER_DIR)"
        cloud_ember_start || return 1
    fi
    cloud_ember_wait || return 1
    cloud_region "$CLOUD_EMBER_REGION" "http://127.0.0.1:$CLOUD_EMBER_PORT"
}

cloud_ember_down() {
    ember_stop "$CLOUD_EMBER_DIR/ember.pid" >/dev/null
    cloud_log "ember: stopped"
}

cloud_status() {
    local t rc=0 s f topos=("$@")
    [ $# -gt 0 ] || topos=(dropin ember)
    for t in "${topos[@]}"; do
        case $t in
            dropin)
                cloud_dropin_select >/dev/null 2>&1 || true
                echo "dropin (region $CLOUD_DROPIN_REGION, http://127.0.0.1:$CLOUD_DROPIN_PORT, HTTP $(ember_http_code "$CLOUD_DROPIN_PORT")):"
                for s in cinder-api cinder-scheduler cinder-volume cinder-backup; do
                    f="$CINDER_PEER_DIR/run/$s.pid"
                    if _cloud_alive "$f"; then
                        printf '  %-16s pid %s%s\n' "$s" "$(cat "$f")" \
                            "$([ "$s" = cinder-backup ] && echo " ($(_cloud_dropin_backup_kind))")"
                    else
                        printf '  %-16s stopped\n' "$s"; rc=1
                    fi
                done
                mysql -N -h127.0.0.1 -u"$EMBER_DB_USER" -p"$EMBER_DB_PASSWORD" "$CLOUD_DROPIN_DB" -e \
                    "select concat('  heartbeat ', \`binary\`, '@', host, ': ', if(updated_at > utc_timestamp() - interval 60 second, 'up', 'down')) from services where deleted=0" 2>/dev/null
                ;;
            ember)
                echo "ember (region $CLOUD_EMBER_REGION, http://127.0.0.1:$CLOUD_EMBER_PORT, HTTP $(ember_http_code "$CLOUD_EMBER_PORT")):"
                if ember_pid "$CLOUD_EMBER_DIR/ember.pid" >/dev/null; then
                    echo "  ember all        pid $(cat "$CLOUD_EMBER_DIR/ember.pid") (log $CLOUD_EMBER_DIR/ember.log)"
                else
                    echo "  ember all        stopped"; rc=1
                fi
                ;;
            *) cloud_log "unknown topology '$t' (dropin, ember)"; return 2 ;;
        esac
    done
    return $rc
}

# cloud_env TOPOLOGY [USER]: USER "admin" (bootstrap's admin, project admin) or a user of the
# fixture (a-member, a-admin, a-reader, b-member, ...; system and domain users get their scope).
cloud_env() {
    local topo=${1:-dropin} user=${2:-admin} region
    case $topo in
        dropin) region=$CLOUD_DROPIN_REGION ;;
        ember) region=$CLOUD_EMBER_REGION ;;
        *) cloud_log "unknown topology '$topo' (dropin, ember)"; return 2 ;;
    esac
    /usr/bin/python3 - "$KEYSTONE_DIR/fixture.json" "$user" "$region" <<'PY'
import json, sys
f, name, region = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
env = {"OS_AUTH_URL": f["auth_url"], "OS_IDENTITY_API_VERSION": "3", "OS_AUTH_TYPE": "password",
       "OS_REGION_NAME": region, "OS_INTERFACE": "public", "OS_VOLUME_API_VERSION": "3.64"}
if name == "admin":
    a = f["admin"]
    env.update(OS_USERNAME=a["name"], OS_PASSWORD=a["password"], OS_USER_DOMAIN_NAME=a["domain"],
               OS_PROJECT_NAME=a["project"], OS_PROJECT_DOMAIN_NAME=a["domain"])
elif name in f["users"]:
    u = f["users"][name]
    env.update(OS_USERNAME=name, OS_PASSWORD=f["password"], OS_USER_DOMAIN_NAME=f["domain"]["name"])
    if u["scope"] == "project":
        env.update(OS_PROJECT_ID=u["project"])
    elif u["scope"] == "domain":
        env.update(OS_DOMAIN_NAME=f["domain"]["name"])
    else:
        env.update(OS_SYSTEM_SCOPE="all")
else:
    sys.exit("unknown user %r: admin or one of %s" % (name, ", ".join(sorted(f["users"]))))
for k in sorted(env):
    print("export %s=%s" % (k, env[k]))
PY
}
