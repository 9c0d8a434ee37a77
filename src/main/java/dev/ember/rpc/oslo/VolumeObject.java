package dev.ember.rpc.oslo;

/**
 * The parts of cinder's {@code Volume} versioned object (1.x; Zed sends 1.9) that Ember reads; the
 * whole primitive stays in {@link #source()}.
 */
public record VolumeObject(String id, String host, String status, Integer size, String availabilityZone,
                           String projectId, String userId, String displayName, String attachStatus,
                           String volumeTypeId, VersionedObject source) {

    public static final String NAME = "Volume";
    /** The newest Volume version cinder up to 2024.1 sends (OBJ_VERSIONS 1.39 has 1.9; later 1.10 adds nothing we read). */
    public static final String MAX_VERSION = "1.10";

    public static VolumeObject fromPrimitive(VersionedObject o) {
        o.expect(NAME, MAX_VERSION);
        return new VolumeObject(o.string("id"), o.string("host"), o.string("status"),
                OsloJson.integer(o.data(), "size"), o.string("availability_zone"), o.string("project_id"),
                o.string("user_id"), o.string("display_name"), o.string("attach_status"),
                o.string("volume_type_id"), o);
    }
}
