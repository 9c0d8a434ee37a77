package dev.ember.auth;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * cinder's policy-in-code for backups (cinder/policies/base.py, backups.py, backup_actions.py), for
 * the embedded volume service's volume, snapshot and attachment routes (volumes.py,
 * volume_actions.py, snapshots.py, attachments.py) and for its quota, limits, volume type,
 * transfer and group routes,
 * written in the check-string language so that an operator's policy.yaml can override any rule,
 * including the base rules the backup rules refer to.
 */
final class PolicyDefaults {

    private PolicyDefaults() {}

    // Base rules. The "xena_*" names are cinder's: the project-scoped persona rules its backup
    // policies currently point at (the Yoga system-scope rules are not switched on in cinder).
    // Deviation: cinder's project-reader test is role:reader alone and relies on Keystone's implied
    // roles (admin ⇒ member ⇒ reader) being in the token; a member is accepted explicitly here so
    // a deployment without the implied-role chain still lets members read what they may write.
    private static final String PROJECT_READER = "(role:reader or role:member) and project_id:%(project_id)s";
    private static final String PROJECT_MEMBER = "role:member and project_id:%(project_id)s";
    private static final String LEGACY_SYSTEM_ADMIN = "role:admin";

    /** Rule name → check string, as registered by cinder. */
    static final Map<String, String> RULES = new LinkedHashMap<>();

    /**
     * Pre-Xena check strings oslo.policy ORs into a rule while
     * {@code [oslo_policy] enforce_new_defaults = false} and the rule is not overridden.
     */
    static final Map<String, String> DEPRECATED = new LinkedHashMap<>();

