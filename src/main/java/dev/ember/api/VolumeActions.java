package dev.ember.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ember.error.CinderException;
import dev.ember.volume.VolumeService;

import java.util.Locale;

/**
 * {@code POST /volumes/{id}/action} of the volume service: {@code os-reset_status} (cinder's
 * VolumeAdminController, rule {@code volume_extension:volume_admin_actions:reset_status}) and
 * {@code os-extend} (cinder's VolumeActionsController, {@code volume:extend}); the volume service
 * enforces the rules with the volume as target.
 */
final class VolumeActions {

    private final VolumeService volumes;

    VolumeActions(VolumeService volumes) {
        this.volumes = volumes;
    }

    private static Schema.Rule format(java.util.Set<String> valid, String formatName) {
        return v -> {
            if (v.isNull()) {
                return null;
            }
            if (!v.isTextual()) {
                return PyRepr.of(v) + " is not of type 'string', 'null'";
            }
            return valid.contains(v.asText().toLowerCase(Locale.ROOT)) ? null
                    : PyRepr.of(v) + " is not a '" + formatName + "'";
        };
    }

    /** cinder/api/schemas/admin_actions.py {@code reset}. */
    private static final Schema RESET = new Schema()
            .prop("status", format(VolumeService.RESETTABLE_STATUSES, "volume_status"))
            .prop("attach_status", format(VolumeService.ATTACH_STATUSES, "volume_attach_status"))
            .prop("migration_status", format(java.util.Set.of("migrating", "error", "success", "completing", "none",
                    "starting"), "volume_migration_status"));

    /** cinder/api/schemas/volume_actions.py {@code extend}. */
    private static final Schema EXTEND = new Schema()
            .prop("new_size", v -> {
                if (v.isIntegralNumber()) {
                    return v.asLong() < 1 ? PyRepr.of(v) + " is less than the minimum of 1" : null;
                }
                if (v.isTextual()) {
                    return v.asText().matches("^[0-9]+$") && v.asText().length() < 10 ? null
                            : PyRepr.of(v) + " does not match '^[0-9]+$'";
                }
                return PyRepr.of(v) + " is not of type 'integer', 'string'";
            })
            .required("new_size");

    ApiResponse action(ApiRequest r) {
        JsonNode body = r.body();
        if (!body.isObject() || body.size() == 0) {
            throw CinderException.badRequest("Malformed request body");
        }
        String action = body.fieldNames().next();
        JsonNode args = body.get(action);
        String id = r.param("id");
        switch (action) {
            case "os-reset_status" -> {
                if (!args.isObject()) {
                    Schema.fail("os-reset_status", args, PyRepr.of(args) + " is not of type 'object'");
                }
                RESET.validate("os-reset_status", args);
                String status = lower(args.get("status"));
                String attachStatus = lower(args.get("attach_status"));
                if (status == null && attachStatus == null && lower(args.get("migration_status")) == null) {
                    throw CinderException.badRequest("Must specify 'status', 'attach_status' or 'migration_status' "
                            + "for update.");
                }
                // The volume's own policy, then the admin action's (cinder's VolumeAdminController).
                volumes.resetStatus(r.context(), id, status, attachStatus);
                return ApiResponse.empty(202);
            }
            case "os-extend" -> {
                if (!args.isObject()) {
                    Schema.fail("os-extend", args, PyRepr.of(args) + " is not of type 'object'");
                }
                EXTEND.validate("os-extend", args);
                long size = args.get("new_size").asLong();
                if (size > Integer.MAX_VALUE) {
                    throw CinderException.invalidInput("New size for extend must be greater than current size.");
                }
                volumes.extend(r.context(), id, (int) size, r.version().atLeast(3, 42));
                return ApiResponse.empty(202);
            }
            default -> throw CinderException.badRequest("There is no such action: " + action);
        }
    }

    private static String lower(JsonNode n) {
        return n == null || n.isNull() ? null : n.asText().toLowerCase(Locale.ROOT);
    }
}
