package dev.ember.driver.chunked;

/**
 * Rules for names that end up as file-system paths. Containers come from users (the API's
 * {@code container} field) and object names from the database, so both are checked before they
 * are resolved against a backup root: a name must never reach outside it.
 */
final class StoreNames {

    /** Temporary files start with this; object names may not, so listings never see them. */
    static final String RESERVED_PREFIX = ".";

    private static final int MAX_SEGMENT = 255;
    private static final int MAX_CONTAINER = 1024;

    private StoreNames() {
    }

    /** A container is a relative path of plain segments: {@code a}, {@code ab/cd/<uuid>}. */
    static String checkContainer(String container) throws InvalidObjectNameException {
        if (container == null || container.isEmpty()) {
            throw new InvalidObjectNameException("Invalid backup container: the name is empty");
        }
        if (container.length() > MAX_CONTAINER) {
            throw invalidContainer(container, "it is longer than " + MAX_CONTAINER + " characters");
        }
        if (container.indexOf('\0') >= 0) {
            throw invalidContainer(container, "it contains a NUL character");
        }
        if (container.startsWith("/")) {
            throw invalidContainer(container, "absolute paths are not allowed");
        }
        for (String segment : container.split("/", -1)) {
            if (segment.isEmpty()) {
                throw invalidContainer(container, "it contains an empty path segment");
            }
            if (segment.equals(".") || segment.equals("..")) {
                throw invalidContainer(container, "'.' and '..' path segments are not allowed");
            }
            if (segment.length() > MAX_SEGMENT) {
                throw invalidContainer(container, "a path segment is longer than " + MAX_SEGMENT + " characters");
            }
        }
        return container;
    }

    /** An object name is a single plain path segment that does not collide with temporary files. */
    static String checkObject(String name) throws InvalidObjectNameException {
        if (name == null || name.isEmpty()) {
            throw new InvalidObjectNameException("Invalid backup object name: the name is empty");
        }
        if (name.indexOf('\0') >= 0 || name.indexOf('/') >= 0) {
            throw invalidObject(name, "it contains '/' or a NUL character");
        }
        if (name.startsWith(RESERVED_PREFIX)) {
            throw invalidObject(name, "names starting with '" + RESERVED_PREFIX + "' are reserved");
        }
        if (name.length() > MAX_SEGMENT) {
            throw invalidObject(name, "it is longer than " + MAX_SEGMENT + " characters");
        }
        return name;
    }

    private static InvalidObjectNameException invalidContainer(String container, String why) {
        return new InvalidObjectNameException("Invalid backup container '" + printable(container)
                + "': " + why + "; a container must be a relative path inside the backup repository");
    }

    private static InvalidObjectNameException invalidObject(String name, String why) {
        return new InvalidObjectNameException("Invalid backup object name '" + printable(name) + "': " + why);
    }

    /** Keeps control characters out of messages that end up in fail_reason and logs. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        int limit = Math.min(s.length(), 200);
        for (int i = 0; i < limit; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return limit < s.length() ? b.append("...").toString() : b.toString();
    }
}
