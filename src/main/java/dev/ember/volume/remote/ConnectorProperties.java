package dev.ember.volume.remote;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The connector dict cinder-backup sends with initialize_connection / terminate_connection: what
 * {@code os_brick.initiator.connector.get_connector_properties(root_helper, my_ip, multipath=False,
 * enforce_multipath=False)} returns on a host that attaches RBD volumes through librbd (no local
 * attach): {@code platform}, {@code os_type}, {@code ip}, {@code host}, {@code multipath},
 * {@code initiator} (only when an iSCSI initiator name is configured), {@code do_local_attach: false}.
 */
public final class ConnectorProperties {

    private ConnectorProperties() {
    }

    /** {@code platform.machine()} for the running JVM. */
    static String platform() {
        String arch = System.getProperty("os.arch", "x86_64");
        return switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            case "arm64", "aarch64" -> "aarch64";
            default -> arch;
        };
    }

    static String hostname() {
        try {
            String h = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
            if (!h.isEmpty()) {
                return h;
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    static String iscsiInitiator() {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/iscsi/initiatorname.iscsi"))) {
                String l = line.trim();
                if (l.startsWith("InitiatorName=")) {
                    return l.substring("InitiatorName=".length()).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // no open-iscsi: os-brick leaves the key out
        }
        return null;
    }

    /** The properties for {@code my_ip} ({@code [DEFAULT] my_ip}). */
    public static Map<String, Object> of(String myIp) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("platform", platform());
        p.put("os_type", "linux");
        p.put("ip", myIp);
        p.put("host", hostname());
        p.put("multipath", false);
        String initiator = iscsiInitiator();
        if (initiator != null) {
            p.put("initiator", initiator);
        }
        p.put("do_local_attach", false);
        return Map.copyOf(p);
    }
}
