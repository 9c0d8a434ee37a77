# shellcheck shell=bash
# devstack/lib/ceph.sh — a throw-away one-node Ceph (1 monitor, 1 bluestore OSD on a sparse file,
# no mgr, no systemd) for Ember's RBD driver and its tests. Source this file; it does not change the
# caller's shell options and never calls `exit`: every function returns non-zero on failure.
#
#   ceph_ensure_running   install packages if missing, bootstrap (first time) or start; idempotent,
#                         about 0.5 s when already running
#   ceph_stop             stop the daemons, keep the data
#   ceph_status           daemons, their RSS and `ceph -s`; non-zero if not healthy/running
#   ceph_purge            stop and delete every bit of state
#   ceph_install          apt-get install the Ceph packages that are missing
#
# Everything lives under $EMBER_CEPH_DIR (default <checkout>/data/ceph, git-ignored):
#   ceph.conf, ceph.client.admin.keyring, ceph.client.cinder.keyring   (clients: rbd -c data/ceph/ceph.conf ...)
#   mon/ osd/ run/ log/ tmp/ osd.id bootstrapped
# Pools "volumes" and "backups" (size 1, 8 PGs, application rbd); cephx users client.admin and
# client.cinder (mon/osd/mgr 'profile rbd').
#
# Environment (optional): EMBER_CEPH_DIR, EMBER_CEPH_SIZE (OSD sparse file, default 48G; it only takes the space written),
# EMBER_CEPH_POOLS (default "volumes backups"), EMBER_CEPH_MON_PORT (msgr2, default derived from
# the state directory, 13300-15298) and EMBER_CEPH_MON_PORT_V1 (default the next port). Based on /work/shared/reference/ceph-mini.sh.

_CEPH_LIB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
EMBER_CEPH_DIR=${EMBER_CEPH_DIR:-$_CEPH_LIB_ROOT/data/ceph}
EMBER_CEPH_SIZE=${EMBER_CEPH_SIZE:-48G}
EMBER_CEPH_POOLS=${EMBER_CEPH_POOLS:-volumes backups}
# The monitor's ports come from the state directory's path, so two checkouts on one machine (a
# developer's and CI's fresh clone) run clusters side by side instead of fighting over 3300.
_ceph_port_seed=$(printf '%s' "$EMBER_CEPH_DIR" | cksum | cut -d' ' -f1)
EMBER_CEPH_MON_PORT=${EMBER_CEPH_MON_PORT:-$((13300 + (_ceph_port_seed % 1000) * 2))}
EMBER_CEPH_MON_PORT_V1=${EMBER_CEPH_MON_PORT_V1:-$((EMBER_CEPH_MON_PORT + 1))}
EMBER_CEPH_PACKAGES=${EMBER_CEPH_PACKAGES:-ceph-mon ceph-osd ceph-common librbd1 librados2 python3-rbd python3-rados}
_CEPH_MARK="# written by devstack/lib/ceph.sh"
_CEPH_T0=${EPOCHREALTIME/,/.}

ceph_log() {
    local now=${EPOCHREALTIME/,/.}
    printf '[ceph +%ss] %s\n' "$(awk -v a="$now" -v b="$_CEPH_T0" 'BEGIN{printf "%.1f", a-b}')" "$*"
}
ceph_err() { ceph_log "ERROR: $*" >&2; }

ceph_conf_path() { printf '%s\n' "$EMBER_CEPH_DIR/ceph.conf"; }

_ceph_as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"
    else ceph_err "need root (or sudo) to run: $*"; return 1
    fi
}

