package dev.ember.bench;

import dev.ember.ceph.AioCompletion;
import dev.ember.ceph.CephCluster;
import dev.ember.ceph.CephException;
import dev.ember.ceph.ImageNotFoundException;
import dev.ember.ceph.Pool;
import dev.ember.ceph.RbdImage;
import dev.ember.ceph.Snapshot;
import dev.ember.driver.BackupOutcome;
import dev.ember.driver.BackupRef;
import dev.ember.driver.rbd.BaseLayout;
import dev.ember.driver.rbd.ImageNames;
import dev.ember.driver.rbd.RbdBackupDriver;
import dev.ember.device.rbd.RbdDevice;
import dev.ember.driver.rbd.RbdOptions;
import dev.ember.device.rbd.SourceKind;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.LocalDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * {@code ember bench}: the RBD backup driver against the {@code rbd} CLI on a running cluster.
 * One run: fill a volume completely (2 GiB by default), then time
 * <ol>
 *   <li>an Ember full backup, an Ember incremental after 1 % random 4 KiB writes, an Ember
 *       restore of it into a new volume;</li>
 *   <li>the same three with {@code rbd export-diff | rbd import-diff} (what cinder runs);</li>
 *   <li>the full backup and the restore with {@code rbd export | rbd import};</li>
 * </ol>
 * and print each figure and the ratios. Everything it creates is removed at the end.
 *
 * <p>Usage: {@code ember bench [ceph.conf] [--size-mib N] [--user cinder] [--volumes-pool volumes]
 * [--backups-pool backups] [--verify]} (conf default {@code data/ceph/ceph.conf}).
 */
public final class RbdBench {

    private static final long MIB = 1L << 20;
    private static final int IO = 4 << 20;

    private final Path conf;
    private final String user;
    private final String volumesPool;
    private final String backupsPool;
    private final long size;
    private final boolean verify;
    private final PrintStream out;

    private final List<String[]> created = new java.util.concurrent.CopyOnWriteArrayList<>(); // {pool, image}
    private final List<String> metaObjects = new java.util.concurrent.CopyOnWriteArrayList<>();

