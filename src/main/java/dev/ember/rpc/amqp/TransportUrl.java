package dev.ember.rpc.amqp;

import com.rabbitmq.client.Address;
import io.vertx.rabbitmq.RabbitMQOptions;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * oslo.messaging's {@code transport_url}: {@code rabbit://user:pass@host:port[,user:pass@host2:port2]/vhost?opts}.
 * As kombu reads it, an empty path and a lone {@code /} both mean virtual host {@code /}; the path
 * is percent-decoded, so {@code /%2F} is {@code /} too. Hosts without credentials use the first
 * host's; a missing port is 5672. Converts to Vert.x {@link RabbitMQOptions} field by field (not
 * as an AMQP URI, which would turn an empty path into vhost "").
 */
public record TransportUrl(String scheme, List<Host> hosts, String virtualHost, Map<String, String> query) {

    public static final int DEFAULT_PORT = 5672;

    /** One broker of the URL. */
    public record Host(String host, int port, String username, String password) {
        @Override
        public String toString() {
            return (username == null ? "" : username + ":***@") + host + ":" + port;
        }
    }

    public TransportUrl {
        hosts = List.copyOf(hosts);
        query = Collections.unmodifiableMap(new LinkedHashMap<>(query));
    }

    public static TransportUrl parse(String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("transport_url is empty");
        }
        String s = url.strip();
        int schemeEnd = s.indexOf("://");
        if (schemeEnd <= 0) {
            throw new IllegalArgumentException("transport_url has no scheme: " + redact(s));
        }
        String scheme = s.substring(0, schemeEnd);
        if (!scheme.equals("rabbit") && !scheme.startsWith("rabbit+")
                && !scheme.startsWith("kombu+")) {
            throw new IllegalArgumentException("unsupported transport scheme " + scheme
                    + " (only rabbit:// is supported)");
        }
        String rest = s.substring(schemeEnd + 3);
        Map<String, String> query = new LinkedHashMap<>();
        int q = rest.indexOf('?');
        if (q >= 0) {
            for (String kv : rest.substring(q + 1).split("&")) {
                if (kv.isEmpty()) {
                    continue;
                }
                int eq = kv.indexOf('=');
                query.put(decode(eq < 0 ? kv : kv.substring(0, eq)), eq < 0 ? "" : decode(kv.substring(eq + 1)));
            }
            rest = rest.substring(0, q);
        }
        // The netloc ends at the first '/' after the last '@' (passwords may contain '/' only percent-encoded).
        int slash = rest.indexOf('/', Math.max(0, rest.lastIndexOf('@')));
        String netloc = slash < 0 ? rest : rest.substring(0, slash);
        String path = slash < 0 ? "" : rest.substring(slash + 1);
        String vhost = decode(path);
        if (vhost.isEmpty()) {
            vhost = "/";
        }
        List<Host> hosts = new ArrayList<>();
        String defUser = null;
        String defPass = null;
        for (String part : netloc.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            String user = null;
            String pass = null;
            String hostPort = part;
            int at = part.lastIndexOf('@');
            if (at >= 0) {
                String cred = part.substring(0, at);
                hostPort = part.substring(at + 1);
                int colon = cred.indexOf(':');
                user = decode(colon < 0 ? cred : cred.substring(0, colon));
                pass = colon < 0 ? "" : decode(cred.substring(colon + 1));
            }
            String host;
            int port = DEFAULT_PORT;
            if (hostPort.startsWith("[")) {
                int end = hostPort.indexOf(']');
                if (end < 0) {
                    throw new IllegalArgumentException("bad IPv6 host in transport_url: " + redact(s));
                }
                host = hostPort.substring(1, end);
                if (hostPort.length() > end + 1 && hostPort.charAt(end + 1) == ':') {
                    port = port(hostPort.substring(end + 2), s);
                }
            } else {
                int colon = hostPort.lastIndexOf(':');
                host = colon < 0 ? hostPort : hostPort.substring(0, colon);
                if (colon >= 0) {
                    port = port(hostPort.substring(colon + 1), s);
                }
            }
            if (host.isEmpty()) {
                host = "localhost";
            }
            if (user == null) {
                user = defUser;
                pass = defPass;
            } else if (defUser == null) {
                defUser = user;
                defPass = pass;
            }
            hosts.add(new Host(host, port, user, pass));
        }
        if (hosts.isEmpty()) {
            hosts.add(new Host("localhost", DEFAULT_PORT, null, null));
        }
        // kombu's defaults for missing credentials.
        List<Host> filled = new ArrayList<>();
        for (Host h : hosts) {
            filled.add(h.username() == null ? new Host(h.host(), h.port(), "guest", "guest") : h);
        }
        return new TransportUrl(scheme, filled, vhost, query);
    }

    private static int port(String p, String url) {
        if (p.isEmpty()) {
            return DEFAULT_PORT;
        }
        try {
            int v = Integer.parseInt(p);
            if (v <= 0 || v > 65535) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port '" + p + "' in transport_url " + redact(url));
        }
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** The URL with passwords hidden, for logs. */
    public static String redact(String url) {
        return url == null ? null : url.replaceAll("(://|,)([^:@/,]*):[^@/,]*@", "$1$2:***@");
    }

    public String username() {
        return hosts.get(0).username();
    }

    public String password() {
        return hosts.get(0).password();
    }

    /** Vert.x client options: every host as an address (tried in order), credentials and vhost of the first. */
    public RabbitMQOptions toOptions() {
        RabbitMQOptions o = new RabbitMQOptions();
        o.setUri(null);
        List<Address> addresses = new ArrayList<>();
        for (Host h : hosts) {
            addresses.add(new Address(h.host(), h.port()));
        }
        o.setAddresses(addresses);
        o.setHost(hosts.get(0).host());
        o.setPort(hosts.get(0).port());
        o.setUser(username());
        o.setPassword(password());
        o.setVirtualHost(virtualHost);
        return o;
    }

    @Override
    public String toString() {
        return scheme + "://" + String.join(",", hosts.stream().map(Host::toString).toList()) + "/"
                + ("/".equals(virtualHost) ? "" : virtualHost);
    }
}
