# shellcheck shell=bash
# devstack/lib/cinder-peer.sh — Debian's real cinder (12 "bookworm", cinder 21.x "Zed") beside Ember
# for the drop-in test: cinder-api (noauth), cinder-scheduler and cinder-volume (RBD backend on the
# project's one-node Ceph under data/ceph, pool "volumes", user "cinder") on the project's MariaDB
# (Ember's database user) and RabbitMQ (its own vhost), run as plain background processes (no
# systemd). Ember takes cinder-backup's place: same host name, transport_url and database.
# Based on the project's shared reference peer-cinder.sh. Source after devstack/lib/services.sh.
#
#   cinder_peer_install          apt-get install the cinder services and clients (once; idempotent)
#   cinder_peer_setup            vhost, database, cinder.conf, `cinder-manage db sync` (idempotent)
#   cinder_peer_start            setup + start cinder-api, cinder-scheduler, cinder-volume; wait until up
#   cinder_peer_stop             stop them
#   cinder_peer_status           processes and the services table
#   cinder_peer_env              print the stock client's environment (noauth)
#   cinder_peer_transport_url    print the transport_url the services (and Ember) use
#
# Environment: CINDER_PEER_DIR (data/cinder-peer), CINDER_PEER_HOST (ember-interop),
# CINDER_PEER_DB (cinder_interop), CINDER_PEER_VHOST (ember-interop), CINDER_PEER_API_PORT (18786),
# CINDER_PEER_PROJECT / CINDER_PEER_USER (hex ids), CINDER_PEER_SERVICES (cinder-api cinder-scheduler
# cinder-volume; add cinder-backup to run Debian's too, its package is then installed),
# EMBER_CEPH_DIR (data/ceph), CINDER_PEER_BACKUP_DRIVER (cinder.backup.drivers.ceph.CephBackupDriver),
# CINDER_PEER_BACKUP_OPTIONS (extra "key = value" lines for [DEFAULT], e.g. the posix driver's),
# CINDER_PEER_AUTH_STRATEGY (noauth; keystone validates tokens with the [keystone_authtoken] lines
# in CINDER_PEER_KEYSTONE_AUTHTOKEN, tests/tempest/run's).

_CP_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CINDER_PEER_DIR=${CINDER_PEER_DIR:-$_CP_ROOT/data/cinder-peer}
CINDER_PEER_HOST=${CINDER_PEER_HOST:-ember-interop}
CINDER_PEER_DB=${CINDER_PEER_DB:-cinder_interop}
CINDER_PEER_VHOST=${CINDER_PEER_VHOST:-ember-interop}
CINDER_PEER_API_PORT=${CINDER_PEER_API_PORT:-18786}
CINDER_PEER_PROJECT=${CINDER_PEER_PROJECT:-7e1e5a0d9b2c4f7e8a6b5c4d3e2f1a0b}
CINDER_PEER_USER=${CINDER_PEER_USER:-0f1e2d3c4b5a69788796a5b4c3d2e1f0}
CINDER_PEER_SERVICES=${CINDER_PEER_SERVICES:-"cinder-api cinder-scheduler cinder-volume"}
CINDER_PEER_PACKAGES=${CINDER_PEER_PACKAGES:-cinder-api cinder-scheduler cinder-volume python3-cinderclient python3-pymysql python3-rbd python3-rados ceph-common}
# Debian's cinder-backup too when it is one of the services to run (tests/differential runs it;
# tests/interop runs Ember in its place).
case " $CINDER_PEER_SERVICES " in
    *" cinder-backup "*) case " $CINDER_PEER_PACKAGES " in *" cinder-backup "*) ;; *) CINDER_PEER_PACKAGES="$CINDER_PEER_PACKAGES cinder-backup" ;; esac ;;
esac
CINDER_PEER_CONF="$CINDER_PEER_DIR/cinder.conf"
CINDER_PEER_AUTH_STRATEGY=${CINDER_PEER_AUTH_STRATEGY:-noauth}
CINDER_PEER_KEYSTONE_AUTHTOKEN=${CINDER_PEER_KEYSTONE_AUTHTOKEN:-}
_CP_CEPH_DIR=${EMBER_CEPH_DIR:-$_CP_ROOT/data/ceph}

