package dev.ember.api;

import dev.ember.error.CinderException;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A volume API microversion, negotiated from {@code OpenStack-API-Version: volume X.Y}. */
public record Microversion(int major, int minor) implements Comparable<Microversion> {

    public static final Microversion MIN = new Microversion(3, 0);
    public static final Microversion MAX = new Microversion(3, 70);
    public static final String HEADER = "OpenStack-API-Version";

    private static final Pattern FORMAT = Pattern.compile("^([1-9]\\d*)\\.([1-9]\\d*|0)$");
    /** webob's default explanation of a 400, which cinder's FaultWrapper shows for unexpected errors. */
    static final String GENERIC_BAD_REQUEST = "The server could not comply with the request since it is either "
            + "malformed or otherwise incorrect.";

    /**
     * A header cinder refuses. {@code echo} is the version cinder had already recorded on the
     * request when it refused (and so echoes in {@code OpenStack-API-Version}), or null when it
     * refused before recording one: then the fault carries no version headers.
     */
    public static final class NegotiationException extends CinderException {
        private final String echo;

        NegotiationException(Kind kind, String message, String echo) {
            super(kind, message);
            this.echo = echo;
        }

        public String echo() {
            return echo;
        }
    }

    /** Parses {@code X.Y}; anything else is cinder's InvalidAPIVersionString (400, nothing echoed). */
    public static Microversion parse(String s) {
        Matcher m = FORMAT.matcher(s);
        if (!m.matches()) {
            throw new NegotiationException(CinderException.Kind.BAD_REQUEST, "API Version String " + s
                    + " is of invalid format. Must be of format MajorNum.MinorNum.", null);
        }
        try {
            return new Microversion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
        } catch (NumberFormatException e) {
            // Digits beyond int range: well-formed (Python has no limit), certainly out of range.
            throw outOfRange(s);
        }
    }

    /**
     * cinder's negotiation (wsgi.Request.set_api_version_request in 21.3): header absent → 3.0.
     * Present, the value is split on commas and the first item that contains "volume" (a
     * case-sensitive substring test: "volumes 3.5" counts, "Volume 3.5" does not) decides; it must
     * be exactly two whitespace-separated words. No such item (another service's header, or an
     * empty value) is VersionNotFoundForAPIMethod, which escapes to cinder's FaultWrapper: 400
     * with webob's generic text and no version headers. {@code latest} (lower case only) → max;
     * a malformed version → 400 InvalidAPIVersionString; out of [3.0, 3.70] → 406, echoing the
     * version asked for.
     */
    public static Microversion negotiate(String header) {
        if (header == null) {
            return MIN;
        }
        String chosen = null;
        for (String item : header.split(",", -1)) {
            if (item.contains("volume")) {
                String[] words = item.strip().split("\\s+");
                if (words.length != 2) {
                    // cinder's tuple unpacking fails here and it answers 500; a malformed header is
                    // bad input, so Ember answers its generic 400 instead (deliberate-differences.md).
                    throw new NegotiationException(CinderException.Kind.BAD_REQUEST, GENERIC_BAD_REQUEST, null);
                }
                chosen = words[1];
                break;
            }
        }
        if (chosen == null) {
            throw new NegotiationException(CinderException.Kind.BAD_REQUEST, GENERIC_BAD_REQUEST, null);
        }
        if (chosen.equals("latest")) {
            return MAX;
        }
        Microversion v = parse(chosen);
        if (v.compareTo(MIN) < 0 || v.compareTo(MAX) > 0) {
            throw outOfRange(chosen);
        }
        return v;
    }

    private static NegotiationException outOfRange(String v) {
        // cinder records the version before checking its range, so the 406 echoes it, except
        // where its _is_legacy_endpoint test ("1.0" or "2.0" in the string) suppresses the headers.
        String echo = v.contains("1.0") || v.contains("2.0") ? null : v;
        return new NegotiationException(CinderException.Kind.NOT_ACCEPTABLE, "Version " + v
                + " is not supported by the API. Minimum is " + MIN + " and maximum is " + MAX + ".", echo);
    }

    public boolean atLeast(int maj, int min) {
        return compareTo(new Microversion(maj, min)) >= 0;
    }

    @Override
    public int compareTo(Microversion o) {
        return major != o.major ? Integer.compare(major, o.major) : Integer.compare(minor, o.minor);
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