    public RbdBench(Path conf, String user, String volumesPool, String backupsPool, long size, boolean verify,
                    PrintStream out) {
        this.conf = conf;
        this.user = user;
        this.volumesPool = volumesPool;
        this.backupsPool = backupsPool;
        this.size = size;
        this.verify = verify;
        this.out = out;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out));
    }

    /** Parses the arguments and runs; returns the exit status. */
    public static int run(String[] args, PrintStream out) {
        Path conf = Path.of("data/ceph/ceph.conf");
        String user = "cinder";
        String volumes = "volumes";
        String backups = "backups";
        long size = 2048 * MIB;
        boolean verify = false;
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--size-mib" -> size = Long.parseLong(args[++i]) * MIB;
                    case "--user" -> user = args[++i];
                    case "--volumes-pool" -> volumes = args[++i];
                    case "--backups-pool" -> backups = args[++i];
                    case "--verify" -> verify = true;
                    case "-h", "--help" -> {
                        out.println("usage: ember bench [ceph.conf] [--size-mib N] [--user cinder] "
                                + "[--volumes-pool volumes] [--backups-pool backups] [--verify]");
                        return 0;
                    }
                    default -> {
                        if (a.startsWith("-")) {
                            throw new IllegalArgumentException("unknown option " + a);
                        }
                        conf = Path.of(a);
                    }
                }
            }
        } catch (RuntimeException e) {
            out.println("ember bench: " + e.getMessage());
            return 2;
        }
        if (!Files.isReadable(conf)) {
            out.println("ember bench: cannot read " + conf + " (start the cluster with devstack/ceph start)");
            return 2;
        }
        try {
            new RbdBench(conf, user, volumes, backups, size, verify, out).run();
            return 0;
        } catch (Exception e) {
            out.println("ember bench failed: " + e);
            return 1;
        }
    }

    /** The figures of one run, in seconds. */
    public record Figures(Map<String, Double> seconds) {
    }

    /**
     * Runs the whole comparison. Images are removed as soon as their figure is taken (and the
     * content checked with {@code --verify}), so at most three volume-sized images exist at once
     * besides the source: the test cluster's OSD is small and shared.
     */
    public Figures run() throws Exception {
        Map<String, Double> t = new LinkedHashMap<>();
        String vid = UUID.randomUUID().toString();
        String vol = ImageNames.volume(vid);
        String emberBase = ImageNames.legacyBase(vid);
        String cliBase = vol + ".bench-cli";
        String expImage = vol + ".bench-export";
        RbdOptions defaults = RbdOptions.defaults(conf);
        RbdOptions options = new RbdOptions(conf, user, backupsPool, defaults.chunkSize(), 0, 0, false, true,
                BaseLayout.SINGLE_BASE, defaults.ioSize(), defaults.inFlight());
        out.printf(Locale.ROOT, "ember bench: %d MiB volume, cluster %s, user %s, pools %s -> %s%n",
                size / MIB, conf, user, volumesPool, backupsPool);
        Thread hook = new Thread(this::cleanupWithOwnConnection, "ember-bench-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        try (CephCluster cluster = CephCluster.connect(conf, user);
             Pool volumes = cluster.openPool(volumesPool);
             Pool backups = cluster.openPool(backupsPool);
             RbdBackupDriver driver = new RbdBackupDriver(options)) {
            try {
                create(volumes, vol);
                long t0 = System.nanoTime();
                fill(volumes, vol);
                out.printf(Locale.ROOT, "  filled %s/%s in %.2f s%n", volumesPool, vol, secs(t0));

                // Ember full backup, 1 % random 4 KiB writes, Ember incremental.
                created.add(new String[] {backupsPool, emberBase});
                BackupRef b1 = ref(vid);
                t0 = System.nanoTime();
                BackupOutcome o1;
                try (RbdDevice dev = device(volumes, vol, vid)) {
                    o1 = driver.backup(b1, null, dev, null);
                }
                t.put("ember full", secs(t0));
                snap(volumes, vol, "bench-full");
                b1 = stored(b1, o1);
                t0 = System.nanoTime();
                int writes = scribble(volumes, vol);
                out.printf(Locale.ROOT, "  %d random 4 KiB writes in %.2f s%n", writes, secs(t0));
                BackupRef b2 = ref(vid);
                t0 = System.nanoTime();
                BackupOutcome o2;
                try (RbdDevice dev = device(volumes, vol, vid)) {
                    o2 = driver.backup(b2, b1, dev, null);
                }
                t.put("ember incremental", secs(t0));
                snap(volumes, vol, "bench-incr");
                b2 = stored(b2, o2);
                String want = verify ? sha(volumes, vol, "bench-incr") : null;
                String wantFull = verify ? sha(volumes, vol, "bench-full") : null;

                // Ember restore into a new volume.
                String restored = ImageNames.volume(UUID.randomUUID().toString());
                create(volumes, restored);
                t0 = System.nanoTime();
                try (RbdDevice dev = device(volumes, restored, vid + "-restore")) {
                    driver.restore(List.of(b1, b2), dev, () -> false);
                }
                t.put("ember restore", secs(t0));
                if (verify) {
                    check("ember restore", want, sha(volumes, restored, null));
                    List<String> snaps = snapshots(backups, emberBase);
                    check("ember base at the full backup", wantFull, sha(backups, emberBase, snaps.get(0)));
                    check("ember base at the incremental", want, sha(backups, emberBase, snaps.get(1)));
                }
                remove(volumes, restored);
                driver.delete(b2);
                driver.delete(b1);

                // The same by export-diff | import-diff (what cinder runs).
                String rbd = "rbd -c " + conf + " --id " + user.replaceFirst("^client\\.", "");
                create(backups, cliBase);
                t.put("export-diff full", time(rbd + " export-diff " + volumesPool + "/" + vol + "@bench-full - | "
                        + rbd + " import-diff - " + backupsPool + "/" + cliBase));
                t.put("export-diff incremental", time(rbd + " export-diff --from-snap bench-full " + volumesPool + "/"
                        + vol + "@bench-incr - | " + rbd + " import-diff - " + backupsPool + "/" + cliBase));
                String cliRestored = ImageNames.volume(UUID.randomUUID().toString());
                create(volumes, cliRestored);
                t.put("export-diff restore", time(rbd + " export-diff " + backupsPool + "/" + cliBase
                        + "@bench-incr - | " + rbd + " import-diff - " + volumesPool + "/" + cliRestored));
                if (verify) {
                    check("export-diff restore", want, sha(volumes, cliRestored, null));
                    check("export-diff base at the full backup", wantFull, sha(backups, cliBase, "bench-full"));
                }
                remove(volumes, cliRestored);
                remove(backups, cliBase);

                // And by export | import: a whole image each time.
                created.add(new String[] {backupsPool, expImage});
                t.put("export full", time(rbd + " export --no-progress " + volumesPool + "/" + vol + "@bench-full - | "
                        + rbd + " import --no-progress - " + backupsPool + "/" + expImage));
                remove(backups, expImage);
                String expRestored = ImageNames.volume(UUID.randomUUID().toString());
                created.add(new String[] {volumesPool, expRestored});
                t.put("export restore", time(rbd + " export --no-progress " + volumesPool + "/" + vol
                        + "@bench-incr - | " + rbd + " import --no-progress - " + volumesPool + "/" + expRestored));
                if (verify) {
                    check("export restore", want, sha(volumes, expRestored, null));
                }
                remove(volumes, expRestored);
                report(t);
                return new Figures(t);
            } finally {
                cleanup(volumes, backups);
            }
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // shutting down: the hook runs
            }
        }
    }

    private void check(String what, String want, String got) {
        out.printf(Locale.ROOT, "  verify: %s %s%n", what, want.equals(got) ? "identical" : "DIFFERENT");
        if (!want.equals(got)) {
            throw new IllegalStateException(what + " differs from the volume's data");
        }
    }

    private void create(Pool pool, String image) throws CephException {
        created.add(new String[] {pool.name(), image});
        pool.createImage(image, size);
    }

    private void remove(Pool pool, String image) {
        removeQuietly(pool, image);
        created.removeIf(pi -> pi[0].equals(pool.name()) && pi[1].equals(image));
    }

    private static List<String> snapshots(Pool pool, String image) throws CephException {
        try (RbdImage img = pool.openImageReadOnly(image, null)) {
            return img.listSnapshots().stream().map(Snapshot::name).toList();
        }
    }

    /** On SIGTERM/Ctrl-C: remove what is left with a connection of its own. */
    private void cleanupWithOwnConnection() {
        if (created.isEmpty() && metaObjects.isEmpty()) {
            return;
        }
        try (CephCluster cluster = CephCluster.connect(conf, user);
             Pool volumes = cluster.openPool(volumesPool);
             Pool backups = cluster.openPool(backupsPool)) {
            cleanup(volumes, backups);
        } catch (Exception e) {
            out.println("  cleanup failed: " + e.getMessage());
        }
    }

    private void report(Map<String, Double> t) {
        double mib = size / (double) MIB;
        out.println();
        out.printf(Locale.ROOT, "%-24s %10s %10s %10s %12s %10s%n", "work", "ember s", "diff-pipe s", "ratio",
                "export s", "ratio");
        row("full backup", t.get("ember full"), t.get("export-diff full"), t.get("export full"), mib);
        row("incremental (1% 4K)", t.get("ember incremental"), t.get("export-diff incremental"), null, mib);
        row("restore", t.get("ember restore"), t.get("export-diff restore"), t.get("export restore"), mib);
        out.println("ratio = CLI time / Ember time (above 1: Ember is faster)");
    }

    private void row(String name, Double ember, Double diff, Double export, double mib) {
        out.printf(Locale.ROOT, "%-24s %10.2f %10.2f %9.2fx %12s %10s%n", name, ember, diff, diff / ember,
                export == null ? "-" : String.format(Locale.ROOT, "%.2f", export),
                export == null ? "-" : String.format(Locale.ROOT, "%.2fx", export / ember));
    }

    private static RbdDevice device(Pool pool, String image, String volumeId) throws CephException {
        return new RbdDevice(pool, image, volumeId, SourceKind.LIVE_VOLUME, pool.openImage(image), null);
    }

    private BackupRef ref(String vid) {
        String id = UUID.randomUUID().toString();
        metaObjects.add(ImageNames.meta(id));
        return new BackupRef(id, vid, (int) Math.max(1, size >> 30), backupsPool, null, "bench", "ember bench",
                LocalDateTime.now(), null);
    }

    private static BackupRef stored(BackupRef r, BackupOutcome o) {
        String parent = o.parent() instanceof BackupOutcome.ParentLink.Parent p ? p.id() : r.parentId();
        return new BackupRef(r.id(), r.volumeId(), r.sizeGb(), o.container(), o.serviceMetadata(), r.displayName(),
                r.displayDescription(), r.createdAt(), parent);
    }

    private static void snap(Pool pool, String image, String snap) throws CephException {
        try (RbdImage img = pool.openImage(image)) {
            img.createSnapshot(snap);
        }
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Writes the whole image with pseudo-random data, 4 MiB at a time, 16 writes in flight. */
    private void fill(Pool pool, String image) throws Exception {
        SplittableRandom rnd = new SplittableRandom(1);
        ByteBuffer pattern = ByteBuffer.allocateDirect(16 << 20);
        while (pattern.hasRemaining()) {
            pattern.putLong(rnd.nextLong());
        }
        try (RbdImage img = pool.openImage(image)) {
            ArrayDeque<AioCompletion> inFlight = new ArrayDeque<>();
            ByteBuffer[] ring = new ByteBuffer[16]; // buffer k % 16 is free once the 16th older write is done
            int k = 0;
            for (long off = 0; off < size; off += IO, k++) {
                if (inFlight.size() >= ring.length) {
                    inFlight.poll().await();
                }
                int len = (int) Math.min(IO, size - off);
                if (ring[k % ring.length] == null) {
                    ring[k % ring.length] = ByteBuffer.allocateDirect(IO);
                }
                ByteBuffer piece = ring[k % ring.length].clear().limit(len);
                ByteBuffer src = pattern.duplicate();
                src.position((k * 4096) % (pattern.capacity() - len)).limit(src.position() + len);
                piece.put(src).flip();
                piece.putLong(0, off); // no two pieces alike
                inFlight.add(img.writeAsync(off, piece));
            }
            while (!inFlight.isEmpty()) {
                inFlight.poll().await();
            }
            img.flush();
        }
    }

    /** 1 % of the volume in random 4 KiB-aligned 4 KiB writes; returns their number. */
    private int scribble(Pool pool, String image) throws Exception {
        int count = (int) (size / 100 / 4096);
        SplittableRandom rnd = new SplittableRandom(2);
        try (RbdImage img = pool.openImage(image)) {
            ArrayDeque<AioCompletion> inFlight = new ArrayDeque<>();
            for (int i = 0; i < count; i++) {
                if (inFlight.size() >= 32) {
                    inFlight.poll().await();
                }
                ByteBuffer b = ByteBuffer.allocateDirect(4096);
                while (b.hasRemaining()) {
                    b.putLong(rnd.nextLong());
                }
                b.flip();
                inFlight.add(img.writeAsync(rnd.nextLong(size / 4096) * 4096, b));
            }
            while (!inFlight.isEmpty()) {
                inFlight.poll().await();
            }
            img.flush();
        }
        return count;
    }

    private double time(String pipeline) throws Exception {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder("bash", "-o", "pipefail", "-c", pipeline).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("command failed: " + pipeline + "\n" + output);
        }
        return secs(t0);
    }

    private static String sha(Pool pool, String image, String snap) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (RbdImage img = pool.openImageReadOnly(image, snap)) {
            long size = img.size();
            ByteBuffer buf = ByteBuffer.allocateDirect(IO);
            for (long off = 0; off < size; off += IO) {
                buf.clear().limit((int) Math.min(IO, size - off));
                img.read(off, buf);
                buf.flip();
                md.update(buf);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private synchronized void cleanup(Pool volumes, Pool backups) {
        for (String[] pi : List.copyOf(created)) {
            removeQuietly(pi[0].equals(volumesPool) ? volumes : backups, pi[1]);
        }
        created.clear();
        for (String meta : metaObjects) {
            try {
                backups.removeObject(meta);
            } catch (CephException e) {
                // not written, or removed by the driver's delete
            }
        }
        metaObjects.clear();
    }

    private void removeQuietly(Pool pool, String image) {
        try {
            try (RbdImage img = pool.openImage(image)) {
                img.removeAllSnapshots();
            }
            pool.removeImage(image);
        } catch (ImageNotFoundException e) {
            // not created
        } catch (CephException e) {
            out.println("  cleanup of " + pool.name() + "/" + image + " failed: " + e.getMessage());
        }
    }
}
