package dev.ember.rpc.oslo;

import dev.ember.model.VolumeType;

import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The arguments of cinder-scheduler's {@code create_volume} cast (cinder/scheduler/rpcapi.py, 3.x)
 * for a plain new volume, as cinder-api's create flow (cinder/volume/flows/api/create_volume.py)
 * builds them when a restore needs a volume: the {@code Volume} object (1.9) as the row was just
 * written, and a {@code RequestSpec} (1.5) holding it again with its {@code VolumeType} (1.3) and
 * {@code VolumeProperties} (1.1). No snapshot, image, source volume, group or backup: a restore
 * creates an empty volume and writes the data afterwards. Pure: the caller supplies ids, times and
 * the reservation uuids. The shape is checked against a cast recorded from Debian's cinder-api
 * ({@code src/test/resources/rpc/scheduler-create_volume.json}).
 */
public final class CreateVolumeRequest {

    public static final String METHOD = "create_volume";
    /** The version cinder-api's SchedulerAPI stamps on it (its client's default; backup_id is 3.10). */
    public static final String VERSION = "3.0";
    public static final String VOLUME_VERSION = "1.9";
    public static final String REQUEST_SPEC_VERSION = "1.5";
    public static final String VOLUME_TYPE_VERSION = "1.3";
    public static final String VOLUME_PROPERTIES_VERSION = "1.1";
    public static final String ATTACHMENT_LIST_VERSION = "1.1";

    /** The new volume as its {@code volumes} row was inserted (status creating, detached, no host). */
    public record NewVolume(String id, String userId, String projectId, int size, String availabilityZone,
                            String displayName, String displayDescription, VolumeType type,
                            Map<String, String> metadata, LocalDateTime createdAt) {
        public NewVolume {
            metadata = metadata == null ? Map.of() : java.util.Collections.unmodifiableMap(
                    new LinkedHashMap<>(metadata));
        }
    }

    private CreateVolumeRequest() {
    }

    /**
     * The cast's {@code args}, keys in cinder's order.
     *
     * @param reservations      the uuids of the quota reservations made for the volume
     * @param availabilityZones the zones the API knows (the scheduler's AvailabilityZoneFilter input)
     */
    public static Map<String, Object> args(NewVolume v, List<String> reservations, List<String> availabilityZones) {
        VersionedObject volume = volume(v);
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("snapshot_id", null);
        a.put("image_id", null);
        a.put("request_spec", requestSpec(v, volume, reservations, availabilityZones));
        a.put("filter_properties", Map.of());
        a.put("volume", volume);
        a.put("backup_id", null);
        return a;
    }

    /** {@code Volume} as {@code Volume.create()} leaves it: every field, no pending changes. */
    public static VersionedObject volume(NewVolume v) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("id", v.id());
        d.put("_name_id", null);
        d.put("ec2_id", null);
        d.put("user_id", v.userId());
        d.put("project_id", v.projectId());
        d.put("use_quota", true);
        d.put("snapshot_id", null);
        d.put("cluster_name", null);
        d.put("host", null);
        d.put("size", v.size());
        d.put("availability_zone", v.availabilityZone());
        d.put("status", "creating");
        d.put("attach_status", "detached");
        d.put("migration_status", null);
        d.put("scheduled_at", null);
        d.put("launched_at", null);
        d.put("terminated_at", null);
        d.put("display_name", v.displayName());
        d.put("display_description", v.displayDescription());
        d.put("provider_id", null);
        d.put("provider_location", null);
        d.put("provider_auth", null);
        d.put("provider_geometry", null);
        d.put("volume_type_id", v.type().id());
        d.put("source_volid", null);
        d.put("encryption_key_id", null);
        d.put("consistencygroup_id", null);
        d.put("group_id", null);
        d.put("deleted", false);
        d.put("bootable", false);
        d.put("multiattach", false);
        d.put("replication_status", null);
        d.put("replication_extended_status", null);
        d.put("replication_driver_data", null);
        d.put("previous_status", null);
        d.put("metadata", v.metadata());
        d.put("admin_metadata", Map.of());
        // The volume's own type object carries no project list; the request spec's does.
        d.put("volume_type", volumeType(v.type(), false));
        d.put("volume_attachment", VersionedObject.of("VolumeAttachmentList", ATTACHMENT_LIST_VERSION,
                Map.of("objects", List.of())));
        d.put("service_uuid", null);
        // The object's default; cinder-volume sets the real value when it creates the volume.
        d.put("shared_targets", true);
        d.put("created_at", OvoTime.format(v.createdAt()));
        d.put("updated_at", null);
        d.put("deleted_at", null);
        return VersionedObject.of("Volume", VOLUME_VERSION, d);
    }

    static VersionedObject volumeType(VolumeType t, boolean withProjects) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("id", t.id());
        d.put("name", t.name());
        d.put("description", t.description());
        d.put("is_public", t.isPublic());
        if (withProjects) {
            d.put("projects", t.projects());
        }
        d.put("extra_specs", t.extraSpecs());
        d.put("qos_specs_id", t.qosSpecsId());
        d.put("created_at", OvoTime.format(t.createdAt()));
        d.put("updated_at", OvoTime.format(t.updatedAt()));
        d.put("deleted_at", OvoTime.format(t.deletedAt()));
        d.put("deleted", t.deleted());
        return VersionedObject.of("VolumeType", VOLUME_TYPE_VERSION, d);
    }

    static VersionedObject requestSpec(NewVolume v, VersionedObject volume, List<String> reservations,
                                       List<String> availabilityZones) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("attach_status", "detached");
        p.put("availability_zone", v.availabilityZone());
        p.put("cgsnapshot_id", null);
        p.put("consistencygroup_id", null);
        p.put("group_id", null);
        p.put("display_description", v.displayDescription());
        p.put("display_name", v.displayName());
        p.put("encryption_key_id", null);
        p.put("metadata", v.metadata());
        p.put("multiattach", false);
        p.put("project_id", v.projectId());
        p.put("qos_specs", null);
        p.put("reservations", List.copyOf(reservations));
        p.put("size", v.size());
        p.put("snapshot_id", null);
        p.put("source_volid", null);
        p.put("status", "creating");
        p.put("user_id", v.userId());
        p.put("volume_type_id", v.type().id());
        // Built from keyword arguments: every field is a change.
        VersionedObject properties = new VersionedObject("VolumeProperties", VersionedObject.CINDER,
                VOLUME_PROPERTIES_VERSION, p, new ArrayList<>(p.keySet()));

        Map<String, Object> s = new LinkedHashMap<>();
        s.put("consistencygroup_id", null);
        s.put("group_id", null);
        s.put("cgsnapshot_id", null);
        s.put("image_id", null);
        s.put("snapshot_id", null);
        s.put("source_volid", null);
        s.put("volume_id", v.id());
        s.put("volume", volume);
        s.put("volume_type", volumeType(v.type(), true));
        s.put("volume_properties", properties);
        s.put("backup_id", null);
        s.put("availability_zones", List.copyOf(availabilityZones));
        return new VersionedObject("RequestSpec", VersionedObject.CINDER, REQUEST_SPEC_VERSION, s,
                new ArrayList<>(s.keySet()));
    }
}
