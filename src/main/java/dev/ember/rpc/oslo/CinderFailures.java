package dev.ember.rpc.oslo;

import dev.ember.error.CinderException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps exceptions both ways between Ember and a reply's {@code failure}: a
 * {@link CinderException} becomes the matching {@code cinder.exception} class (recognised by the
 * message cinder's class would produce, else by its kind), so a Python caller re-raises e.g.
 * {@code InvalidBackup_Remote}; a failure from a Python cinder-backup becomes a
 * {@link CinderException} of the right kind, anything else a {@link RemoteRpcException}.
 */
public final class CinderFailures {

    /** Message prefix (as CinderException's factories write them) → cinder.exception class. */
    private static final Map<String, String> PREFIXES = new LinkedHashMap<>();
    /** cinder.exception class → Ember kind. */
    private static final Map<String, CinderException.Kind> KINDS = new LinkedHashMap<>();

    static {
        PREFIXES.put("Invalid backup: ", "InvalidBackup");
        PREFIXES.put("Invalid volume: ", "InvalidVolume");
        PREFIXES.put("Invalid snapshot: ", "InvalidSnapshot");
        PREFIXES.put("Invalid input received: ", "InvalidInput");
        PREFIXES.put("Operation not supported: ", "NotSupportedOperation");
        PREFIXES.put("Backup driver reported an error: ", "BackupDriverException");
        PREFIXES.put("Malformed message body: ", "MalformedRequestBody");

        for (String c : List.of("Invalid", "InvalidBackup", "InvalidVolume", "InvalidSnapshot", "InvalidInput",
                "InvalidParameterValue", "BackupOperationError", "InvalidHost", "InvalidResults",
                "MalformedRequestBody", "ImportFailure")) {
            KINDS.put(c, CinderException.Kind.BAD_REQUEST);
        }
        for (String c : List.of("NotFound", "BackupNotFound", "VolumeNotFound", "SnapshotNotFound",
                "ServiceNotFound", "ImageNotFound")) {
            KINDS.put(c, CinderException.Kind.NOT_FOUND);
        }
        KINDS.put("NotAuthorized", CinderException.Kind.FORBIDDEN);
        KINDS.put("PolicyNotAuthorized", CinderException.Kind.FORBIDDEN);
        KINDS.put("NotSupportedOperation", CinderException.Kind.NOT_SUPPORTED);
        KINDS.put("ServiceUnavailable", CinderException.Kind.SERVICE_UNAVAILABLE);
        for (String c : List.of("OverQuota", "QuotaError", "BackupLimitExceeded", "VolumeSizeExceedsAvailableQuota",
                "VolumeLimitExceeded", "SnapshotLimitExceeded")) {
            KINDS.put(c, CinderException.Kind.OVER_LIMIT);
        }
        KINDS.put("CinderException", CinderException.Kind.INTERNAL);
        KINDS.put("BackupDriverException", CinderException.Kind.INTERNAL);
    }

    private CinderFailures() {
    }

    /** The cinder.exception class name for an Ember exception. */
    public static String cinderClass(CinderException e) {
        String msg = e.getMessage() == null ? "" : e.getMessage();
        for (Map.Entry<String, String> p : PREFIXES.entrySet()) {
            if (msg.startsWith(p.getKey())) {
                return p.getValue();
            }
        }
        if (msg.startsWith("Backup ") && msg.endsWith(" could not be found.")) {
            return "BackupNotFound";
        }
        if (msg.startsWith("Volume ") && msg.endsWith(" could not be found.")) {
            return "VolumeNotFound";
        }
        if (msg.startsWith("Snapshot ") && msg.endsWith(" could not be found.")) {
            return "SnapshotNotFound";
        }
        if (msg.startsWith("Service ") && msg.endsWith(" could not be found.")) {
            return "ServiceNotFound";
        }
        return switch (e.kind()) {
            case BAD_REQUEST, CONFLICT, NOT_ACCEPTABLE -> "Invalid";
            case NOT_FOUND -> "NotFound";
            case FORBIDDEN, UNAUTHORIZED -> "NotAuthorized";
            case NOT_SUPPORTED -> "NotSupportedOperation";
            case OVER_LIMIT -> overLimitClass(msg);
            case SERVICE_UNAVAILABLE -> "ServiceUnavailable";
            case INTERNAL -> "CinderException";
        };
    }

    private static String overLimitClass(String msg) {
        // CinderException.overLimit writes "<Class>: <message>".
        int colon = msg.indexOf(':');
        if (colon > 0 && msg.substring(0, colon).matches("[A-Za-z]+")) {
            return msg.substring(0, colon);
        }
        return "OverQuota";
    }

    /** What a server replies when the endpoint raised {@code t}. */
    public static RemoteFailure toFailure(Throwable t) {
        if (t instanceof CinderException ce) {
            String cls = cinderClass(ce);
            String msg = ce.getMessage();
            if (ce.kind() == CinderException.Kind.OVER_LIMIT && msg != null && msg.startsWith(cls + ": ")) {
                msg = msg.substring(cls.length() + 2);
            }
            return RemoteFailure.cinder(cls, msg);
        }
        if (t instanceof VersionedObject.IncompatibleObjectVersionException iv) {
            Map<String, Object> kw = new LinkedHashMap<>();
            kw.put("objname", iv.objectName());
            kw.put("objver", iv.objver());
            kw.put("supported", iv.supported());
            return new RemoteFailure("IncompatibleObjectVersion", "oslo_versionedobjects.exception", t.getMessage(),
                    List.of("IncompatibleObjectVersion: " + t.getMessage() + "\n"), List.of(), kw);
        }
        if (t instanceof OsloProtocolException) {
            // What a Python endpoint raises when the arguments do not fit its signature.
            return new RemoteFailure("TypeError", "builtins", t.getMessage(),
                    List.of("TypeError: " + t.getMessage() + "\n"), List.of(t.getMessage()), Map.of());
        }
        String msg = t.getMessage() == null ? t.toString() : t.getMessage();
        return new RemoteFailure(t.getClass().getSimpleName(), "ember", msg,
                List.of(t.getClass().getName() + ": " + msg + "\n"), List.of(msg), Map.of());
    }

    /** What a client raises for a failed reply. */
    public static RuntimeException toException(RemoteFailure f) {
        if (RemoteFailure.CINDER_EXCEPTION_MODULE.equals(f.module())) {
            CinderException.Kind kind = KINDS.get(f.className());
            if (kind == null) {
                kind = f.className() != null && f.className().startsWith("Invalid")
                        ? CinderException.Kind.BAD_REQUEST
                        : f.className() != null && f.className().endsWith("NotFound")
                        ? CinderException.Kind.NOT_FOUND : CinderException.Kind.INTERNAL;
            }
            String msg = kind == CinderException.Kind.OVER_LIMIT ? f.className() + ": " + f.message() : f.message();
            return new CinderException(kind, msg);
        }
        return new RemoteRpcException(f);
    }
}
