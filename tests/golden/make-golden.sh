#!/usr/bin/env bash
# tests/golden/make-golden.sh — writes the golden backups of src/test/resources/golden with Debian's
# real cinder-backup (run once; the output is committed; see src/test/resources/golden/README.md).
#
# Brings up a peer stack of its own (devstack/lib/cinder-peer.sh: cinder-api, cinder-scheduler,
# cinder-volume on RBD, and Debian's cinder-backup; state data/golden-peer, host ember-golden,
# database cinder_golden, vhost ember-golden, API port 18806) on the Ceph cluster of EMBER_CEPH_DIR
# (default data/ceph; it must be running: this script never starts, stops or purges it), then runs
# tests/golden/golden.py once per backup configuration:
#   posix  zlib, bz2, none  (cinder.backup.drivers.posix.PosixBackupDriver, backup_file_size 64 KiB,
#                            backup_sha_block_size_bytes 4 KiB): full, incremental, incremental
#   ceph                    (cinder.backup.drivers.ceph.CephBackupDriver): full, incr, incr; full, incr
# Every volume and backup it made is deleted through cinder afterwards; the services are stopped,
# the database and the vhost dropped.
#
#   tests/golden/make-golden.sh [OUTDIR]    (default src/test/resources/golden; must not exist)
set -euo pipefail

EMBER_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=${1:-$EMBER_ROOT/src/test/resources/golden}
export CINDER_PEER_DIR="$EMBER_ROOT/data/golden-peer"
export CINDER_PEER_HOST=ember-golden
export CINDER_PEER_DB=cinder_golden
export CINDER_PEER_VHOST=ember-golden
export CINDER_PEER_API_PORT=18806
export CINDER_PEER_SERVICES="cinder-api cinder-scheduler cinder-volume cinder-backup"
unset CINDER_PEER_PACKAGES
# shellcheck source=devstack/lib/services.sh
. "$EMBER_ROOT/devstack/lib/services.sh"
# shellcheck source=devstack/lib/ceph.sh
. "$EMBER_ROOT/devstack/lib/ceph.sh"
# shellcheck source=devstack/lib/rabbitmq.sh
. "$EMBER_ROOT/devstack/lib/rabbitmq.sh"
# shellcheck source=devstack/lib/cinder-peer.sh
. "$EMBER_ROOT/devstack/lib/cinder-peer.sh"

[ ! -e "$OUT" ] || { echo "$OUT exists: remove it first" >&2; exit 1; }
_ceph_is_up || { echo "no running Ceph at $EMBER_CEPH_DIR (devstack/ceph start)" >&2; exit 1; }
ensure_mariadb
ensure_db_user "$CINDER_PEER_DB" >/dev/null
rabbitmq_ensure_running
cinder_peer_install

# Images of volumes this run's database still lists (a run that failed half-way): removed, with
# their backup images, so nothing is left in the shared cluster.
sweep() {
    local conf=$EMBER_CEPH_DIR/ceph.conf ids id img pool
    ids=$(mysql -N -h127.0.0.1 -u"$EMBER_DB_USER" -p"$EMBER_DB_PASSWORD" "$CINDER_PEER_DB" \
        -e "select id from volumes where deleted=0" 2>/dev/null | grep -E '^[0-9a-f-]{36}$') || return 0
    for id in $ids; do
        for pool in backups volumes; do
            for img in $(rbd -c "$conf" --id cinder ls "$pool" | grep -F "volume-$id"); do
                echo "removing leftover $pool/$img" >&2
                rbd -c "$conf" --id cinder snap purge "$pool/$img" >/dev/null 2>&1
                rbd -c "$conf" --id cinder rm "$pool/$img" >/dev/null 2>&1 || true
            done
        done
    done
}

cleanup() {
    cinder_peer_stop || true
    sweep
    ember_mariadb_root "DROP DATABASE IF EXISTS \`$CINDER_PEER_DB\`;" || true
    rabbitmqctl -q delete_vhost "$CINDER_PEER_VHOST" >/dev/null 2>&1 || true
}
trap cleanup EXIT

