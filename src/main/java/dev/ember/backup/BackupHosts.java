package dev.ember.backup;

import dev.ember.db.Database;
import dev.ember.db.ServiceRepository;
import dev.ember.error.CinderException;
import dev.ember.model.Backup;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks the cinder-backup host for a request among the up services, as cinder-api and the
 * scheduler do (random among the live hosts of the availability zone, or the backup's own host
 * when it is still up).
 */
public final class BackupHosts {

    private final Database db;
    private final ServiceRepository services;
    private final int serviceDownTime;
    private final String onlyHost;

    /**
     * @param onlyHost when the transport can only reach this process (in-process RPC), the one
     *                 host that may be picked; null when any up host is reachable (a broker)
     */
    public BackupHosts(Database db, ServiceRepository services, int serviceDownTime, String onlyHost) {
        this.db = db;
        this.services = services;
        this.serviceDownTime = serviceDownTime;
        this.onlyHost = onlyHost;
    }

    public List<String> upHosts(String zone) {
        return db.tx(dsl -> services.upBackupServices(dsl, serviceDownTime)).stream()
                .filter(s -> onlyHost == null || onlyHost.equals(s.host()))
                .filter(s -> zone == null || s.availabilityZone() == null || zone.equals(s.availabilityZone()))
                .map(ServiceRepository.ServiceRow::host)
                .toList();
    }

    /**
     * The zone to find a host in for work on {@code b}. cinder uses the backup's own zone, which
     * its API (and so Ember) leaves empty, and then takes a live host in any zone. Ember keeps
     * the work in the zone of the host that wrote the backup while that zone has a live host (a
     * subset of cinder's choice, and what keeps hosts of separate deployments sharing a
     * database apart), and otherwise takes any zone, as cinder does.
     */
    public String zoneOf(Backup b) {
        if (b.availabilityZone() != null || b.host() == null) {
            return b.availabilityZone();
        }
        String hostZone = db.tx(dsl -> services.zoneOf(dsl, b.host())).orElse(null);
        return hostZone != null && !upHosts(hostZone).isEmpty() ? hostZone : null;
    }

    /** A live host, preferring {@code preferred}; none → cinder's "Service cinder-backup could not be found." */
    public String pick(String preferred, String zone) {
        List<String> up = upHosts(zone);
        if (up.isEmpty()) {
            throw CinderException.serviceNotFound();
        }
        if (preferred != null && up.contains(preferred)) {
            return preferred;
        }
        return anyOf(up);
    }

    /** One of {@code up} at random, or null when there is none (the create path then errors the backup). */
    public static String anyOf(List<String> up) {
        return up.isEmpty() ? null : up.get(ThreadLocalRandom.current().nextInt(up.size()));
    }
}