    static {
        RULES.put("context_is_admin", "role:admin");
        RULES.put("admin_api", "is_admin:True or (role:admin and is_admin_project:True)");
        RULES.put("admin_or_owner", "is_admin:True or (role:admin and is_admin_project:True) or project_id:%(project_id)s");
        RULES.put("xena_system_admin_or_project_reader", "(" + LEGACY_SYSTEM_ADMIN + ") or (" + PROJECT_READER + ")");
        RULES.put("xena_system_admin_or_project_member", "(" + LEGACY_SYSTEM_ADMIN + ") or (" + PROJECT_MEMBER + ")");

        String reader = "rule:xena_system_admin_or_project_reader";
        String member = "rule:xena_system_admin_or_project_member";
        String adminApi = "rule:admin_api";
        RULES.put("backup:get_all", reader);
        RULES.put("backup:get", reader);
        RULES.put("backup:create", member);
        RULES.put("backup:update", member);
        RULES.put("backup:delete", member);
        RULES.put("backup:restore", member);
        RULES.put("backup:backup-import", adminApi);
        RULES.put("backup:export-import", adminApi);
        RULES.put("backup:backup_project_attribute", adminApi);
        RULES.put("volume_extension:backup_admin_actions:reset_status", adminApi);
        RULES.put("volume_extension:backup_admin_actions:force_delete", adminApi);

        // The embedded volume service's routes: cinder/policies/volumes.py, volume_actions.py,
        // snapshots.py and attachments.py (Zed).
        RULES.put("volume:create", member);
        RULES.put("volume:get", reader);
        RULES.put("volume:get_all", reader);
        RULES.put("volume:delete", member);
        RULES.put("volume:extend", member);
        RULES.put("volume:extend_attached_volume", member);
        RULES.put("volume:get_volume_metadata", reader);
        RULES.put("volume:create_volume_metadata", member);
        RULES.put("volume:update_volume_metadata", member);
        RULES.put("volume:delete_volume_metadata", member);
        RULES.put("volume_extension:volume_admin_actions:reset_status", adminApi);
        RULES.put("volume:get_all_snapshots", reader);
        RULES.put("volume:get_snapshot", reader);
        RULES.put("volume:create_snapshot", member);
        RULES.put("volume:delete_snapshot", member);
        RULES.put("volume:attachment_create", member);
        RULES.put("volume:attachment_update", member);
        RULES.put("volume:attachment_delete", member);
        RULES.put("volume:attachment_complete", member);

        // Issue #11's routes of the embedded API: quotas.py, quota_class.py, limits.py,
        // volume_transfer.py, volume_type.py, type_extra_specs.py, volume_access.py, groups.py (Zed).
        RULES.put("volume_extension:quotas:show", reader);
        RULES.put("volume_extension:quotas:update", adminApi);
        RULES.put("volume_extension:quotas:delete", adminApi);
        RULES.put("volume_extension:quota_classes", adminApi);
        RULES.put("volume_extension:quota_classes:get", adminApi);
        RULES.put("volume_extension:quota_classes:update", adminApi);
        RULES.put("limits_extension:used_limits", reader);
        RULES.put("volume:get_all_transfers", reader);
        RULES.put("volume:get_transfer", reader);
        RULES.put("volume:create_transfer", member);
        RULES.put("volume:accept_transfer", member);
        RULES.put("volume:delete_transfer", member);
        RULES.put("volume_extension:types_manage", adminApi);
        RULES.put("volume_extension:type_create", adminApi);
        RULES.put("volume_extension:type_update", adminApi);
        RULES.put("volume_extension:type_delete", adminApi);
        RULES.put("volume_extension:type_get", reader);
        RULES.put("volume_extension:type_get_all", reader);
        RULES.put("volume_extension:access_types_extra_specs", reader);
        RULES.put("volume_extension:access_types_qos_specs_id", adminApi);
        RULES.put("volume_extension:types_extra_specs:read_sensitive", adminApi);
        RULES.put("volume_extension:volume_type_access", "rule:admin_or_owner");
        RULES.put("group:get_all", reader);
        RULES.put("group:get", reader);

        DEPRECATED.put("backup:get_all", "rule:admin_or_owner");
        DEPRECATED.put("backup:get", "rule:admin_or_owner");
        DEPRECATED.put("backup:create", "");
        DEPRECATED.put("backup:update", "rule:admin_or_owner");
        DEPRECATED.put("backup:delete", "rule:admin_or_owner");
        DEPRECATED.put("backup:restore", "rule:admin_or_owner");
        DEPRECATED.put("volume:create", "");
        DEPRECATED.put("volume:get", "rule:admin_or_owner");
        DEPRECATED.put("volume:get_all", "rule:admin_or_owner");
        DEPRECATED.put("volume:delete", "rule:admin_or_owner");
        DEPRECATED.put("volume:extend", "rule:admin_or_owner");
        DEPRECATED.put("volume:extend_attached_volume", "rule:admin_or_owner");
        DEPRECATED.put("volume:get_volume_metadata", "rule:admin_or_owner");
        DEPRECATED.put("volume:create_volume_metadata", "rule:admin_or_owner");
        DEPRECATED.put("volume:update_volume_metadata", "rule:admin_or_owner");
        DEPRECATED.put("volume:delete_volume_metadata", "rule:admin_or_owner");
        DEPRECATED.put("volume:get_all_snapshots", "rule:admin_or_owner");
        DEPRECATED.put("volume:get_snapshot", "rule:admin_or_owner");
        DEPRECATED.put("volume:create_snapshot", "rule:admin_or_owner");
        DEPRECATED.put("volume:delete_snapshot", "rule:admin_or_owner");
        DEPRECATED.put("volume:attachment_create", "");
        DEPRECATED.put("volume:attachment_update", "rule:admin_or_owner");
        DEPRECATED.put("volume:attachment_delete", "rule:admin_or_owner");
        DEPRECATED.put("volume:attachment_complete", "rule:admin_or_owner");
        DEPRECATED.put("volume_extension:quotas:show", "rule:admin_or_owner");
        DEPRECATED.put("limits_extension:used_limits", "rule:admin_or_owner");
        DEPRECATED.put("volume:get_all_transfers", "rule:admin_or_owner");
        DEPRECATED.put("volume:get_transfer", "rule:admin_or_owner");
        DEPRECATED.put("volume:create_transfer", "rule:admin_or_owner");
        DEPRECATED.put("volume:accept_transfer", "");
        DEPRECATED.put("volume:delete_transfer", "rule:admin_or_owner");
        DEPRECATED.put("volume_extension:type_get", "");
        DEPRECATED.put("volume_extension:type_get_all", "");
        DEPRECATED.put("volume_extension:access_types_extra_specs", "rule:admin_api");
        DEPRECATED.put("group:get_all", "rule:admin_or_owner");
        DEPRECATED.put("group:get", "rule:admin_or_owner");
    }
}