export GOLDEN_API="http://127.0.0.1:$CINDER_PEER_API_PORT/v3/$CINDER_PEER_PROJECT"
export GOLDEN_TOKEN="$CINDER_PEER_USER:$CINDER_PEER_PROJECT"
export GOLDEN_CEPH_CONF="$EMBER_CEPH_DIR/ceph.conf"
export GOLDEN_DB="$CINDER_PEER_DB"

# (Re)starts only cinder-backup with the configuration in CINDER_PEER_BACKUP_*; the other services
# keep running (cinder_peer_start skips live ones; it rewrites cinder.conf and runs db sync).
backup_with() {
    local pidf="$CINDER_PEER_DIR/run/cinder-backup.pid" p
    if [ -f "$pidf" ]; then
        p=$(cat "$pidf"); kill "$p" 2>/dev/null || true
        for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$p" 2>/dev/null && kill -9 "$p"
        rm -f "$pidf"
    fi
    _CP_SCHED_MARK=$(wc -l <"$CINDER_PEER_DIR/log/cinder-scheduler.log" 2>/dev/null || echo 0)
    cinder_peer_start >/dev/null
    cinder_peer_wait_backup 180
    # cinder-volume's capabilities must have reached the scheduler too ("No valid backend" otherwise).
    for _ in $(seq 120); do
        tail -n +"$((GOLDEN_MARK + 1))" "$CINDER_PEER_DIR/log/cinder-scheduler.log" 2>/dev/null \
            | grep -q "Received volume service update from *$CINDER_PEER_HOST@ceph" && break
        sleep 1
    done
    # The Ceph driver reports backend_state False until its set-up check ran (the scheduler then
    # refuses backups with "Service not found"): wait for a report with backend_state True.
    for _ in $(seq 150); do
        tail -n +"$((_CP_SCHED_MARK + 1))" "$CINDER_PEER_DIR/log/cinder-scheduler.log" 2>/dev/null \
            | grep -q "Received backup service update from $CINDER_PEER_HOST: {'backend_state': True" && return 0
        sleep 1
    done
    echo "cinder-backup never reported backend_state True" >&2
    return 1
}

# the cinder.conf a run used, without the database URL (local credentials)
conf_copy() { grep -v '^connection = ' "$CINDER_PEER_CONF" >"$1"; }

mkdir -p "$CINDER_PEER_DIR"
GOLDEN_MARK=$(wc -l <"$CINDER_PEER_DIR/log/cinder-scheduler.log" 2>/dev/null || echo 0)
cinder_peer_stop
rm -rf "$CINDER_PEER_DIR/posix"
cinder_peer_setup
cinder_peer_reset_db

for algo in zlib bz2 none; do
    export CINDER_PEER_BACKUP_DRIVER=cinder.backup.drivers.posix.PosixBackupDriver
    export CINDER_PEER_BACKUP_OPTIONS="backup_posix_path = $CINDER_PEER_DIR/posix/$algo
backup_compression_algorithm = $algo
backup_file_size = 65536
backup_sha_block_size_bytes = 4096"
    backup_with
    /usr/bin/python3 "$EMBER_ROOT/tests/golden/golden.py" posix "$algo" "$OUT/posix/$algo" "$CINDER_PEER_DIR/posix/$algo"
    conf_copy "$OUT/posix/$algo/cinder.conf"
done

export CINDER_PEER_BACKUP_DRIVER=cinder.backup.drivers.ceph.CephBackupDriver
export CINDER_PEER_BACKUP_OPTIONS=""
backup_with
/usr/bin/python3 "$EMBER_ROOT/tests/golden/golden.py" ceph "$OUT/ceph"

{
    echo "generated: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    dpkg-query -W cinder-backup cinder-volume cinder-api python3-cinder python3-os-brick ceph-common librbd1 python3-rbd
} >"$OUT/GENERATED.txt"
conf_copy "$OUT/ceph/cinder.conf"
echo "golden backups written to $OUT"
