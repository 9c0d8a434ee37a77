package dev.ember.driver.rbd;

import dev.ember.ceph.CephCluster;
import dev.ember.ceph.CephException;
import dev.ember.ceph.ImageNotFoundException;
import dev.ember.ceph.Pool;
import dev.ember.ceph.RbdImage;
import dev.ember.ceph.Snapshot;
import dev.ember.device.rbd.RbdDevice;
import dev.ember.device.rbd.SourceKind;
import dev.ember.driver.BackupOutcome;
import dev.ember.driver.BackupRef;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The real one-node cluster for the RBD driver tests: pools {@code volumes} and {@code backups},
 * user {@code cinder}. {@code EMBER_CEPH_CONF} points at a running cluster; otherwise
 * {@code devstack/ceph start} of the checkout is run (fast when already up) and its
 * {@code data/ceph/ceph.conf} used. {@code EMBER_SKIP_CEPH_TESTS=1} skips. Every volume made
 * here uses a random id and everything named after it is removed by {@link #close()}.
 */
public final class RbdFixture implements AutoCloseable {
    static final long MIB = 1 << 20;

    final CephCluster cluster;
    final Pool volumes;
    final Pool backups;
    private final List<String> volumeIds = new ArrayList<>();
    private final List<String> backupIds = new ArrayList<>();
    private final List<String> extraImages = new ArrayList<>();
    private final Random random = new Random(42);

    RbdFixture() throws CephException {
        cluster = CephCluster.connect(conf(), "cinder");
        volumes = cluster.openPool("volumes");
        backups = cluster.openPool("backups");
    }

    /** The cluster config to use (starts the checkout's devstack cluster when needed). */
    public static Path conf() {
        return dev.ember.testing.LocalCeph.conf();
    }

    RbdBackupDriver driver(BaseLayout layout) {
        return new RbdBackupDriver(RbdOptions.defaults(conf()).withLayout(layout).withChunkSize(8 * MIB));
    }

    // ----------------------------------------------------------------- volumes ---

    /** A new volume id with image {@code volumes/volume-<id>} of {@code size} bytes (cinder's default features). */
    String newVolume(long size) throws CephException {
        String id = UUID.randomUUID().toString();
        volumeIds.add(id);
        volumes.createImage(ImageNames.volume(id), size);
        return id;
    }

    /** Takes an existing volume id (e.g. a golden backup's) into this fixture's clean-up. */
    String adoptVolume(String id) {
        volumeIds.add(id);
        return id;
    }

    /** Takes a backup id into the clean-up of {@code backup.<id>.meta}. */
    String adoptBackup(String id) {
        backupIds.add(id);
        return id;
    }

    String newBackupId() {
        String id = UUID.randomUUID().toString();
        backupIds.add(id);
        return id;
    }

    void track(String pool, String image) {
        extraImages.add(pool + "/" + image);
    }

    /** The live volume as the Ceph volume backend hands it over. */
    RbdDevice live(String volumeId) throws CephException {
        String name = ImageNames.volume(volumeId);
        return new RbdDevice(volumes, name, volumeId, SourceKind.LIVE_VOLUME, volumes.openImage(name), null);
    }

    /** A temporary copy of the volume (what an in-use backup reads), removed when the device closes. */
    RbdDevice temporaryClone(String volumeId) throws IOException {
        String tmp = ImageNames.volume(UUID.randomUUID().toString());
        String src = ImageNames.volume(volumeId);
        try (RbdImage from = volumes.openImageReadOnly(src, null)) {
            long size = from.size();
            volumes.createImage(tmp, size);
            track("volumes", tmp);
            try (RbdImage to = volumes.openImage(tmp)) {
                ByteBuffer buf = ByteBuffer.allocate((int) (4 * MIB));
                for (long off = 0; off < size; off += buf.capacity()) {
                    buf.clear().limit((int) Math.min(buf.capacity(), size - off));
                    from.read(off, buf);
                    buf.flip();
                    to.write(off, buf);
                }
            }
        }
        return new RbdDevice(volumes, tmp, volumeId, SourceKind.TEMPORARY_CLONE, volumes.openImage(tmp),
                () -> volumes.removeImage(tmp));
    }

    /** Writes {@code count} random pieces of up to {@code maxLen} bytes at random offsets. */
    void scribble(String volumeId, int count, int maxLen) throws CephException {
        try (RbdImage img = volumes.openImage(ImageNames.volume(volumeId))) {
            long size = img.size();
            for (int i = 0; i < count; i++) {
                int len = 1 + random.nextInt(maxLen);
                long off = (long) (random.nextDouble() * (size - len));
                byte[] b = new byte[len];
                random.nextBytes(b);
                img.write(off, b);
            }
        }
    }

    void write(String pool, String image, long offset, byte[] data) throws CephException {
        try (RbdImage img = pool(pool).openImage(image)) {
            img.write(offset, data);
        }
    }

    byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    Pool pool(String name) {
        return name.equals("volumes") ? volumes : backups;
    }

    // ------------------------------------------------------------------ checks ---

    /** sha256 of the image (at {@code snap} when not null) over its whole size. */
    String sha(Pool pool, String image, String snap) throws Exception {
        try (RbdImage img = pool.openImageReadOnly(image, snap)) {
            return shaOf(img);
        }
    }

    static String shaOf(RbdImage img) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        long size = img.size();
        ByteBuffer buf = ByteBuffer.allocateDirect((int) (4 * MIB));
        for (long off = 0; off < size; off += buf.capacity()) {
            buf.clear().limit((int) Math.min(buf.capacity(), size - off));
            img.read(off, buf);
            buf.flip();
            md.update(buf);
        }
        md.update(Long.toString(size).getBytes(StandardCharsets.US_ASCII));
        return HexFormat.of().formatHex(md.digest());
    }

    String volumeSha(String volumeId) throws Exception {
        return sha(volumes, ImageNames.volume(volumeId), null);
    }

    List<String> snaps(Pool pool, String image) throws CephException {
        try (RbdImage img = pool.openImageReadOnly(image, null)) {
            return img.listSnapshots().stream().map(Snapshot::name).toList();
        }
    }

    List<String> sourceSnaps(String volumeId) throws CephException {
        return snaps(volumes, ImageNames.volume(volumeId));
    }

    /** Images of the backups pool that belong to the volume, with their snapshots. */
    TreeMap<String, List<String>> backupImages(String volumeId) throws CephException {
        TreeMap<String, List<String>> out = new TreeMap<>();
        for (String image : backups.listImages()) {
            if (image.startsWith(ImageNames.volume(volumeId) + ".")) {
                out.put(image, snaps(backups, image));
            }
        }
        return out;
    }

    static BackupRef ref(String id, String volumeId, String parentId) {
        return new BackupRef(id, volumeId, 1, null, null, "backup " + id.substring(0, 4), "test backup",
                LocalDateTime.now(), parentId);
    }

    static BackupRef stored(BackupRef ref, BackupOutcome outcome) {
        String parent = outcome.parent() instanceof BackupOutcome.ParentLink.Parent p ? p.id() : ref.parentId();
        return new BackupRef(ref.id(), ref.volumeId(), ref.sizeGb(), outcome.container(), outcome.serviceMetadata(),
                ref.displayName(), ref.displayDescription(), ref.createdAt(), parent);
    }

    // --------------------------------------------------------------------- CLI ---

    /** Runs a shell pipeline of rbd commands ({@code $RBD} = {@code rbd -c <conf> --id cinder}); fails on error. */
    static String sh(String pipeline) throws Exception {
        Process p = new ProcessBuilder("bash", "-o", "pipefail", "-c", pipeline)
                .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("command failed: " + pipeline + "\n" + out);
        }
        return out;
    }

    static String rbd() {
        return "rbd -c " + conf() + " --id cinder";
    }

    // ----------------------------------------------------------------- cleanup ---

    @Override
    public void close() {
        try {
            for (String vid : volumeIds) {
                for (String image : backups.listImages()) {
                    if (image.startsWith(ImageNames.volume(vid) + ".")) {
                        removeQuietly(backups, image);
                    }
                }
                removeQuietly(volumes, ImageNames.volume(vid));
            }
            for (String spec : extraImages) {
                String[] pi = spec.split("/", 2);
                removeQuietly(pool(pi[0]), pi[1]);
            }
            for (String bid : backupIds) {
                try {
                    backups.removeObject(ImageNames.meta(bid));
                } catch (CephException e) {
                    // not there
                }
            }
        } catch (CephException e) {
            System.err.println("cleanup failed: " + e.getMessage());
        } finally {
            cluster.close();
        }
    }

    static void removeQuietly(Pool pool, String name) {
        dev.ember.testing.LocalCeph.removeImageQuietly(pool, name);
    }
}