_ceph_pkg_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# ceph_install: apt-get install the missing packages; `apt-get update` first only if needed
# (apt does not know a package or cannot fetch it).
ceph_install() {
    local missing=() p
    for p in $EMBER_CEPH_PACKAGES; do _ceph_pkg_installed "$p" || missing+=("$p"); done
    if [ ${#missing[@]} -eq 0 ]; then
        return 0
    fi
    ceph_log "installing: ${missing[*]}"
    local apt=(env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends)
    if ! _ceph_as_root "${apt[@]}" "${missing[@]}" </dev/null; then
        ceph_log "apt-get install failed; running apt-get update and retrying"
        _ceph_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null \
            || { ceph_err "apt-get update failed"; return 1; }
        _ceph_as_root "${apt[@]}" "${missing[@]}" </dev/null \
            || { ceph_err "apt-get install ${missing[*]} failed"; return 1; }
    fi
    local t
    for t in ceph-mon ceph-osd ceph-authtool monmaptool ceph rbd rados; do
        command -v "$t" >/dev/null 2>&1 || { ceph_err "$t missing after install"; return 1; }
    done
}

_ceph_cli() { timeout 30 ceph -c "$EMBER_CEPH_DIR/ceph.conf" --connect-timeout 25 "$@"; }

# _ceph_pid_alive PIDFILE COMM: the pid file names a live process called COMM (guards against reuse).
_ceph_pid_alive() {
    local f=$1 comm=$2 p
    [ -f "$f" ] || return 1
    p=$(cat "$f" 2>/dev/null) || return 1
    # /proc rather than kill -0: works for daemons of another user (root) too
    [ -n "$p" ] && [ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$comm" ]
}

# The state dir holds only what this library writes (guards rm -rf against a mistyped EMBER_CEPH_DIR).
_ceph_safe_to_delete() {
    local dir=$EMBER_CEPH_DIR e
    [ -d "$dir" ] || return 0
    case "$dir" in / | "$HOME" | /etc* | /usr* | /var | /root) return 1 ;; esac
    for e in "$dir"/* "$dir"/.[!.]*; do
        [ -e "$e" ] || continue
        case "${e##*/}" in
            ceph.conf | ceph.client.*.keyring | mon | osd | run | log | tmp | osd.id | bootstrapped) ;;
            *) return 1 ;;
        esac
    done
}

_ceph_remove_state() {
    if ! _ceph_safe_to_delete; then
        ceph_err "$EMBER_CEPH_DIR holds files this script did not write: not deleting it"
        return 1
    fi
    ceph_log "deleting $EMBER_CEPH_DIR"
    rm -rf "$EMBER_CEPH_DIR"
}

_ceph_port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

_ceph_write_conf() {
    local fsid=$1 dir=$EMBER_CEPH_DIR bytes
    bytes=$(numfmt --from=iec "$EMBER_CEPH_SIZE") || return 1
    cat > "$dir/ceph.conf" <<EOF
$_CEPH_MARK
[global]
fsid = $fsid
mon_host = v2:127.0.0.1:$EMBER_CEPH_MON_PORT/0,v1:127.0.0.1:$EMBER_CEPH_MON_PORT_V1/0
public_addr = 127.0.0.1
cluster_addr = 127.0.0.1
auth_cluster_required = cephx
auth_service_required = cephx
auth_client_required = cephx
run_dir = $dir/run
admin_socket = $dir/run/\$cluster-\$name.asok
log_file = $dir/log/\$cluster-\$name.log
mon_cluster_log_file = $dir/log/\$cluster.log
osd_pool_default_size = 1
osd_pool_default_min_size = 1
osd_pool_default_pg_num = 8
osd_pool_default_pgp_num = 8
osd_pool_default_pg_autoscale_mode = off
osd_crush_chooseleaf_type = 0
mon_allow_pool_size_one = true
mon_allow_pool_delete = true
mon_warn_on_pool_no_redundancy = false
mon_warn_on_insecure_global_id_reclaim_allowed = false
auth_allow_insecure_global_id_reclaim = false
mon_max_pg_per_osd = 500
mon_data_avail_warn = 2
# a killed client's watch (and so its exclusive locks on images) expires after 10 s, not 30:
# a dev cluster whose clients get killed on purpose (the crash tests) need not wait that long
osd_client_watch_timeout = 10

[client]
keyring = $dir/ceph.\$name.keyring
log_file = /dev/null
admin_socket =

[mon]
mon_data = $dir/mon/\$cluster-\$id
mon_osd_min_in_ratio = 0
# commit map changes quickly (the default 1 s per change makes set-up slow)
paxos_propose_interval = 0.05
paxos_min_wait = 0.01

[osd]
osd_data = $dir/osd/\$cluster-\$id
osd_objectstore = bluestore
# beside (not inside) osd_data: inside makes a symlink loop
bluestore_block_path = $dir/osd/\$cluster-\$id.img
bluestore_block_size = $bytes
bluestore_block_create = true
bluestore_fsck_on_mount = false
osd_memory_target = 939524096
bluestore_cache_autotune = false
bluestore_cache_size = 134217728
osd_op_num_shards = 2
osd_op_num_threads_per_shard = 1
osd_max_object_name_len = 460
osd_max_object_namespace_len = 64
EOF
}