cinder_peer_log() { printf '[cinder-peer] %s\n' "$*" >&2; }

cinder_peer_transport_url() {
    printf 'rabbit://%s:%s@%s:%s/%s\n' "${RABBITMQ_USER:-guest}" "${RABBITMQ_PASSWORD:-guest}" \
        "${RABBITMQ_HOST:-127.0.0.1}" "${RABBITMQ_PORT:-5672}" "$CINDER_PEER_VHOST"
}

cinder_peer_db_url() {
    printf 'mysql+pymysql://%s:%s@127.0.0.1:3306/%s?charset=utf8\n' "${EMBER_DB_USER:-ember}" \
        "${EMBER_DB_PASSWORD:-ember}" "$CINDER_PEER_DB"
}

cinder_peer_install() {
    local missing=() p
    for p in $CINDER_PEER_PACKAGES; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    cinder_peer_log "installing: ${missing[*]}"
    # No init system: keep the packages' postinst scripts from starting services.
    local own_policy=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        ember_as_root sh -c 'printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d'
        own_policy=1
    fi
    local apt=(env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends)
    local rc=0
    # The log sits beside the state directory, which a first install precedes.
    mkdir -p "$(dirname "$CINDER_PEER_DIR")" || return 1
    if ! ember_as_root "${apt[@]}" "${missing[@]}" </dev/null >"$CINDER_PEER_DIR.install.log" 2>&1; then
        ember_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null >>"$CINDER_PEER_DIR.install.log" 2>&1
        ember_as_root "${apt[@]}" "${missing[@]}" </dev/null >>"$CINDER_PEER_DIR.install.log" 2>&1 || rc=1
    fi
    [ $own_policy = 1 ] && ember_as_root rm -f /usr/sbin/policy-rc.d
    [ $rc = 0 ] || { cinder_peer_log "apt-get install failed (see $CINDER_PEER_DIR.install.log)"; return 1; }
}

_cinder_peer_write_conf() {
    mkdir -p "$CINDER_PEER_DIR"/{run,log,lock,state}
    cat >"$CINDER_PEER_CONF" <<CONF
# written by devstack/lib/cinder-peer.sh
[DEFAULT]
host = $CINDER_PEER_HOST
my_ip = 127.0.0.1
auth_strategy = $CINDER_PEER_AUTH_STRATEGY
transport_url = $(cinder_peer_transport_url)
state_path = $CINDER_PEER_DIR/state
log_dir = $CINDER_PEER_DIR/log
debug = true
api_paste_config = /etc/cinder/api-paste.ini
osapi_volume_listen = 127.0.0.1
osapi_volume_listen_port = $CINDER_PEER_API_PORT
osapi_volume_workers = 1
enabled_backends = ceph
default_volume_type = __DEFAULT__
storage_availability_zone = nova
backup_driver = ${CINDER_PEER_BACKUP_DRIVER:-cinder.backup.drivers.ceph.CephBackupDriver}
${CINDER_PEER_BACKUP_OPTIONS:-}
backup_ceph_conf = $_CP_CEPH_DIR/ceph.conf
backup_ceph_user = cinder
backup_ceph_pool = backups
glance_api_servers = http://127.0.0.1:9292

[database]
connection = $(cinder_peer_db_url)

[oslo_concurrency]
lock_path = $CINDER_PEER_DIR/lock

[oslo_messaging_notifications]
# messagingv2 breaks volume create/delete with Debian's cinder 21.3.1 (see the reference notes)
driver = noop

[ceph]
volume_driver = cinder.volume.drivers.rbd.RBDDriver
volume_backend_name = ceph
rbd_pool = volumes
rbd_ceph_conf = $_CP_CEPH_DIR/ceph.conf
rbd_user = cinder
rbd_flatten_volume_from_snapshot = false
rbd_max_clone_depth = 5
report_discard_supported = true
CONF
    if [ "$CINDER_PEER_AUTH_STRATEGY" = keystone ]; then
        printf '\n[keystone_authtoken]\n%s\n' "$CINDER_PEER_KEYSTONE_AUTHTOKEN" >>"$CINDER_PEER_CONF"
    fi
}

