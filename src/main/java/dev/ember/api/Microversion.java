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

    public static Microversion parse(String s) {
        Matcher m = FORMAT.matcher(s);
        if (!m.matches()) {
            throw CinderException.badRequest("API Version String " + s
                    + " is of invalid format. Must be of format MajorNum.MinorNum.");
        }
        try {
            return new Microversion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
        } catch (NumberFormatException e) {
            // Digits beyond int range: well-formed, but certainly not a supported version.
            throw new CinderException(CinderException.Kind.NOT_ACCEPTABLE, "Version " + s
                    + " is not supported by the API. Minimum is " + MIN + " and maximum is " + MAX + ".");
        }
    }

    /**
     * cinder's negotiation: absent header → 3.0; the first comma-separated item naming
     * {@code volume} decides; {@code latest} → max; out of range → 406.
     */
    public static Microversion negotiate(String header) {
        if (header == null || header.isBlank()) {
            return MIN;
        }
        String chosen = null;
        for (String item : header.split(",")) {
            String[] parts = item.strip().split("\\s+");
            if (parts.length >= 1 && parts[0].equalsIgnoreCase("volume")) {
                chosen = parts.length >= 2 ? parts[1] : "";
                break;
            }
        }
        if (chosen == null) {
            // No item for this service: the header is for someone else, use the minimum.
            return MIN;
        }
        if (chosen.equalsIgnoreCase("latest")) {
            return MAX;
        }
        Microversion v = parse(chosen);
        if (v.compareTo(MIN) < 0 || v.compareTo(MAX) > 0) {
            throw new CinderException(CinderException.Kind.NOT_ACCEPTABLE, "Version " + v
                    + " is not supported by the API. Minimum is " + MIN + " and maximum is " + MAX + ".");
        }
        return v;
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