# Daemons: stdio to the log, the lock fd (9) closed so a daemon never holds the start lock.
_ceph_start_mon() {
    local dir=$EMBER_CEPH_DIR
    if ! _ceph_pid_alive "$dir/run/mon.a.pid" ceph-mon; then
        if _ceph_port_open "$EMBER_CEPH_MON_PORT"; then
            ceph_err "port $EMBER_CEPH_MON_PORT is taken by another process (not our monitor); set EMBER_CEPH_MON_PORT/_V1 and purge"
            return 1
        fi
        ceph_log "starting ceph-mon"
        ceph-mon -c "$dir/ceph.conf" -i a --pid-file "$dir/run/mon.a.pid" \
            </dev/null >>"$dir/log/daemon-stdio.log" 2>&1 9>&- || { ceph_err "ceph-mon failed (see $dir/log/)"; return 1; }
    fi
    local _
    for _ in $(seq 150); do
        timeout 10 ceph -c "$dir/ceph.conf" --connect-timeout 5 mon stat >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    ceph_err "the monitor does not answer (see $dir/log/ceph-mon.a.log)"
    return 1
}

_ceph_start_osd() {
    local dir=$EMBER_CEPH_DIR id
    id=$(cat "$dir/osd.id") || return 1
    if ! _ceph_pid_alive "$dir/run/osd.$id.pid" ceph-osd; then
        ceph_log "starting ceph-osd.$id"
        ceph-osd -c "$dir/ceph.conf" -i "$id" --pid-file "$dir/run/osd.$id.pid" \
            </dev/null >>"$dir/log/daemon-stdio.log" 2>&1 9>&- || { ceph_err "ceph-osd failed (see $dir/log/)"; return 1; }
    fi
}

_ceph_wait_osd_up() {
    local _
    for _ in $(seq 300); do
        _ceph_cli osd dump 2>/dev/null | grep -q '^osd\.[0-9]* up' && return 0
        sleep 0.2
    done
    ceph_err "the OSD did not come up (see $EMBER_CEPH_DIR/log/ceph-osd.*.log)"
    return 1
}

# Writes succeed on every pool (no mgr, hence no PG stats: probe directly).
_ceph_wait_pools() {
    local p ok _
    for p in $EMBER_CEPH_POOLS; do
        ok=0
        for _ in $(seq 40); do
            if echo ok | timeout 10 rados -c "$EMBER_CEPH_DIR/ceph.conf" -p "$p" put ember-ceph-probe - 2>/dev/null; then
                timeout 10 rados -c "$EMBER_CEPH_DIR/ceph.conf" -p "$p" rm ember-ceph-probe 2>/dev/null || true
                ok=1; break
            fi
            sleep 0.5
        done
        [ $ok = 1 ] || { ceph_err "pool $p does not take writes; try: devstack/ceph purge && devstack/ceph start"; return 1; }
    done
}

