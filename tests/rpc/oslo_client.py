#!/usr/bin/python3
"""A stock oslo.messaging RPC client playing cinder-api/cinder-scheduler against
Ember's cinder-backup RPC server (run with Debian's /usr/bin/python3 and its
python3-oslo.messaging package).

It sends messages shaped like the captured ones (tests/rpc/captures): the
Backup 1.7 primitive and the request context of rpc-create_backup.json, with
the backup id replaced. Output: one JSON object per action on stdout, e.g.
  {"action": "cast_create_backup", "ok": true}
  {"action": "call_export_record", "ok": true, "result": {...}}
  {"action": "call_export_missing", "ok": false, "error": "RemoteError",
   "exc_type": "BackupNotFound", "value": "..."}

Usage: oslo_client.py --url URL --exchange X --server HOST --backup-id ID ACTION...
Actions: cast_create_backup call_export_record call_check_support
         call_export_missing call_unknown_method call_bad_version
"""
import argparse
import copy
import json
import os
import sys

from oslo_config import cfg
import oslo_messaging as messaging

HERE = os.path.dirname(os.path.abspath(__file__))
CAPTURE = os.path.join(HERE, 'captures', 'rpc-create_backup.json')
MISSING = '00000000-0000-0000-0000-000000000404'


def captured():
    with open(CAPTURE) as f:
        cap = json.load(f)
    inner = cap['oslo_message_decoded']
    ctxt = {k[len('_context_'):]: v for k, v in inner.items()
            if k.startswith('_context_')}
    return inner['args']['backup'], ctxt


def backup_primitive(template, backup_id, host):
    b = copy.deepcopy(template)
    b['versioned_object.data']['id'] = backup_id
    b['versioned_object.data']['host'] = host
    return b


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--url', required=True)
    p.add_argument('--exchange', required=True)
    p.add_argument('--server', required=True)
    p.add_argument('--backup-id', required=True)
    p.add_argument('--timeout', type=int, default=20)
    p.add_argument('actions', nargs='+')
    a = p.parse_args()

    # The global CONF: oslo.messaging registers some options (metrics) only there.
    conf = cfg.CONF
    conf([], project='ember-rpc-test', default_config_files=[])
    messaging.set_transport_defaults(control_exchange=a.exchange)
    transport = messaging.get_rpc_transport(conf, url=a.url)
    target = messaging.Target(topic='cinder-backup', server=a.server,
                              version='2.0')
    client = messaging.RPCClient(transport, target, timeout=a.timeout)
    template, ctxt = captured()
    backup = backup_primitive(template, a.backup_id, a.server)

    for action in a.actions:
        out = {'action': action}
        try:
            if action == 'cast_create_backup':
                client.prepare(version='2.0').cast(ctxt, 'create_backup',
                                                   backup=backup)
                out['ok'] = True
            elif action == 'call_export_record':
                out['result'] = client.prepare(version='2.0').call(
                    ctxt, 'export_record', backup=backup)
                out['ok'] = True
            elif action == 'call_check_support':
                out['result'] = client.prepare(version='2.0').call(
                    ctxt, 'check_support_to_force_delete')
                out['ok'] = True
            elif action == 'call_export_missing':
                missing = backup_primitive(template, MISSING, a.server)
                out['result'] = client.prepare(version='2.0').call(
                    ctxt, 'export_record', backup=missing)
                out['ok'] = True
            elif action == 'call_unknown_method':
                out['result'] = client.prepare(version='2.0').call(
                    ctxt, 'no_such_method')
                out['ok'] = True
            elif action == 'call_bad_version':
                out['result'] = client.prepare(version='3.0').call(
                    ctxt, 'check_support_to_force_delete')
                out['ok'] = True
            else:
                out['ok'] = False
                out['error'] = 'unknown action'
        except messaging.RemoteError as e:
            out.update(ok=False, error='RemoteError', exc_type=e.exc_type,
                       value=e.value)
        except messaging.MessagingTimeout as e:
            out.update(ok=False, error='MessagingTimeout', value=str(e))
        except Exception as e:  # noqa
            out.update(ok=False, error=type(e).__name__, value=str(e))
        print(json.dumps(out), flush=True)
    # transport.cleanup() waits ~10 s for oslo's reply poller; nothing is left to clean up.
    sys.stdout.flush()
    os._exit(0)


if __name__ == '__main__':
    sys.exit(main())
