package dev.ember.db;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * cinder.conf's {@code [database] connection} (an SQLAlchemy URL such as
 * {@code mysql+pymysql://cinder:secret@127.0.0.1:3306/cinder?charset=utf8}) translated to JDBC.
 * {@link #toString()} never shows the password, so the value is safe to log.
 */
public record SqlAlchemyUrl(String jdbcUrl, String user, String password) {

    public static SqlAlchemyUrl parse(String url) {
        if (url.startsWith("jdbc:")) {
            return new SqlAlchemyUrl(url, null, null);
        }
        int scheme = url.indexOf("://");
        if (scheme < 0) {
            throw new IllegalArgumentException("[database] connection: not a URL (expected mysql+pymysql://user:pass@host/db)");
        }
        String dialect = url.substring(0, scheme);
        if (!dialect.startsWith("mysql") && !dialect.startsWith("mariadb")) {
            throw new IllegalArgumentException("[database] connection: only MySQL/MariaDB URLs are supported, got " + dialect);
        }
        URI uri = URI.create("mysql" + url.substring(scheme));
        String user = null;
        String password = null;
        if (uri.getRawUserInfo() != null) {
            String info = uri.getRawUserInfo();
            int colon = info.indexOf(':');
            user = decode(colon < 0 ? info : info.substring(0, colon));
            password = colon < 0 ? null : decode(info.substring(colon + 1));
        }
        String host = uri.getHost() == null ? "localhost" : uri.getHost();
        int port = uri.getPort() < 0 ? 3306 : uri.getPort();
        String db = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
        String jdbc = "jdbc:mariadb://" + host + ":" + port + "/" + db;
        return new SqlAlchemyUrl(jdbc, user, password);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return jdbcUrl + " as " + user;
    }
}
