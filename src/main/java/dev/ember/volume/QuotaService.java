package dev.ember.volume;

import dev.ember.model.QuotaResources;
import dev.ember.model.VolumeType;
import dev.ember.auth.Policy;
import dev.ember.auth.RequestContext;
import dev.ember.config.Config;
import dev.ember.db.Database;
import dev.ember.db.QuotaRepository;
import dev.ember.db.QuotaSetRepository;
import dev.ember.db.VolumeTypeRepository;
import dev.ember.error.CinderException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * cinder's quota engine as its quota-set, quota-class-set and limits APIs use it
 * (cinder/quota.py: the VolumeTypeQuotaEngine's resources and the GroupQuotaEngine's
 * {@code groups}; DbQuotaDriver's get_defaults, get_class_quotas, get_project_quotas). Limits live
 * in cinder's quotas and quota_classes tables. Usages: the volume resources (volumes, gigabytes,
 * snapshots and their per-type forms) are counted from the live volume and snapshot rows, since
 * the embedded volume service keeps no quota_usages rows for them; backups and backup_gigabytes
 * are the quota_usages rows the backup service keeps (QuotaRepository).
 */
public final class QuotaService {

    /** One resource's limit and, when asked for, its usage. */
    public record Entry(int limit, int inUse, int reserved) {
    }

    /** cinder's NON_QUOTA_KEYS: accepted in a quota set and ignored. */
    private static final List<String> NON_QUOTA_KEYS = List.of("tenant_id", "id");
    /** cinder's db.MAX_INT. */
    public static final int MAX_INT = 0x7FFFFFFF;
    private static final String DEFAULT_CLASS = "default";
    private static final List<String> TYPE_PARTS = List.of("volumes", "gigabytes", "snapshots");

    private final Database db;
    private final QuotaSetRepository rows = new QuotaSetRepository();
    private final VolumeTypeRepository types = new VolumeTypeRepository();
    private final Policy policy;
    private final Map<String, Integer> flags;
    private final boolean useDefaultClass;

    /**
     * @param flags the configured defaults by resource (cinder's quota_* options)
     * @param useDefaultClass cinder's {@code use_default_quota_class}
     */
    public QuotaService(Database db, Policy policy, Map<String, Integer> flags, boolean useDefaultClass) {
        this.db = db;
        this.policy = policy;
        this.flags = Map.copyOf(flags);
        this.useDefaultClass = useDefaultClass;
    }

    /** The defaults from cinder's options (quota_volumes, ..., per_volume_size_limit, quota_groups). */
    public static Map<String, Integer> flagsFrom(Config config) {
        Map<String, Integer> f = new LinkedHashMap<>();
        f.put("volumes", config.getInt("quota_volumes", 10));
        f.put("per_volume_gigabytes", config.getInt("per_volume_size_limit", -1));
        f.put("snapshots", config.getInt("quota_snapshots", 10));
        f.put("gigabytes", config.getInt("quota_gigabytes", 1000));
        f.put(QuotaResources.BACKUPS, config.getInt("quota_backups", 10));
        f.put(QuotaResources.BACKUP_GIGABYTES, config.getInt("quota_backup_gigabytes", 1000));
        f.put("groups", config.getInt("quota_groups", 10));
        return f;
    }

    // ------------------------------------------------------------------ os-quota-sets

    /** GET os-quota-sets/{target}: limits, or with {@code usage} limit, in_use and reserved. */
    public Map<String, Entry> show(RequestContext ctx, String target) {
        policy.enforce("volume_extension:quotas:show", ctx, Map.of("project_id", target));
        return db.tx(dsl -> project(dsl, target, true, true));
    }

    /** GET os-quota-sets/{target}/defaults. */
    public Map<String, Integer> defaults(RequestContext ctx, String target) {
        policy.enforce("volume_extension:quotas:show", ctx, Map.of("project_id", target));
        return db.tx(dsl -> defaults(dsl, resources(dsl)));
    }

