package dev.ember.testing;

import dev.ember.Ember;
import dev.ember.config.Config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * One Ember started in-process for the API tests, on a free port, with the posix driver and
 * file volumes in a temporary directory and the real test database (reset once per JVM).
 */
public final class EmberServer {

    private static EmberServer shared;

    public final Ember ember;
    public final Path stateDir;
    public final Api api;

    private EmberServer(Ember ember, Path stateDir) {
        this.ember = ember;
        this.stateDir = stateDir;
        this.api = new Api("http://127.0.0.1:" + ember.port());
    }

    public static synchronized EmberServer shared() throws Exception {
        if (shared == null) {
            TestDatabase.reset();
            shared = start(baseConfig(Files.createTempDirectory("ember-test")));
            Runtime.getRuntime().addShutdownHook(new Thread(shared.ember::close));
        }
        return shared;
    }

    public static Config baseConfig(Path stateDir) {
        return Config.empty()
                .with("DEFAULT", "state_path", stateDir.toString())
                .with("DEFAULT", "host", "ember-test")
                .with("DEFAULT", "auth_strategy", "noauth")
                .with("DEFAULT", "backup_driver", "cinder.backup.drivers.posix.PosixBackupDriver")
                .with("DEFAULT", "backup_posix_path", stateDir.resolve("backup").toString())
                .with("DEFAULT", "volumes_dir", stateDir.resolve("volumes").toString())
                .with("DEFAULT", "osapi_volume_listen", "127.0.0.1")
                .with("DEFAULT", "osapi_volume_listen_port", "0")
                .with("DEFAULT", "backup_file_size", String.valueOf(4 * 1024 * 1024))
                .with("DEFAULT", "backup_sha_block_size_bytes", "32768")
                .with("database", "connection", TestDatabase.sqlAlchemyUrl());
    }

    /** The Ceph profile's options: RBD volumes and the Ceph backup driver on {@code cephConf}, as client.cinder. */
    public static List<String> cephOptions(Path cephConf) {
        return List.of(
                "volume_backend = rbd",
                "rbd_ceph_conf = " + cephConf,
                "rbd_user = cinder",
                "backup_driver = cinder.backup.drivers.ceph.CephBackupDriver",
                "backup_ceph_conf = " + cephConf,
                "backup_ceph_user = cinder");
    }

    /** {@code config} with the [DEFAULT] options of {@link #cephOptions}. */
    public static Config withCeph(Config config, Path cephConf) {
        Config out = config;
        for (String line : cephOptions(cephConf)) {
            String[] kv = line.split(" = ", 2);
            out = out.with("DEFAULT", kv[0], kv[1]);
        }
        return out;
    }

    public static EmberServer start(Config config) throws Exception {
        Path state = Path.of(config.get("state_path", null));
        return new EmberServer(Ember.start(config), state);
    }

    public Path volumeFile(String volumeId) {
        return stateDir.resolve("volumes").resolve("volume-" + volumeId);
    }
}