_ceph_bootstrap() {
    local dir=$EMBER_CEPH_DIR tmp fsid uuid id p
    ceph_log "bootstrapping a new cluster in $dir"
    mkdir -p "$dir"/{run,log,mon,osd,tmp} || return 1
    tmp=$dir/tmp
    rm -f "$tmp"/*
    fsid=$(cat /proc/sys/kernel/random/uuid)
    _ceph_write_conf "$fsid" || return 1
    ceph-authtool --create-keyring "$tmp/mon.keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null || return 1
    ceph-authtool --create-keyring "$dir/ceph.client.admin.keyring" --gen-key -n client.admin \
        --cap mon 'allow *' --cap osd 'allow *' --cap mds 'allow *' --cap mgr 'allow *' >/dev/null || return 1
    ceph-authtool "$tmp/mon.keyring" --import-keyring "$dir/ceph.client.admin.keyring" >/dev/null || return 1
    monmaptool --create --fsid "$fsid" \
        --addv a "[v2:127.0.0.1:$EMBER_CEPH_MON_PORT,v1:127.0.0.1:$EMBER_CEPH_MON_PORT_V1]" "$tmp/monmap" >/dev/null || return 1
    ceph-mon -c "$dir/ceph.conf" --mkfs -i a --monmap "$tmp/monmap" --keyring "$tmp/mon.keyring" \
        >>"$dir/log/mkfs.log" 2>&1 || { ceph_err "ceph-mon --mkfs failed (see $dir/log/mkfs.log)"; return 1; }
    _ceph_start_mon || return 1
    ceph_log "monitor up; creating the OSD"
    uuid=$(cat /proc/sys/kernel/random/uuid)
    id=$(_ceph_cli osd new "$uuid") || { ceph_err "ceph osd new failed"; return 1; }
    mkdir -p "$dir/osd/ceph-$id"
    ceph-osd -c "$dir/ceph.conf" -i "$id" --no-mon-config --mkfs --mkkey --osd-uuid "$uuid" \
        </dev/null >>"$dir/log/mkfs.log" 2>&1 9>&- || { ceph_err "ceph-osd --mkfs failed (see $dir/log/mkfs.log)"; return 1; }
    _ceph_cli auth add "osd.$id" osd 'allow *' mon 'allow profile osd' mgr 'allow profile osd' \
        -i "$dir/osd/ceph-$id/keyring" >/dev/null 2>&1 || { ceph_err "ceph auth add osd.$id failed"; return 1; }
    echo "$id" > "$dir/osd.id"
    _ceph_start_osd || return 1
    _ceph_wait_osd_up || return 1
    ceph_log "OSD up; creating pools: $EMBER_CEPH_POOLS"
    for p in $EMBER_CEPH_POOLS; do
        _ceph_cli osd pool create "$p" 8 8 replicated >/dev/null 2>&1 || true
        _ceph_cli osd pool application enable "$p" rbd >/dev/null 2>&1 \
            || { ceph_err "cannot enable rbd on pool $p"; return 1; }
        timeout 60 rbd -c "$dir/ceph.conf" pool init "$p" || { ceph_err "rbd pool init $p failed"; return 1; }
    done
    # cinder-like client key (cinder.conf rbd_user / backup_ceph_user = cinder)
    _ceph_cli auth get-or-create client.cinder mon 'profile rbd' osd 'profile rbd' mgr 'profile rbd' \
        -o "$dir/ceph.client.cinder.keyring" || { ceph_err "cannot create client.cinder"; return 1; }
    chmod 0644 "$dir/ceph.client.cinder.keyring" "$dir/ceph.client.admin.keyring" "$dir/ceph.conf"
    touch "$dir/bootstrapped"
}

_ceph_is_up() {
    local dir=$EMBER_CEPH_DIR id
    [ -f "$dir/bootstrapped" ] && [ -f "$dir/osd.id" ] || return 1
    id=$(cat "$dir/osd.id")
    _ceph_pid_alive "$dir/run/mon.a.pid" ceph-mon && _ceph_pid_alive "$dir/run/osd.$id.pid" ceph-osd
}

_ceph_start_locked() {
    local dir=$EMBER_CEPH_DIR
    if _ceph_is_up && _ceph_wait_pools; then
        ceph_log "already running ($dir/ceph.conf)"
        return 0
    fi
    ceph_install || return 1
    if [ ! -f "$dir/bootstrapped" ]; then
        if [ -d "$dir" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
            ceph_log "half-built cluster in $dir: purging it first"
            _ceph_stop_daemons
            _ceph_remove_state || return 1
        fi
        _ceph_bootstrap || return 1
    else
        grep -q "$_CEPH_MARK" "$dir/ceph.conf" 2>/dev/null \
            || { ceph_err "$dir/ceph.conf was not written by devstack/lib/ceph.sh"; return 1; }
        mkdir -p "$dir/run" "$dir/log"
        _ceph_start_mon || return 1
        _ceph_start_osd || return 1
        _ceph_wait_osd_up || return 1
    fi
    _ceph_wait_pools || return 1
    ceph_log "up: pools $EMBER_CEPH_POOLS; try: rbd -c ${dir#"$PWD"/}/ceph.conf ls backups"
}

# Runs "$@" holding the start/stop lock (several test JVMs or scripts may race), in a subshell so
# the caller's options and traps are untouched.
_ceph_locked() {
    mkdir -p "$(dirname "$EMBER_CEPH_DIR")" || return 1
    (
        flock -w 600 9 || { ceph_err "timed out waiting for the lock $EMBER_CEPH_DIR.lock"; exit 1; }
        "$@"
    ) 9>"$EMBER_CEPH_DIR.lock"
}

ceph_ensure_running() { _ceph_locked _ceph_start_locked; }

_ceph_stop_pid() {
    local f=$1 comm=$2 p _
    if _ceph_pid_alive "$f" "$comm"; then
        p=$(cat "$f")
        ceph_log "stopping $(basename "$f" .pid) (pid $p)"
        kill "$p" 2>/dev/null
        for _ in $(seq 150); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$p" 2>/dev/null; then
            ceph_log "pid $p still alive after 15 s: SIGKILL"
            kill -9 "$p" 2>/dev/null
        fi
    fi
    rm -f "$f"
}

_ceph_stop_daemons() {
    local f
    [ -d "$EMBER_CEPH_DIR/run" ] || return 0
    for f in "$EMBER_CEPH_DIR"/run/osd.*.pid; do [ -e "$f" ] && _ceph_stop_pid "$f" ceph-osd; done
    _ceph_stop_pid "$EMBER_CEPH_DIR/run/mon.a.pid" ceph-mon
    return 0
}

ceph_stop() { _ceph_locked _ceph_stop_daemons; }

_ceph_purge_locked() {
    _ceph_stop_daemons
    if [ -d "$EMBER_CEPH_DIR" ]; then
        _ceph_remove_state || return 1
    fi
}

ceph_purge() { _ceph_locked _ceph_purge_locked && rm -f "$EMBER_CEPH_DIR.lock"; }

ceph_status() {
    local dir=$EMBER_CEPH_DIR rc=0 f n p
    if [ ! -f "$dir/bootstrapped" ]; then
        echo "not bootstrapped ($dir)"
        return 3
    fi
    for f in "$dir"/run/*.pid; do
        [ -e "$f" ] || continue
        n=$(basename "$f" .pid)
        if _ceph_pid_alive "$f" "ceph-${n%%.*}"; then
            p=$(cat "$f")
            echo "$n pid $p rss $(awk '/VmRSS/{print $2, $3}' "/proc/$p/status")"
        else
            echo "$n dead"; rc=1
        fi
    done
    _ceph_is_up || { echo "daemons not running (start: devstack/ceph start)"; return 3; }
    echo "conf: $dir/ceph.conf"
    _ceph_cli -s || rc=1
    return $rc
}
