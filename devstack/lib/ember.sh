# shellcheck shell=bash
# Shared helpers for devstack/ember and tests/run: build the jar, write a
# config, start/stop/probe one Ember instance. Needs services.sh sourced first
# and EMBER_ROOT set to the checkout.

# EMBER_JAR (optional): run that jar instead of target/ember.jar, and build nothing (so a long run
# keeps its jar while the checkout is rebuilt).
EMBER_JAR_GIVEN=${EMBER_JAR:+1}
EMBER_JAR=${EMBER_JAR:-"$EMBER_ROOT/target/ember.jar"}

# True when target/ember.jar is missing or older than pom.xml or anything in src/.
ember_needs_build() {
    [ -f "$EMBER_JAR" ] || return 0
    [ -n "$(find "$EMBER_ROOT/pom.xml" "$EMBER_ROOT/src" -newer "$EMBER_JAR" -print -quit 2>/dev/null)" ]
}

# Builds target/ember.jar if needed (EMBER_FORCE_BUILD=1 always builds).
ember_build() {
    if [ -n "$EMBER_JAR_GIVEN" ]; then
        ember_log "using $EMBER_JAR (EMBER_JAR); nothing built"
        return 0
    fi
    if [ "${EMBER_FORCE_BUILD:-0}" != 1 ] && ! ember_needs_build; then
        ember_log "target/ember.jar is up to date"
        return 0
    fi
    ember_log "building target/ember.jar (mvn -B -q -DskipTests package)"
    (cd "$EMBER_ROOT" && mvn -B -q -Dstyle.color=never -DskipTests package) || return 1
    [ -f "$EMBER_JAR" ] || { ember_warn "build finished but $EMBER_JAR is missing"; return 1; }
    ember_log "built $EMBER_JAR"
}

# ember_write_conf FILE STATE_DIR PORT DATABASE : writes the default profile.
ember_write_conf() {
    local file=$1 state=$2 port=$3 db=$4 host
    host=$(hostname 2>/dev/null || true)
    host=${host:-ember}
    mkdir -p "$(dirname "$file")" "$state/volumes" "$state/backup"
    cat >"$file" <<CONF
# Written by devstack/ember (default profile). Edit freely; it is not
# overwritten while it exists. All options: etc/ember/ember.conf.sample
[DEFAULT]
state_path = $state
host = $host
auth_strategy = noauth
backup_driver = cinder.backup.drivers.posix.PosixBackupDriver
backup_posix_path = \$state_path/backup
backup_compression_algorithm = zlib
volume_backend = file
volumes_dir = \$state_path/volumes
osapi_volume_listen_port = $port

[database]
connection = mysql+pymysql://$EMBER_DB_USER:$EMBER_DB_PASSWORD@127.0.0.1:3306/$db
CONF
    ember_log "wrote $file (state_path=$state, port $port, database $db)"
}

# The backup driver of the Ceph profile: cinder's RBD driver. EMBER_CEPH_BACKUP_DRIVER overrides
# (e.g. cinder.backup.drivers.posix.PosixBackupDriver to back RBD volumes up to files).
ember_ceph_backup_driver() {
    printf '%s\n' "${EMBER_CEPH_BACKUP_DRIVER:-cinder.backup.drivers.ceph.CephBackupDriver}"
}

