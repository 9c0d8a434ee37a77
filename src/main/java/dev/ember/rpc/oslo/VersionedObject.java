package dev.ember.rpc.oslo;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An oslo.versionedobjects primitive as it travels in RPC arguments and results:
 * <pre>{"versioned_object.name": "Backup", "versioned_object.namespace": "cinder",
 *  "versioned_object.version": "1.7", "versioned_object.data": {...},
 *  "versioned_object.changes": [...]}</pre>
 * {@code data} holds only the fields that are set; nested objects are {@link VersionedObject}s.
 * {@code changes} is {@code null} when the key is absent (no uncommitted changes).
 */
public record VersionedObject(String name, String namespace, String version, Map<String, Object> data,
                              List<String> changes) {

    public static final String NAME_KEY = "versioned_object.name";
    public static final String NAMESPACE_KEY = "versioned_object.namespace";
    public static final String VERSION_KEY = "versioned_object.version";
    public static final String DATA_KEY = "versioned_object.data";
    public static final String CHANGES_KEY = "versioned_object.changes";
    public static final String CINDER = "cinder";

    public VersionedObject {
        if (name == null || version == null) {
            throw new OsloProtocolException("versioned object without name or version");
        }
        data = OsloJson.frozenMap(data);
        changes = changes == null ? null : List.copyOf(changes);
    }

    public static VersionedObject of(String name, String version, Map<String, ?> data) {
        return new VersionedObject(name, CINDER, version, OsloJson.frozenMap(data), null);
    }

    /** Reads a primitive dict (values already converted by {@link OsloJson}). */
    public static VersionedObject fromPrimitive(Map<String, Object> p) {
        Object data = p.get(DATA_KEY);
        Object changes = p.get(CHANGES_KEY);
        List<String> ch = null;
        if (changes instanceof List<?> l) {
            ch = new ArrayList<>();
            for (Object o : l) {
                ch.add(String.valueOf(o));
            }
        } else if (changes != null) {
            throw new OsloProtocolException(CHANGES_KEY + " is not a list");
        }
        return new VersionedObject(OsloJson.string(p, NAME_KEY), OsloJson.string(p, NAMESPACE_KEY),
                OsloJson.string(p, VERSION_KEY), OsloJson.dict(data == null ? Map.of() : data, DATA_KEY), ch);
    }

    /** The primitive dict, keys in the order oslo.versionedobjects writes them. */
    public Map<String, Object> toPrimitive() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put(NAME_KEY, name);
        p.put(NAMESPACE_KEY, namespace);
        p.put(VERSION_KEY, version);
        p.put(DATA_KEY, data);
        if (changes != null) {
            p.put(CHANGES_KEY, changes);
        }
        return Collections.unmodifiableMap(p);
    }

    public boolean has(String field) {
        return data.containsKey(field);
    }

    public Object get(String field) {
        return data.get(field);
    }

    public String string(String field) {
        return OsloJson.string(data, field);
    }

    /** The major part of {@link #version()}. */
    public int major() {
        return Integer.parseInt(version.split("\\.")[0]);
    }

    public int minor() {
        String[] p = version.split("\\.");
        return p.length > 1 ? Integer.parseInt(p[1]) : 0;
    }

    /** Raises cinder's IncompatibleObjectVersion-like failure unless this is {@code name} at most {@code maxVersion}. */
    public VersionedObject expect(String expectedName, String maxVersion) {
        if (!expectedName.equals(name)) {
            throw new OsloProtocolException("expected a " + expectedName + " object, got " + name);
        }
        String[] max = maxVersion.split("\\.");
        int maxMajor = Integer.parseInt(max[0]);
        int maxMinor = Integer.parseInt(max[1]);
        if (major() != maxMajor || minor() > maxMinor) {
            throw new IncompatibleObjectVersionException(name, version, maxVersion);
        }
        return this;
    }

    /** oslo.versionedobjects' IncompatibleObjectVersion: the sender must backport to our version. */
    public static final class IncompatibleObjectVersionException extends OsloProtocolException {
        private final String objectName;
        private final String objver;
        private final String supported;

        public IncompatibleObjectVersionException(String objectName, String objver, String supported) {
            super("Version " + objver + " of " + objectName + " is not supported, supported version is "
                    + supported);
            this.objectName = objectName;
            this.objver = objver;
            this.supported = supported;
        }

        public String objectName() {
            return objectName;
        }

        public String objver() {
            return objver;
        }

        public String supported() {
            return supported;
        }
    }
}
