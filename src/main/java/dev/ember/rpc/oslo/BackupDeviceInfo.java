package dev.ember.rpc.oslo;

/**
 * cinder's {@code BackupDeviceInfo} 1.0 ({@code continue_backup}'s {@code backup_device}): the device
 * to back up is a {@code volume} or a {@code snapshot} (kept as its raw primitive), plus
 * {@code secure_enabled}.
 */
public record BackupDeviceInfo(VolumeObject volume, VersionedObject snapshot, boolean secureEnabled,
                               VersionedObject source) {

    public static final String NAME = "BackupDeviceInfo";
    public static final String VERSION = "1.0";

    public static BackupDeviceInfo fromPrimitive(VersionedObject o) {
        o.expect(NAME, VERSION);
        VolumeObject volume = o.get("volume") instanceof VersionedObject v ? VolumeObject.fromPrimitive(v) : null;
        VersionedObject snapshot = o.get("snapshot") instanceof VersionedObject s ? s.expect("Snapshot", "1.99") : null;
        return new BackupDeviceInfo(volume, snapshot, OsloJson.bool(o.data(), "secure_enabled", false), o);
    }

    public boolean isSnapshot() {
        return snapshot != null;
    }
}
