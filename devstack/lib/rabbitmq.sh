# shellcheck shell=bash
# RabbitMQ for Ember's AMQP transport (and its tests) on a Debian 12 machine,
# without systemd. Source this file (after devstack/lib/services.sh, or alone:
# it then sources services.sh itself). Every function is idempotent.
#
#   rabbitmq_ensure_running   install rabbitmq-server if missing, start it
#                             (rabbitmq-server -detached) unless it answers,
#                             wait until it accepts AMQP on 127.0.0.1:5672
#   rabbitmq_ensure_oslo_client
#                             install python3-oslo.messaging (the Python test
#                             client of tests/rpc uses /usr/bin/python3)
#   rabbitmq_transport_url    print the transport_url for the local broker

if ! declare -F ensure_packages >/dev/null 2>&1; then
    # shellcheck source=devstack/lib/services.sh
    . "$(dirname "${BASH_SOURCE[0]}")/services.sh"
fi

RABBITMQ_HOST=${RABBITMQ_HOST:-127.0.0.1}
RABBITMQ_PORT=${RABBITMQ_PORT:-5672}
RABBITMQ_USER=${RABBITMQ_USER:-guest}
RABBITMQ_PASSWORD=${RABBITMQ_PASSWORD:-guest}
RABBITMQ_START_TIMEOUT=${RABBITMQ_START_TIMEOUT:-120}

rabbitmq_transport_url() {
    printf 'rabbit://%s:%s@%s:%s/\n' "$RABBITMQ_USER" "$RABBITMQ_PASSWORD" "$RABBITMQ_HOST" "$RABBITMQ_PORT"
}

# True when the node is up and the AMQP port accepts connections.
_rabbitmq_alive() {
    ember_as_root rabbitmqctl -q status >/dev/null 2>&1 || return 1
    (exec 3<>"/dev/tcp/$RABBITMQ_HOST/$RABBITMQ_PORT") 2>/dev/null || return 1
    return 0
}

rabbitmq_ensure_running() {
    ensure_packages rabbitmq-server
    if _rabbitmq_alive; then
        ember_log "RabbitMQ is running ($RABBITMQ_HOST:$RABBITMQ_PORT)"
        return 0
    fi
    ember_log "RabbitMQ is not running: starting it (rabbitmq-server -detached)"
    ember_as_root mkdir -p /var/log/rabbitmq /var/lib/rabbitmq /run/rabbitmq
    ember_as_root chown rabbitmq:rabbitmq /var/log/rabbitmq /var/lib/rabbitmq /run/rabbitmq 2>/dev/null || true
    # Debian's wrapper drops to the rabbitmq user itself when run as root.
    if ! ember_as_root rabbitmqctl -q ping >/dev/null 2>&1; then
        ember_as_root env HOME=/var/lib/rabbitmq rabbitmq-server -detached >/dev/null 2>&1 \
            || ember_warn "rabbitmq-server -detached returned non-zero (it may already be starting)"
    fi
    local i
    for i in $(seq 1 "$RABBITMQ_START_TIMEOUT"); do
        if _rabbitmq_alive; then
            ember_log "RabbitMQ is up (after ${i}s)"
            return 0
        fi
        sleep 1
    done
    ember_as_root sh -c 'tail -n 40 /var/log/rabbitmq/*.log' >&2 2>/dev/null || true
    ember_die "RabbitMQ did not come up within ${RABBITMQ_START_TIMEOUT}s (see /var/log/rabbitmq)"
}

rabbitmq_ensure_oslo_client() {
    ensure_packages python3 python3-oslo.messaging
    /usr/bin/python3 -c 'import oslo_messaging' 2>/dev/null \
        || ember_die "python3-oslo.messaging is installed but 'import oslo_messaging' fails"
}