    /**
     * PUT os-quota-sets/{target} with a body whose keys and values the caller validated as
     * cinder's {@code quota_set} format does: every limit must cover what the project uses when
     * it already has a limit of its own for that resource (cinder compares against its own
     * quotas only), then all are written. {@code givenAsText} names the values the body gave as
     * strings ("20"), which only per_volume_gigabytes accepts in cinder.
     *
     * @return the project's limits afterwards
     */
    public Map<String, Integer> update(RequestContext ctx, String target, Map<String, Integer> values,
                                      java.util.Set<String> givenAsText) {
        policy.enforce("volume_extension:quotas:update", ctx, Map.of("project_id", target));
        return db.tx(dsl -> {
            Map<String, Entry> own = project(dsl, target, false, true);
            Map<String, Integer> valid = new LinkedHashMap<>();
            for (Map.Entry<String, Integer> e : values.entrySet()) {
                if (NON_QUOTA_KEYS.contains(e.getKey())) {
                    continue;
                }
                int value = e.getValue();
                Entry current = own.get(e.getKey());
                if (!e.getKey().equals("per_volume_gigabytes") && givenAsText.contains(e.getKey())) {
                    // cinder compares the body's value as it came ("20" < 0): Python's TypeError,
                    // which cinder's resource wrapper answers with webob's generic 400.
                    throw CinderException.badRequest("The server could not comply with the request since it is "
                            + "either malformed or otherwise incorrect.");
                }
                if (!e.getKey().equals("per_volume_gigabytes") && value != -1) {
                    int used = current == null ? 0 : current.inUse() + current.reserved();
                    if (value < used) {
                        throw CinderException.badRequest("Quota " + e.getKey() + " limit must be equal or greater "
                                + "than existing resources. Current usage is " + used + " and the requested limit is "
                                + value + ".");
                    }
                }
                valid.put(e.getKey(), value);
            }
            valid.forEach((k, v) -> rows.setProjectLimit(dsl, target, k, v));
            Map<String, Integer> out = new LinkedHashMap<>();
            project(dsl, target, true, false).forEach((k, v) -> out.put(k, v.limit()));
            return out;
        });
    }

    /** DELETE os-quota-sets/{target}: the project's own limits go (usages stay). */
    public void delete(RequestContext ctx, String target) {
        policy.enforce("volume_extension:quotas:delete", ctx, Map.of("project_id", target));
        db.tx(dsl -> {
            rows.destroyProjectLimits(dsl, target);
            return null;
        });
    }

    /** The resource names in cinder's order (global, per volume type, groups). */
    public List<String> resourceNames() {
        return db.tx(this::resources);
    }

    // ------------------------------------------------------------------ os-quota-class-sets

    /** GET os-quota-class-sets/{class}. */
    public Map<String, Integer> showClass(RequestContext ctx, String className) {
        policy.enforce("volume_extension:quota_classes:get", ctx);
        return db.tx(dsl -> classQuotas(dsl, className));
    }

    /** PUT os-quota-class-sets/{class} with validated values. */
    public Map<String, Integer> updateClass(RequestContext ctx, String className, Map<String, Integer> values) {
        policy.enforce("volume_extension:quota_classes:update", ctx);
        return db.tx(dsl -> {
            values.forEach((k, v) -> rows.setClassLimit(dsl, className, k, v));
            return classQuotas(dsl, className);
        });
    }

    // ------------------------------------------------------------------ limits

    /**
     * The project's limits for GET /limits and, when {@code limits_extension:used_limits} passes,
     * its usage (null otherwise).
     */
    public Map<String, Entry> limits(RequestContext ctx, String projectId) {
        return db.tx(dsl -> project(dsl, projectId, true, true));
    }

    /** Whether the caller sees the used limits (cinder's used_limits extension, non-fatal). */
    public boolean showsUsedLimits(RequestContext ctx) {
        return policy.check("limits_extension:used_limits", ctx);
    }

    // ------------------------------------------------------------------ the engine

