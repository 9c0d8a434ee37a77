# shellcheck shell=bash
# devstack/lib/keystone.sh — Debian's real Keystone (keystone 2:22.x, "Zed") for Ember's tests:
# its own MariaDB database `keystone` (user keystone), Fernet tokens, served by uwsgi on
# 127.0.0.1:5000 as a plain background process (no systemd), plus a fixture of domains, projects,
# users and role assignments in every scope. Source after devstack/lib/services.sh.
#
#   keystone_install          apt-get install keystone (preseeded, no service start; idempotent)
#   keystone_setup            database, keystone.conf drop-in, db_sync, fernet/credential keys, bootstrap
#   keystone_ensure_running   install + setup + start uwsgi if not answering + fixture; prints its time
#   keystone_stop             stops the uwsgi started here (pid file data/keystone/uwsgi.pid)
#   keystone_status           says whether it runs and answers GET /v3 (exit 0 when it does)
#   keystone_fixture          creates the test fixture (idempotent), writes data/keystone/fixture.json
#
# Environment: KEYSTONE_DIR (data/keystone), KEYSTONE_PORT (5000), KEYSTONE_DB (keystone),
# KEYSTONE_DB_PASSWORD (keystone), KEYSTONE_ADMIN_PASSWORD (ember-admin),
# KEYSTONE_FIXTURE_PASSWORD (ember-fixture), EMBER_API_URL (http://127.0.0.1:8776, the endpoint).

_KS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
KEYSTONE_DIR=${KEYSTONE_DIR:-$_KS_ROOT/data/keystone}
KEYSTONE_PORT=${KEYSTONE_PORT:-5000}
KEYSTONE_DB=${KEYSTONE_DB:-keystone}
KEYSTONE_DB_PASSWORD=${KEYSTONE_DB_PASSWORD:-keystone}
KEYSTONE_ADMIN_PASSWORD=${KEYSTONE_ADMIN_PASSWORD:-ember-admin}
KEYSTONE_FIXTURE_PASSWORD=${KEYSTONE_FIXTURE_PASSWORD:-ember-fixture}
KEYSTONE_URL="http://127.0.0.1:$KEYSTONE_PORT/v3"
_KS_PACKAGES="keystone python3-pymysql python3-keystoneclient"
_KS_CONF_DROPIN=/etc/keystone/keystone.conf.d/50-ember.conf

keystone_log() { printf '[keystone] %s\n' "$*" >&2; }

_ks_installed() {
    local p
    for p in $_KS_PACKAGES; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || return 1
    done
    [ -x /usr/bin/keystone-wsgi-public ] && [ -x /usr/bin/uwsgi ]
}

keystone_install() {
    _ks_installed && return 0
    mkdir -p "$KEYSTONE_DIR"
    keystone_log "installing: $_KS_PACKAGES"
    # Debconf would configure a database with a random password and bootstrap on its own.
    ember_as_root debconf-set-selections <<'SEL'
keystone keystone/dbconfig-install boolean false
keystone keystone/configure_db boolean false
keystone keystone/create-admin-tenant boolean false
keystone keystone/register-endpoint boolean false
SEL
    # No init system: keep postinst's `invoke-rc.d keystone start` from starting anything.
    local own_policy=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        ember_as_root sh -c 'printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d'
        own_policy=1
    fi
    # Another apt-get may hold dpkg's lock: wait for it rather than fail.
    local apt=(env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -q
        --no-install-recommends) rc=0 log="$KEYSTONE_DIR/install.log"
    # shellcheck disable=SC2086
    if ! ember_as_root "${apt[@]}" $_KS_PACKAGES </dev/null >"$log" 2>&1; then
        keystone_log "install failed; apt-get update and retry"
        ember_as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 update -q \
            </dev/null >>"$log" 2>&1
        # shellcheck disable=SC2086
        ember_as_root "${apt[@]}" $_KS_PACKAGES </dev/null >>"$log" 2>&1 || rc=1
    fi
    [ $own_policy = 1 ] && ember_as_root rm -f /usr/sbin/policy-rc.d
    if [ $rc != 0 ] || ! _ks_installed; then
        keystone_log "apt-get install keystone failed (see $log)"; tail -n 20 "$log" >&2
        return 1
    fi
}

_ks_manage() {
    # As the keystone user: run as root, keystone-manage leaves keystone.log owned by root.
    ember_as_root runuser -u keystone -- keystone-manage "$@"
}

