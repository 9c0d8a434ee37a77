package dev.ember.model;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code PUT /backups/{id}} may change on a backup (cinder's backups controller: the name
 * and description from 3.9, the metadata from 3.43), each only when the request names it. The
 * status and every other attribute change only through the lifecycle, never through this.
 *
 * @param setsName        whether the name changes
 * @param name            the new name; null clears it ({@code "name": null})
 * @param setsDescription whether the description changes
 * @param description     the new description; null clears it
 * @param metadata        the new metadata, which replaces every key (cinder saves it with
 *                        delete=True); null leaves the metadata as it is
 */
public record BackupUpdate(boolean setsName, String name, boolean setsDescription, String description,
                           Map<String, String> metadata) {

    /** Changes nothing: the start of a request's update. */
    public static final BackupUpdate NONE = new BackupUpdate(false, null, false, null, null);

    public BackupUpdate {
        if (!setsName && name != null || !setsDescription && description != null) {
            throw new IllegalArgumentException("a name or description is given without being set");
        }
        // Sorted, as the metadata of a backup reads back; unmodifiable, so the update stays as built.
        metadata = metadata == null ? null : Collections.unmodifiableMap(new TreeMap<>(metadata));
    }

    public BackupUpdate withName(String newName) {
        return new BackupUpdate(true, newName, setsDescription, description, metadata);
    }

    public BackupUpdate withDescription(String newDescription) {
        return new BackupUpdate(setsName, name, true, newDescription, metadata);
    }

    public BackupUpdate withMetadata(Map<String, String> newMetadata) {
        return new BackupUpdate(setsName, name, setsDescription, description, newMetadata);
    }

    /** Whether the update leaves the backup as it is (a body of {@code {"backup": {}}}). */
    public boolean changesNothing() {
        return !setsName && !setsDescription && metadata == null;
    }
}