cinder_peer_setup() {
    mkdir -p "$CINDER_PEER_DIR"
    [ -f "$_CP_CEPH_DIR/ceph.conf" ] || { cinder_peer_log "no Ceph at $_CP_CEPH_DIR (run devstack/ceph start)"; return 1; }
    rabbitmqctl -q add_vhost "$CINDER_PEER_VHOST" >/dev/null 2>&1 || true
    rabbitmqctl -q set_permissions -p "$CINDER_PEER_VHOST" "${RABBITMQ_USER:-guest}" '.*' '.*' '.*' >/dev/null \
        || { cinder_peer_log "cannot set up RabbitMQ vhost $CINDER_PEER_VHOST"; return 1; }
    ensure_db_user "$CINDER_PEER_DB" >/dev/null
    _cinder_peer_write_conf
    if ! cinder-manage --config-file "$CINDER_PEER_CONF" db sync >"$CINDER_PEER_DIR/log/db-sync.log" 2>&1; then
        cinder_peer_log "cinder-manage db sync failed:"; tail -n 20 "$CINDER_PEER_DIR/log/db-sync.log" >&2
        return 1
    fi
}

# cinder_peer_reset_db: empty the database (drop + create + db sync): a clean slate per test run.
cinder_peer_reset_db() {
    recreate_database "$CINDER_PEER_DB" >/dev/null
    ensure_db_user "$CINDER_PEER_DB" >/dev/null
    cinder-manage --config-file "$CINDER_PEER_CONF" db sync >"$CINDER_PEER_DIR/log/db-sync.log" 2>&1
}

_cinder_peer_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

cinder_peer_start() {
    cinder_peer_setup || return 1
    local s
    for s in $CINDER_PEER_SERVICES; do
        _cinder_peer_alive "$CINDER_PEER_DIR/run/$s.pid" && continue
        if [ "$s" = cinder-backup ]; then
            # cinder-backup reads the volume through os-brick's RBD connector, which takes the
            # keyring only from /etc/ceph/ceph.client.<user>.keyring: run it in its own mount
            # namespace with a directory holding this cluster's keyring bound over /etc/ceph, so
            # nothing is written to the machine's /etc/ceph.
            mkdir -p "$CINDER_PEER_DIR/etc-ceph"
            cp "$_CP_CEPH_DIR/ceph.client.cinder.keyring" "$_CP_CEPH_DIR/ceph.conf" "$CINDER_PEER_DIR/etc-ceph/" || return 1
            setsid nohup unshare -m sh -c 'mount --bind "$1" /etc/ceph && exec /usr/bin/cinder-backup --config-file "$2"' \
                sh "$CINDER_PEER_DIR/etc-ceph" "$CINDER_PEER_CONF" >>"$CINDER_PEER_DIR/log/$s.stdout" 2>&1 </dev/null &
        else
            setsid nohup "/usr/bin/$s" --config-file "$CINDER_PEER_CONF" >>"$CINDER_PEER_DIR/log/$s.stdout" 2>&1 </dev/null &
        fi
        echo $! >"$CINDER_PEER_DIR/run/$s.pid"
    done
    local i up want binaries
    want=$(printf '%s\n' $CINDER_PEER_SERVICES | grep -cv cinder-api)
    binaries=$(printf "'%s'," $CINDER_PEER_SERVICES | sed -e "s/'cinder-api',//" -e 's/,$//')
    for i in $(seq 1 120); do
        curl -s -o /dev/null "http://127.0.0.1:$CINDER_PEER_API_PORT/" && break; sleep 0.5
    done
    for i in $(seq 1 120); do
        up=$(_cinder_peer_sql "select count(*) from services where deleted=0 and disabled=0 and host like '$CINDER_PEER_HOST%' and updated_at > utc_timestamp() - interval 60 second and \`binary\` in (${binaries:-''})")
        [ "${up:-0}" -ge "$want" ] && break; sleep 0.5
    done
    cinder_peer_status
}

_cinder_peer_sql() {
    mysql -N -h127.0.0.1 -u"${EMBER_DB_USER:-ember}" -p"${EMBER_DB_PASSWORD:-ember}" "$CINDER_PEER_DB" -e "$1" 2>/dev/null
}