# ember_write_ceph_conf FILE STATE_DIR PORT DATABASE CEPH_CONF : writes the Ceph profile: volumes
# are RBD images volumes/volume-<id> (the standalone volume service, cinder-volume's rbd_* option
# names), backups go to the pool backups with cinder's RBD backup driver (backup_ceph_*).
ember_write_ceph_conf() {
    local file=$1 state=$2 port=$3 db=$4 ceph_conf=$5 host driver
    host=$(hostname 2>/dev/null || true)
    host=${host:-ember}
    driver=$(ember_ceph_backup_driver)
    mkdir -p "$(dirname "$file")" "$state/backup"
    cat >"$file" <<CONF
# Written by devstack/ember (Ceph profile). Edit freely; it is not
# overwritten while it exists. All options: etc/ember/ember.conf.sample
[DEFAULT]
state_path = $state
host = $host
auth_strategy = noauth
backup_driver = $driver
# cinder's RBD backup driver (cinder.backup.drivers.ceph.CephBackupDriver)
backup_ceph_conf = $ceph_conf
backup_ceph_user = cinder
backup_ceph_pool = backups
# the posix driver, while it is the backup driver
backup_posix_path = \$state_path/backup
backup_compression_algorithm = zlib
# the standalone volume service: volumes are RBD images <rbd_pool>/volume-<id>
volume_backend = rbd
rbd_pool = volumes
rbd_ceph_conf = $ceph_conf
rbd_user = cinder
osapi_volume_listen_port = $port

[database]
connection = mysql+pymysql://$EMBER_DB_USER:$EMBER_DB_PASSWORD@127.0.0.1:3306/$db
CONF
    ember_log "wrote $file (Ceph profile: volumes in $ceph_conf pool volumes, backup driver $driver, port $port, database $db)"
}

# ember_pid PIDFILE : prints the pid if that process is alive and is Ember.
ember_pid() {
    local pid
    [ -f "$1" ] || return 1
    pid=$(cat "$1" 2>/dev/null)
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'ember.jar' || return 1
    printf '%s\n' "$pid"
}

# ember_http_code PORT : HTTP status of GET / (000 when nothing answers).
ember_http_code() {
    curl -s -o /dev/null -w '%{http_code}' --max-time 3 "http://127.0.0.1:$1/" 2>/dev/null || true
}

# ember_start PIDFILE LOGFILE CONF... : starts Ember in the background.
ember_start() {
    local pidfile=$1 logfile=$2 args=() c pid
    shift 2
    for c in "$@"; do args+=(--config-file "$c"); done
    mkdir -p "$(dirname "$pidfile")" "$(dirname "$logfile")"
    ember_log "starting: bin/ember all ${args[*]} (log: $logfile)"
    # bin/ember: the same JVM flags as every other way of running Ember (EMBER_JAVA_OPTS replaces them).
    (cd "$EMBER_ROOT" && EMBER_JAR=$EMBER_JAR exec setsid nohup "$EMBER_ROOT/bin/ember" all "${args[@]}" \
        >>"$logfile" 2>&1 </dev/null) &
    pid=$!
    printf '%s\n' "$pid" >"$pidfile"
    ember_log "pid $pid (in $pidfile)"
}

# ember_wait_ready PIDFILE PORT LOGFILE [TIMEOUT] : waits until GET / answers.
ember_wait_ready() {
    local pidfile=$1 port=$2 logfile=$3 timeout=${4:-60} i code
    for i in $(seq 1 "$timeout"); do
        code=$(ember_http_code "$port")
        case $code in
            300|200)
                ember_log "Ember answers on http://127.0.0.1:$port/ (HTTP $code, after ${i}s)"
                return 0 ;;
        esac
        if ! ember_pid "$pidfile" >/dev/null; then
            ember_warn "Ember exited during start-up; last lines of $logfile:"
            tail -n 40 "$logfile" >&2 || true
            return 1
        fi
        sleep 1
    done
    ember_warn "Ember did not answer GET http://127.0.0.1:$port/ within ${timeout}s; last lines of $logfile:"
    tail -n 40 "$logfile" >&2 || true
    return 1
}

# ember_stop PIDFILE : stops the instance recorded in PIDFILE (TERM, then KILL).
ember_stop() {
    local pidfile=$1 pid i
    if ! pid=$(ember_pid "$pidfile"); then
        ember_log "Ember is not running (no live process in $pidfile)"
        rm -f "$pidfile"
        return 0
    fi
    ember_log "stopping Ember (pid $pid)"
    kill "$pid" 2>/dev/null || true
    for i in $(seq 1 20); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
    done
    if kill -0 "$pid" 2>/dev/null; then
        ember_warn "pid $pid ignored SIGTERM for 10 s: sending SIGKILL"
        kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
    ember_log "stopped"
}
