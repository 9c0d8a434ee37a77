package dev.ember.volume.remote;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code rbd} connection info cinder's RBD volume driver returns from initialize_connection:
 * {@code {"driver_volume_type": "rbd", "data": {"name": "pool/image", "hosts": [...], "ports": [...],
 * "cluster_name", "auth_enabled", "auth_username", "secret_type", "secret_uuid", "volume_id",
 * "discard", "keyring"?, "access_mode", ...}}}. A snapshot's name is {@code pool/image@snap}.
 */
public record RbdConnectionInfo(String pool, String image, String snapshot, List<String> hosts, List<String> ports,
                                String clusterName, String authUsername, String keyring, String secretUuid,
                                String volumeId, String accessMode) {

    @SuppressWarnings("unchecked")
    public static RbdConnectionInfo parse(Map<String, Object> info) throws IOException {
        Object type = info.get("driver_volume_type");
        if (!"rbd".equals(type)) {
            throw new IOException("cannot attach a volume of driver_volume_type " + type
                    + ": Ember reads volumes through librbd and supports only rbd");
        }
        if (!(info.get("data") instanceof Map<?, ?> d0)) {
            throw new IOException("rbd connection info without data");
        }
        Map<String, Object> d = (Map<String, Object>) d0;
        Object n = d.get("name");
        if (!(n instanceof String name) || name.indexOf('/') <= 0) {
            throw new IOException("rbd connection info without a pool/image name: " + n);
        }
        String pool = name.substring(0, name.indexOf('/'));
        String image = name.substring(name.indexOf('/') + 1);
        String snapshot = null;
        int at = image.indexOf('@');
        if (at > 0) {
            snapshot = image.substring(at + 1);
            image = image.substring(0, at);
        }
        return new RbdConnectionInfo(pool, image, snapshot, strings(d.get("hosts")), strings(d.get("ports")),
                str(d.get("cluster_name")), str(d.get("auth_username")), str(d.get("keyring")),
                str(d.get("secret_uuid")), str(d.get("volume_id")), str(d.get("access_mode")));
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }

    private static List<String> strings(Object o) {
        List<String> out = new ArrayList<>();
        if (o instanceof List<?> l) {
            for (Object x : l) {
                out.add(String.valueOf(x));
            }
        }
        return List.copyOf(out);
    }
}