    private List<String> resources(org.jooq.DSLContext dsl) {
        List<String> names = new ArrayList<>(List.of("volumes", "per_volume_gigabytes", "snapshots", "gigabytes",
                QuotaResources.BACKUPS, QuotaResources.BACKUP_GIGABYTES));
        for (VolumeType t : types.list(dsl, false)) {
            for (String part : TYPE_PARTS) {
                names.add(part + "_" + t.name());
            }
        }
        names.add("groups");
        return names;
    }

    private Map<String, Integer> defaults(org.jooq.DSLContext dsl, List<String> resources) {
        Map<String, Integer> cls = useDefaultClass ? rows.classLimits(dsl, DEFAULT_CLASS) : Map.of();
        Map<String, Integer> out = new LinkedHashMap<>();
        for (String r : resources) {
            Integer v = cls.get(r);
            out.put(r, v != null ? v : flags.getOrDefault(r, -1));
        }
        return out;
    }

    private Map<String, Integer> classQuotas(org.jooq.DSLContext dsl, String className) {
        List<String> resources = resources(dsl);
        Map<String, Integer> own = rows.classLimits(dsl, className);
        Map<String, Integer> defaults = defaults(dsl, resources);
        Map<String, Integer> out = new LinkedHashMap<>();
        for (String r : resources) {
            out.put(r, own.containsKey(r) ? own.get(r) : defaults.get(r));
        }
        return out;
    }

    /**
     * cinder's get_project_quotas: the project's own limit, else the default; with
     * {@code withDefaults} false only the resources the project has a limit of its own for.
     */
    private Map<String, Entry> project(org.jooq.DSLContext dsl, String projectId, boolean withDefaults,
                                       boolean withUsage) {
        List<String> resources = resources(dsl);
        Map<String, Integer> own = rows.projectLimits(dsl, projectId);
        Map<String, Integer> defaults = null;
        Map<String, QuotaSetRepository.Usage> usages = withUsage ? usages(dsl, projectId) : Map.of();
        Map<String, Entry> out = new LinkedHashMap<>();
        for (String r : resources) {
            if (!withDefaults && !own.containsKey(r)) {
                continue;
            }
            Integer limit = own.get(r);
            if (limit == null) {
                if (defaults == null) {
                    defaults = defaults(dsl, resources);
                }
                limit = defaults.get(r);
            }
            QuotaSetRepository.Usage u = usages.getOrDefault(r, new QuotaSetRepository.Usage(0, 0));
            out.put(r, new Entry(limit, u.inUse(), u.reserved()));
        }
        return out;
    }

    private Map<String, QuotaSetRepository.Usage> usages(org.jooq.DSLContext dsl, String projectId) {
        Map<String, QuotaSetRepository.Usage> table = rows.usages(dsl, projectId);
        Map<String, QuotaSetRepository.Usage> out = new LinkedHashMap<>(table);
        QuotaSetRepository.Counted c = rows.count(dsl, projectId);
        put(out, table, "volumes", c.volumes());
        put(out, table, "gigabytes", c.gigabytes());
        put(out, table, "snapshots", c.snapshots());
        for (VolumeType t : types.list(dsl, false)) {
            // Ember's own volumes have no volume_type_id: they are of the default type.
            List<String> keys = VolumeTypeRepository.DEFAULT_NAME.equals(t.name()) ? List.of(t.id(), "null")
                    : List.of(t.id());
            put(out, table, "volumes_" + t.name(), sum(c.volumesByType(), keys));
            put(out, table, "gigabytes_" + t.name(), sum(c.gigabytesByType(), keys));
            put(out, table, "snapshots_" + t.name(), sum(c.snapshotsByType(), keys));
        }
        return out;
    }

    private static void put(Map<String, QuotaSetRepository.Usage> out, Map<String, QuotaSetRepository.Usage> table,
                            String resource, int inUse) {
        QuotaSetRepository.Usage row = table.get(resource);
        out.put(resource, new QuotaSetRepository.Usage(inUse, row == null ? 0 : row.reserved()));
    }

    private static int sum(Map<String, Integer> byType, List<String> keys) {
        return keys.stream().mapToInt(k -> byType.getOrDefault(k, 0)).sum();
    }
}