keystone_setup() {
    mkdir -p "$KEYSTONE_DIR"
    ensure_mariadb >/dev/null || return 1
    local pw=$KEYSTONE_DB_PASSWORD db=$KEYSTONE_DB
    ember_mariadb_root "CREATE DATABASE IF NOT EXISTS \`$db\` CHARACTER SET utf8mb4;
CREATE USER IF NOT EXISTS 'keystone'@'localhost' IDENTIFIED BY '$pw';
CREATE USER IF NOT EXISTS 'keystone'@'127.0.0.1' IDENTIFIED BY '$pw';
ALTER USER 'keystone'@'localhost' IDENTIFIED BY '$pw';
ALTER USER 'keystone'@'127.0.0.1' IDENTIFIED BY '$pw';
GRANT ALL PRIVILEGES ON \`$db\`.* TO 'keystone'@'localhost';
GRANT ALL PRIVILEGES ON \`$db\`.* TO 'keystone'@'127.0.0.1'; FLUSH PRIVILEGES;" \
        || { keystone_log "cannot create database $db"; return 1; }
    # A drop-in is read by keystone-manage and the WSGI app alike.
    local conf
    conf="# written by devstack/lib/keystone.sh
[database]
connection = mysql+pymysql://keystone:$pw@127.0.0.1/$db
[token]
provider = fernet
[fernet_tokens]
key_repository = /etc/keystone/fernet-keys/
[credential]
key_repository = /etc/keystone/credential-keys/
"
    if [ "$(ember_as_root cat "$_KS_CONF_DROPIN" 2>/dev/null)" != "${conf%$'\n'}" ]; then
        ember_as_root mkdir -p "$(dirname "$_KS_CONF_DROPIN")"
        printf '%s' "$conf" | ember_as_root tee "$_KS_CONF_DROPIN" >/dev/null
        ember_as_root chown root:keystone "$_KS_CONF_DROPIN"
        ember_as_root chmod 0640 "$_KS_CONF_DROPIN"
    fi
    ember_as_root mkdir -p /var/log/keystone
    ember_as_root chown -R keystone:keystone /var/log/keystone
    _ks_manage db_sync >"$KEYSTONE_DIR/db-sync.log" 2>&1 \
        || { keystone_log "keystone-manage db_sync failed"; tail -n 20 "$KEYSTONE_DIR/db-sync.log" >&2; return 1; }
    if [ ! -e /etc/keystone/fernet-keys/0 ]; then
        _ks_manage fernet_setup --keystone-user keystone --keystone-group keystone >/dev/null 2>&1 \
            || { keystone_log "fernet_setup failed"; return 1; }
    fi
    if [ ! -e /etc/keystone/credential-keys/0 ]; then
        _ks_manage credential_setup --keystone-user keystone --keystone-group keystone >/dev/null 2>&1 \
            || { keystone_log "credential_setup failed"; return 1; }
    fi
    # bootstrap is idempotent: admin user/project, admin/member/reader roles, identity endpoint.
    _ks_manage bootstrap --bootstrap-password "$KEYSTONE_ADMIN_PASSWORD" \
        --bootstrap-admin-url "$KEYSTONE_URL/" --bootstrap-internal-url "$KEYSTONE_URL/" \
        --bootstrap-public-url "$KEYSTONE_URL/" --bootstrap-region-id RegionOne \
        >"$KEYSTONE_DIR/bootstrap.log" 2>&1 \
        || { keystone_log "keystone-manage bootstrap failed"; tail -n 20 "$KEYSTONE_DIR/bootstrap.log" >&2; return 1; }
}

_ks_write_ini() {
    cat >"$KEYSTONE_DIR/uwsgi.ini" <<INI
; written by devstack/lib/keystone.sh (Debian's keystone-uwsgi.ini has no socket and 8x32 workers)
[uwsgi]
plugins = python3
master = true
http-socket = 127.0.0.1:$KEYSTONE_PORT
wsgi-file = /usr/bin/keystone-wsgi-public
processes = 2
threads = 1
uid = keystone
gid = keystone
pidfile = $KEYSTONE_DIR/uwsgi.pid
die-on-term = true
need-app = true
buffer-size = 65535
; uwsgi's http-socket closes kept-alive connections silently (keystoneauth: ECONNRESET)
add-header = Connection: close
INI
}

_ks_answers() { curl -s -m 3 -o /dev/null -w '%{http_code}' "$KEYSTONE_URL" 2>/dev/null | grep -q '^200$'; }

_ks_pid_alive() { [ -f "$KEYSTONE_DIR/uwsgi.pid" ] && kill -0 "$(cat "$KEYSTONE_DIR/uwsgi.pid")" 2>/dev/null; }

keystone_start() {
    _ks_answers && return 0
    if _ks_pid_alive; then
        keystone_log "uwsgi runs (pid $(cat "$KEYSTONE_DIR/uwsgi.pid")) but does not answer yet"
    else
        _ks_write_ini
        setsid nohup /usr/bin/uwsgi --ini "$KEYSTONE_DIR/uwsgi.ini" >>"$KEYSTONE_DIR/uwsgi.log" 2>&1 </dev/null &
        keystone_log "started uwsgi (pid $!), log $KEYSTONE_DIR/uwsgi.log"
    fi
    local i
    for i in $(seq 1 120); do
        _ks_answers && return 0
        sleep 0.5
    done
    keystone_log "keystone did not answer on $KEYSTONE_URL within 60 s"; tail -n 30 "$KEYSTONE_DIR/uwsgi.log" >&2
    return 1
}

keystone_stop() {
    _ks_pid_alive || { rm -f "$KEYSTONE_DIR/uwsgi.pid"; keystone_log "not running"; return 0; }
    local p i
    p=$(cat "$KEYSTONE_DIR/uwsgi.pid")
    kill -TERM "$p" 2>/dev/null || true
    for i in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null
    rm -f "$KEYSTONE_DIR/uwsgi.pid"
    keystone_log "stopped (pid $p)"
}

keystone_status() {
    if _ks_answers; then
        echo "keystone answers on $KEYSTONE_URL (uwsgi pid $(cat "$KEYSTONE_DIR/uwsgi.pid" 2>/dev/null || echo '?'))"
        return 0
    fi
    if _ks_pid_alive; then echo "keystone: uwsgi pid $(cat "$KEYSTONE_DIR/uwsgi.pid") does not answer"
    else echo "keystone stopped"; fi
    return 1
}

# keystone_fixture: the domain ember-test with projects ember-a and ember-b, users with admin/member/
# reader on ember-a, reader and member on ember-b, reader and admin on the domain, reader and admin on
# the system, the service user ember (service + admin on project service) and the block-storage
# service with its endpoints. Writes $KEYSTONE_DIR/fixture.json (ids, names, passwords).
keystone_fixture() {
    KEYSTONE_URL=$KEYSTONE_URL KEYSTONE_ADMIN_PASSWORD=$KEYSTONE_ADMIN_PASSWORD \
        KEYSTONE_FIXTURE_PASSWORD=$KEYSTONE_FIXTURE_PASSWORD EMBER_API_URL=${EMBER_API_URL:-http://127.0.0.1:8776} \
        /usr/bin/python3 "$_KS_ROOT/devstack/lib/keystone_fixture.py" "$KEYSTONE_DIR/fixture.json.tmp" \
        || { keystone_log "fixture creation failed"; return 1; }
    mv "$KEYSTONE_DIR/fixture.json.tmp" "$KEYSTONE_DIR/fixture.json"
    chmod 0644 "$KEYSTONE_DIR/fixture.json"
}

# _ks_answers_within SECONDS: a running uwsgi on a loaded machine can take longer than one probe's
# 3 s; setting it up again from scratch (minutes, and a rewritten fixture) is the wrong answer.
_ks_answers_within() {
    local i
    for i in $(seq 1 $(($1 * 2))); do _ks_answers && return 0; sleep 0.5; done
    return 1
}

keystone_ensure_running() {
    local t0=$SECONDS t1
    mkdir -p "$KEYSTONE_DIR"
    if { _ks_answers || { _ks_pid_alive && _ks_answers_within 30; }; } && [ -s "$KEYSTONE_DIR/fixture.json" ]; then
        keystone_log "already running on $KEYSTONE_URL (fixture $KEYSTONE_DIR/fixture.json)"
        return 0
    fi
    keystone_install || return 1
    t1=$SECONDS
    [ $((t1 - t0)) -gt 0 ] && keystone_log "installed in $((t1 - t0)) s"
    if ! _ks_answers; then
        keystone_setup || return 1
        keystone_start || return 1
    fi
    keystone_fixture || return 1
    keystone_log "ready on $KEYSTONE_URL in $((SECONDS - t0)) s (install $((t1 - t0)) s, fixture $KEYSTONE_DIR/fixture.json)"
}
