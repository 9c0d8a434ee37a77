#!/usr/bin/python3
"""Records the oslo.messaging casts a real cinder service sends to a topic, by binding a queue of its
own to the control exchange beside the service's (the service still gets every message).

    capture-cast.py TRANSPORT_URL TOPIC METHOD OUT_FILE [TIMEOUT_S]

Binds `capture-<topic>-<pid>` to exchange `openstack` with routing key TOPIC, prints "bound" and waits
for the first message whose oslo.message names METHOD; writes it to OUT_FILE in the form of
tests/rpc/captures/*.json (body: the oslo envelope as sent; exchange; routing_keys; properties;
oslo_message_decoded; ts). Recorded with it: tests/rpc/captures/rpc-create_volume-api-to-scheduler.json,
the create_volume cast of Debian's cinder-api for `cinder backup-restore <id>` without --volume.
"""
import json
import os
import sys
import time

import kombu

url, topic, method, out = sys.argv[1:5]
timeout = float(sys.argv[5]) if len(sys.argv) > 5 else 300
url = url.replace("rabbit://", "amqp://", 1)
with kombu.Connection(url) as conn:
    ex = kombu.Exchange("openstack", type="topic", durable=False, auto_delete=False)
    q = kombu.Queue("capture-%s-%d" % (topic, os.getpid()), ex, routing_key=topic, auto_delete=True)
    found = []

    def on(body, message):
        raw = message.body if isinstance(message.body, (bytes, str)) else json.dumps(body)
        raw = raw.decode() if isinstance(raw, bytes) else raw
        env = json.loads(raw)
        msg = json.loads(env["oslo.message"]) if "oslo.message" in env else env
        if msg.get("method") == method and not found:
            props = {k: message.properties.get(k) for k in ("content_encoding", "content_type",
                                                           "delivery_mode", "priority")}
            props["headers"] = message.headers or {}
            record = {"body": env, "exchange": message.delivery_info.get("exchange"),
                      "oslo_message_decoded": msg, "properties": props,
                      "routing_keys": [message.delivery_info.get("routing_key")], "ts": time.time()}
            with open(out, "w") as f:
                json.dump(record, f, indent=2, sort_keys=True)
                f.write("\n")
            found.append(msg)
        message.ack()

    with kombu.Consumer(conn, [q], callbacks=[on], accept=["json"]):
        print("bound", flush=True)
        deadline = time.time() + timeout
        while not found and time.time() < deadline:
            try:
                conn.drain_events(timeout=1)
            except Exception:  # socket.timeout: keep waiting
                pass
if not found:
    sys.exit("no %s cast on %s within %ss" % (method, topic, timeout))
print("captured %s -> %s" % (method, out))