cinder_peer_stop() {
    local s f p
    for s in $CINDER_PEER_SERVICES cinder-backup; do
        f="$CINDER_PEER_DIR/run/$s.pid"
        if _cinder_peer_alive "$f"; then
            p=$(cat "$f"); kill "$p" 2>/dev/null || true
            for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
            kill -0 "$p" 2>/dev/null && kill -9 "$p" 2>/dev/null
        fi
        rm -f "$f"
    done
}

cinder_peer_status() {
    local s
    for s in $CINDER_PEER_SERVICES; do
        if _cinder_peer_alive "$CINDER_PEER_DIR/run/$s.pid"; then echo "$s pid $(cat "$CINDER_PEER_DIR/run/$s.pid")"
        else echo "$s stopped"; fi
    done
    mysql -t -h127.0.0.1 -u"${EMBER_DB_USER:-ember}" -p"${EMBER_DB_PASSWORD:-ember}" "$CINDER_PEER_DB" \
        -e "select host, \`binary\`, disabled, updated_at, rpc_current_version from services where deleted=0" 2>/dev/null || true
}

cinder_peer_env() {
    cat <<ENV
export OS_AUTH_TYPE=noauth
export OS_USER_ID=$CINDER_PEER_USER
export OS_PROJECT_ID=$CINDER_PEER_PROJECT
export CINDER_ENDPOINT=http://127.0.0.1:$CINDER_PEER_API_PORT/v3/$CINDER_PEER_PROJECT
export OS_VOLUME_API_VERSION=3.64
ENV
}

# cinder_peer_start_backup [PROGRAM] : starts the backup service with the command line of Debian's
# init script (/etc/init.d/cinder-backup): PROGRAM --config-file=<cinder.conf>
# --log-file=<log dir>/cinder-backup.log. PROGRAM defaults to /usr/bin/cinder-backup; the drop-in
# test passes bin/ember-backup and changes nothing else — the same cinder.conf, the same arguments.
cinder_peer_start_backup() {
    local prog=${1:-/usr/bin/cinder-backup} pidf="$CINDER_PEER_DIR/run/cinder-backup.pid"
    _cinder_peer_alive "$pidf" && return 0
    mkdir -p "$CINDER_PEER_DIR/run" "$CINDER_PEER_DIR/log"
    # The scheduler's log outlives runs: only lines after this start count for cinder_peer_wait_backup.
    _CP_SCHED_MARK=$(wc -l <"$CINDER_PEER_DIR/log/cinder-scheduler.log" 2>/dev/null || echo 0)
    setsid nohup "$prog" --config-file="$CINDER_PEER_CONF" --log-file="$CINDER_PEER_DIR/log/cinder-backup.log" \
        >>"$CINDER_PEER_DIR/log/cinder-backup.stdout" 2>&1 </dev/null &
    echo $! >"$pidf"
    cinder_peer_log "started $prog (pid $!) as cinder-backup"
}

# cinder_peer_wait_backup [TIMEOUT] : waits until the host's cinder-backup service heartbeats in the
# services table and cinder-scheduler has received its capabilities; fails early if it exited.
cinder_peer_wait_backup() {
    local timeout=${1:-120} pidf="$CINDER_PEER_DIR/run/cinder-backup.pid" i up
    for i in $(seq 1 $((timeout * 2))); do
        if ! _cinder_peer_alive "$pidf"; then
            cinder_peer_log "the backup service exited during start-up; its log:"
            tail -n 30 "$CINDER_PEER_DIR/log/cinder-backup.log" "$CINDER_PEER_DIR/log/cinder-backup.stdout" >&2 2>/dev/null
            return 1
        fi
        up=$(_cinder_peer_sql "select count(*) from services where deleted=0 and disabled=0 and host='$CINDER_PEER_HOST' and \`binary\`='cinder-backup' and updated_at > utc_timestamp() - interval 60 second")
        if [ "${up:-0}" -ge 1 ] && tail -n +"$((${_CP_SCHED_MARK:-0} + 1))" "$CINDER_PEER_DIR/log/cinder-scheduler.log" \
                2>/dev/null | grep -Eq "Received backup service update from +$CINDER_PEER_HOST:"; then
            cinder_peer_log "cinder-backup is up (after $((i / 2))s)"
            return 0
        fi
        sleep 0.5
    done
    cinder_peer_log "cinder-backup did not come up within ${timeout}s"
    return 1
}
