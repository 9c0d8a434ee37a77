package dev.ember.rpc.notify;

import dev.ember.config.Config;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code [oslo_messaging_notifications]}: {@code driver} (multi-valued; {@code messagingv2} = v2
 * envelope, {@code messaging} = v1 bare dict, {@code log} = Ember's log, {@code noop}/empty = off),
 * {@code topics} (default {@code notifications}), {@code transport_url} (default: the RPC one).
 */
public record NotificationSettings(List<String> drivers, List<String> topics, String transportUrl) {

    public static final String SECTION = "oslo_messaging_notifications";

    public static NotificationSettings fromConfig(Config c) {
        List<String> drivers = new ArrayList<>();
        for (String d : c.getList(SECTION, "driver")) {
            if (!d.isBlank()) {
                drivers.add(d.trim());
            }
        }
        List<String> topics = new ArrayList<>();
        for (String t : c.getList(SECTION, "topics")) {
            if (!t.isBlank()) {
                topics.add(t.trim());
            }
        }
        if (topics.isEmpty()) {
            topics.add("notifications");
        }
        return new NotificationSettings(List.copyOf(drivers), List.copyOf(topics),
                c.find(SECTION, "transport_url").orElse(null));
    }

    /** Whether a messaging driver (v1 or v2) is configured. */
    public boolean messaging() {
        return drivers.stream().anyMatch(d -> d.equals("messagingv2") || d.equals("messaging"));
    }

    /** v2 envelope unless only the v1 {@code messaging} driver is configured. */
    public boolean envelope() {
        return drivers.contains("messagingv2") || !drivers.contains("messaging");
    }

    public boolean log() {
        return drivers.contains("log");
    }
}
