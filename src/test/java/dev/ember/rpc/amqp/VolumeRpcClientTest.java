package dev.ember.rpc.amqp;

import dev.ember.rpc.oslo.VersionedObject;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Addressing of cinder-volume as cinder/volume/rpcapi.py does it (captures: cinder-volume.peer@ceph.peer). */
class VolumeRpcClientTest {

    @Test
    void routingKeyFromTheVolumesHost() {
        assertEquals("cinder-volume.peer@ceph.peer", VolumeRpcClient.target("peer@ceph#ceph").routingKey());
        assertEquals("cinder-volume.peer@ceph.peer", VolumeRpcClient.target("peer@ceph").routingKey());
        assertEquals("cinder-volume.node1.peer@rbd-1.node1.peer",
                VolumeRpcClient.target("node1.peer@rbd-1#pool").routingKey());
        assertEquals("peer@ceph", VolumeRpcClient.backendOf("peer@ceph#ceph"));
        assertEquals("peer", VolumeRpcClient.hostOf("peer@ceph#ceph"));
    }

    @Test
    void clusterNameWinsOverHost() {
        VersionedObject v = VersionedObject.of("Volume", "1.9", Map.of("id", "v", "host", "a@b#c",
                "cluster_name", "cl@b"));
        assertEquals("cl@b", VolumeRpcClient.serviceTopicQueue(v));
        assertEquals("cinder-volume.cl@b.cl", VolumeRpcClient.target(VolumeRpcClient.serviceTopicQueue(v)).routingKey());
    }
}
