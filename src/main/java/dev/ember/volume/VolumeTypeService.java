package dev.ember.volume;

import dev.ember.model.Volume;

import dev.ember.model.VolumeType;
import dev.ember.auth.Policy;
import dev.ember.auth.RequestContext;
import dev.ember.db.Database;
import dev.ember.db.VolumeTypeRepository;
import dev.ember.error.CinderException;

import java.util.List;
import java.util.Map;

/**
 * cinder's volume types API (cinder/api/v3/types.py and the types_manage extension): list, show
 * (also {@code default}), create and delete, with cinder's policies. Types carry no meaning for
 * Ember's volumes beyond their name in the per-type quota keys.
 */
public final class VolumeTypeService {

    private final Database db;
    private final VolumeTypeRepository rows = new VolumeTypeRepository();
    private final Policy policy;
    private final String defaultTypeName;

    /** @param defaultTypeName cinder's {@code default_volume_type} (default {@code __DEFAULT__}) */
    public VolumeTypeService(Database db, Policy policy, String defaultTypeName) {
        this.db = db;
        this.policy = policy;
        this.defaultTypeName = defaultTypeName;
    }

    /**
     * The types a caller lists: an admin sees the public ones, or with {@code is_public} false
     * the private ones, or with none every one; anyone else the public ones.
     *
     * @param isPublic cinder's parsed is_public filter: TRUE, FALSE or null for all
     */
    public List<VolumeType> list(RequestContext ctx, Boolean isPublic) {
        policy.enforce("volume_extension:type_get_all", ctx);
        Boolean filter = ctx.isAdmin() ? isPublic : Boolean.TRUE;
        List<VolumeType> all = db.tx(dsl -> rows.list(dsl, false));
        return filter == null ? all : all.stream().filter(t -> t.isPublic() == filter).toList();
    }

    public VolumeType get(RequestContext ctx, String id) {
        VolumeType t;
        if ("default".equals(id)) {
            t = db.tx(dsl -> rows.findByName(dsl, defaultTypeName))
                    .orElseThrow(() -> CinderException.notFound("Default volume type can not be found."));
        } else {
            t = db.tx(dsl -> rows.find(dsl, id)).orElseThrow(() -> notFound(id));
        }
        policy.enforce("volume_extension:type_get", ctx);
        return t;
    }

    public VolumeType create(RequestContext ctx, String name, String description, boolean isPublic,
                             Map<String, String> extraSpecs) {
        policy.enforce("volume_extension:type_create", ctx);
        return db.tx(dsl -> {
            if (rows.findByName(dsl, name).isPresent()) {
                throw new CinderException(CinderException.Kind.CONFLICT, "Volume Type " + name + " already exists.");
            }
            return rows.insert(dsl, name, description, isPublic, extraSpecs);
        });
    }

    public void delete(RequestContext ctx, String id) {
        policy.enforce("volume_extension:type_delete", ctx);
        db.tx(dsl -> {
            VolumeType t = rows.find(dsl, id).orElseThrow(() -> notFound(id));
            if (t.name().equals(defaultTypeName)) {
                throw CinderException.badRequest("The volume type " + t.id()
                        + " is a default volume type and cannot be deleted.");
            }
            if (rows.inUse(dsl, t)) {
                throw CinderException.badRequest("Target volume type is still in use.");
            }
            rows.delete(dsl, t.id());
            return null;
        });
    }

    /** Whether the caller may see a type's extra specs, its sensitive ones, its QoS and its access flag. */
    public boolean may(RequestContext ctx, String rule) {
        return policy.check(rule, ctx);
    }

    private static CinderException notFound(String id) {
        return CinderException.notFound("Volume type " + id + " could not be found.");
    }
}
