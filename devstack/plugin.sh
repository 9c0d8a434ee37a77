# shellcheck shell=bash
# devstack/plugin.sh — Ember's devstack plugin: Ember as cinder's backup service (ember-bak) in
# place of cinder-backup (c-bak), with the Ceph backup driver configured the way devstack's
# lib/cinder_backups/ceph configures it. devstack sources this file as
# `source devstack/plugin.sh <mode> [phase]` (doc/source/plugins.rst):
#
#   stack install      JDK 17 and Maven, build target/ember.jar                (cloud_install_ember)
#   stack post-config  the backup pool and Ceph client if devstack-plugin-ceph did not make them,
#                      and lib/cinder_backups/ceph's [DEFAULT] options in $CINDER_CONF
#                      (cloud_backup_ceph_prepare, cloud_backup_ceph_options)
#   stack extra        run_process ember-bak "bin/ember-backup --config-file $CINDER_CONF"
#                      (cloud_backup_program): cinder-backup's command line, Ember's program
#   stack test-config  [volume-feature-enabled] backup = True in tempest.conf (devstack's lib/tempest
#                      writes False because c-bak is disabled)
#   unstack            stop_process ember-bak
#   clean              removes $EMBER_STATE_DIR
#
# The functions are those of devstack/lib/cloud.sh, which devstack/cloud and tests/tempest/run run
# on this project's machine; tests/devstack/run runs this file against real services with stand-ins
# for the few devstack functions it calls.

EMBER_DIR=${EMBER_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
EMBER_ROOT=$EMBER_DIR
# shellcheck source=devstack/lib/services.sh
source "$EMBER_DIR/devstack/lib/services.sh"
# shellcheck source=devstack/lib/ember.sh
source "$EMBER_DIR/devstack/lib/ember.sh"
# shellcheck source=devstack/lib/cloud.sh
source "$EMBER_DIR/devstack/lib/cloud.sh"

function install_ember {
    mkdir -p "$EMBER_STATE_DIR"
    cloud_install_ember
}

function configure_ember {
    local ceph_conf=${CEPH_CONF_FILE:-/etc/ceph/ceph.conf} opt value
    # As lib/cinder_backups/ceph: a cephadm deployment makes the pool and client itself.
    if [[ "${CEPHADM_DEPLOY:-False}" != "True" ]]; then
        cloud_backup_ceph_prepare "$ceph_conf" "$CINDER_BAK_CEPH_POOL" "$CINDER_BAK_CEPH_USER" \
            "${CINDER_CEPH_POOL:-volumes}" "${CEPH_CONF_DIR:-$(dirname "$ceph_conf")}" || return 1
    fi
    while read -r opt value; do
        iniset "$CINDER_CONF" DEFAULT "$opt" "$value"
    done < <(cloud_backup_ceph_options "$ceph_conf" "$CINDER_BAK_CEPH_POOL" "$CINDER_BAK_CEPH_USER")
}

function start_ember {
    # JAVA_HOME when install_ember chose a JDK other than the java on PATH.
    run_process ember-bak "$(cloud_backup_program) --config-file $CINDER_CONF" "" "" \
        "${JAVA_HOME:+JAVA_HOME=$JAVA_HOME}"
}

function configure_tempest_ember {
    iniset "$TEMPEST_CONFIG" volume-feature-enabled backup True
}

if is_service_enabled ember-bak; then
    if [[ "$1" == "stack" && "${2:-}" == "install" ]]; then
        echo_summary "Installing Ember (target/ember.jar)"
        install_ember
    elif [[ "$1" == "stack" && "${2:-}" == "post-config" ]]; then
        echo_summary "Configuring cinder's Ceph backup driver for Ember"
        configure_ember
    elif [[ "$1" == "stack" && "${2:-}" == "extra" ]]; then
        echo_summary "Starting Ember as cinder's backup service (ember-bak)"
        start_ember
    elif [[ "$1" == "stack" && "${2:-}" == "test-config" ]]; then
        if is_service_enabled tempest; then
            echo_summary "Enabling tempest's backup tests for Ember"
            configure_tempest_ember
        fi
    fi
    if [[ "$1" == "unstack" ]]; then
        stop_process ember-bak
    fi
    if [[ "$1" == "clean" ]]; then
        rm -rf "$EMBER_STATE_DIR"
    fi
fi
