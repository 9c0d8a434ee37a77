# shellcheck shell=bash
# Shared helpers for devstack/ember and tests/run: install what Ember needs on a
# Debian 12 machine and make sure MariaDB runs with Ember's databases and user.
# Every function is idempotent and says what it does. Source this file; it does
# not change shell options of the caller.

EMBER_DB_USER=${EMBER_DB_USER:-ember}
EMBER_DB_PASSWORD=${EMBER_DB_PASSWORD:-ember}
_EMBER_APT_UPDATED=${_EMBER_APT_UPDATED:-}

ember_log() { printf '[ember] %s\n' "$*"; }
ember_warn() { printf '[ember] WARNING: %s\n' "$*" >&2; }
ember_die() { printf '[ember] ERROR: %s\n' "$*" >&2; exit 1; }

# Runs a command as root: directly when we are root, else through sudo.
ember_as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        ember_die "need root (or sudo) to run: $*"
    fi
}

_ember_pkg_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# ensure_packages PKG... : apt-get install the ones that are missing.
ensure_packages() {
    local missing=() p
    for p in "$@"; do
        _ember_pkg_installed "$p" || missing+=("$p")
    done
    if [ ${#missing[@]} -eq 0 ]; then
        ember_log "packages present: $*"
        return 0
    fi
    if [ -z "$_EMBER_APT_UPDATED" ]; then
        ember_log "apt-get update"
        ember_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q \
            || ember_die "apt-get update failed"
        _EMBER_APT_UPDATED=1
    fi
    ember_log "installing: ${missing[*]}"
    ember_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
        --no-install-recommends "${missing[@]}" </dev/null \
        || ember_die "apt-get install ${missing[*]} failed"
}

# Small tools the scripts themselves use.
ensure_tools() {
    ensure_packages curl ca-certificates procps
}

_ember_java_major() {
    # prints the major version of the java on PATH, or 0
    local v
    v=$(java -version 2>&1 | sed -n 's/.*version "\([0-9][0-9]*\).*/\1/p' | head -n1)
    printf '%s\n' "${v:-0}"
}

# Java 17 JDK and Maven; points JAVA_HOME at JDK 17 if the java on PATH is older.
ensure_java_maven() {
    ensure_packages openjdk-17-jdk-headless maven
    local arch jdk
    arch=$(dpkg --print-architecture)
    jdk=/usr/lib/jvm/java-17-openjdk-$arch
    if ! command -v java >/dev/null 2>&1 || [ "$(_ember_java_major)" -lt 17 ]; then
        if [ -x "$jdk/bin/java" ]; then
            ember_log "using JDK 17 at $jdk (java on PATH is missing or older)"
            export JAVA_HOME=$jdk
            export PATH="$jdk/bin:$PATH"
        else
            ember_die "Java 17 not found (expected $jdk)"
        fi
    fi
    if [ -z "${JAVA_HOME:-}" ] && [ -x "$jdk/bin/javac" ]; then
        export JAVA_HOME=$jdk
    fi
    ember_log "java: $(java -version 2>&1 | head -n1); maven: $(mvn -v 2>/dev/null | head -n1 | sed 's/\x1b\[[0-9;]*m//g')"
}

# The stock OpenStack clients, from Debian (they belong to /usr/bin/python3).
ensure_clients() {
    ensure_packages python3 python3-cinderclient python3-openstackclient
    [ -x /usr/bin/cinder ] || ember_die "/usr/bin/cinder missing after install"
    [ -x /usr/bin/openstack ] || ember_die "/usr/bin/openstack missing after install"
}

_ember_mariadb_client() {
    if command -v mariadb >/dev/null 2>&1; then echo mariadb; else echo mysql; fi
}

_ember_mariadb_alive() {
    local admin=mariadb-admin
    command -v "$admin" >/dev/null 2>&1 || admin=mysqladmin
    # ping exits 0 whenever the server answers, even on "access denied".
    ember_as_root "$admin" --connect-timeout=2 ping >/dev/null 2>&1
}

# Installs mariadb-server if missing and starts it (without systemd) if it is
# not running; waits until it answers on its unix socket.
ensure_mariadb() {
    ensure_packages mariadb-server mariadb-client
    if _ember_mariadb_alive; then
        ember_log "MariaDB is running"
        return 0
    fi
    ember_log "MariaDB is not running: starting it"
    ember_as_root mkdir -p /run/mysqld /var/log/mysql
    ember_as_root chown mysql:mysql /run/mysqld
    ember_as_root chown mysql:adm /var/log/mysql 2>/dev/null || ember_as_root chown mysql /var/log/mysql
    if [ ! -d /var/lib/mysql/mysql ]; then
        ember_log "initialising /var/lib/mysql (mariadb-install-db)"
        ember_as_root mkdir -p /var/lib/mysql
        ember_as_root chown mysql:mysql /var/lib/mysql
        ember_as_root mariadb-install-db --user=mysql --datadir=/var/lib/mysql \
            --skip-test-db >/dev/null || ember_die "mariadb-install-db failed"
    fi
    ember_as_root start-stop-daemon --start --oknodo --background \
        --pidfile /run/mysqld/mysqld.pid --exec /usr/sbin/mariadbd -- \
        --user=mysql --log-error=/var/log/mysql/error.log \
        || ember_die "could not start mariadbd"
    local i
    for i in $(seq 1 60); do
        if _ember_mariadb_alive; then
            ember_log "MariaDB is up (after ${i}s)"
            return 0
        fi
        sleep 1
    done
    ember_as_root tail -n 30 /var/log/mysql/error.log >&2 2>/dev/null || true
    ember_die "MariaDB did not come up within 60 s (see /var/log/mysql/error.log)"
}

# Runs SQL as MariaDB's root over the unix socket.
ember_mariadb_root() {
    ember_as_root "$(_ember_mariadb_client)" -uroot --protocol=socket -e "$1"
}

# ensure_db_user DB... : creates Ember's user (ember@localhost and
# ember@127.0.0.1, password ember) and the given databases, with all privileges.
ensure_db_user() {
    local sql db u=$EMBER_DB_USER pw=$EMBER_DB_PASSWORD
    sql="CREATE USER IF NOT EXISTS '$u'@'localhost' IDENTIFIED BY '$pw';"
    sql+="CREATE USER IF NOT EXISTS '$u'@'127.0.0.1' IDENTIFIED BY '$pw';"
    sql+="ALTER USER '$u'@'localhost' IDENTIFIED BY '$pw';"
    sql+="ALTER USER '$u'@'127.0.0.1' IDENTIFIED BY '$pw';"
    for db in "$@"; do
        sql+="CREATE DATABASE IF NOT EXISTS \`$db\` CHARACTER SET utf8mb4;"
        sql+="GRANT ALL PRIVILEGES ON \`$db\`.* TO '$u'@'localhost';"
        sql+="GRANT ALL PRIVILEGES ON \`$db\`.* TO '$u'@'127.0.0.1';"
    done
    sql+="FLUSH PRIVILEGES;"
    ember_log "database user '$u' (localhost, 127.0.0.1) with databases: $*"
    ember_mariadb_root "$sql" || ember_die "could not create database user/databases"
    # Check the way Ember connects: TCP to 127.0.0.1:3306 with the password.
    if ! "$(_ember_mariadb_client)" -h127.0.0.1 -P3306 --protocol=tcp -u"$u" -p"$pw" \
            -e "SELECT 1" "$1" >/dev/null 2>&1; then
        ember_die "cannot log in as $u@127.0.0.1:3306 to database $1"
    fi
}

# ensure_db_prefix_grant PREFIX : lets Ember's user create and drop databases named
# PREFIX_<anything>; the JUnit suite makes one such database per test JVM so concurrent
# runs never share tables.
ensure_db_prefix_grant() {
    local u=$EMBER_DB_USER pattern
    pattern="$(printf '%s' "$1" | sed 's/_/\\_/g')\\_%"
    ember_log "database user '$u' may create databases $1_*"
    ember_mariadb_root "GRANT ALL PRIVILEGES ON \`$pattern\`.* TO '$u'@'localhost';
GRANT ALL PRIVILEGES ON \`$pattern\`.* TO '$u'@'127.0.0.1'; FLUSH PRIVILEGES;" \
        || ember_die "could not grant $u the databases $1_*"
}

# recreate_database DB : drops and creates DB empty (for throw-away test DBs).
recreate_database() {
    ember_log "recreating empty database $1"
    ember_mariadb_root "DROP DATABASE IF EXISTS \`$1\`; CREATE DATABASE \`$1\` CHARACTER SET utf8mb4;" \
        || ember_die "could not recreate database $1"
}
