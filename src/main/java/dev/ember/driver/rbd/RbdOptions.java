package dev.ember.driver.rbd;

import dev.ember.ceph.ImageFeatures;
import dev.ember.ceph.ImageOptions;
import dev.ember.config.Config;

import java.nio.file.Path;
import java.util.Locale;

/**
 * The RBD backup driver's options, read from {@code [DEFAULT]} under cinder's names (so an
 * existing cinder.conf works) plus Ember's own:
 *
 * <ul>
 *   <li>{@code backup_ceph_conf} (/etc/ceph/ceph.conf), {@code backup_ceph_user} (cinder),
 *       {@code backup_ceph_pool} (backups), {@code backup_ceph_chunk_size} (128 MiB),
 *       {@code backup_ceph_stripe_unit} / {@code backup_ceph_stripe_count} (0 / 0),
 *       {@code backup_ceph_image_journals} (False), {@code restore_discard_excess_bytes} (True);</li>
 *   <li>{@code ember_ceph_backup_layout} = {@code single_base} (default: one
 *       {@code volume-<id>.backup.base} per volume with source-snapshot rotation, the seed lab's
 *       rules) or {@code per_chain} (cinder Train+: one base per full backup);</li>
 *   <li>{@code ember_ceph_copy_io_size} (4 MiB) and {@code ember_ceph_copy_inflight} (16): size
 *       and number of asynchronous requests in flight per copy (memory = their product).</li>
 * </ul>
 */
public record RbdOptions(Path conf, String user, String pool, long chunkSize, long stripeUnit, long stripeCount,
                         boolean imageJournals, boolean discardExcessBytes, BaseLayout layout, int ioSize,
                         int inFlight) {

    public static final long DEFAULT_CHUNK_SIZE = 134_217_728L;
    public static final int DEFAULT_IO_SIZE = 4 << 20;
    public static final int DEFAULT_IN_FLIGHT = 16;

    public RbdOptions {
        if (user == null || user.isBlank()) {
            throw new IllegalArgumentException("backup_ceph_user must not be empty");
        }
        if (pool == null || pool.isBlank()) {
            throw new IllegalArgumentException("backup_ceph_pool must not be empty");
        }
        if (chunkSize <= 0) {
            throw new IllegalArgumentException("backup_ceph_chunk_size must be positive: " + chunkSize);
        }
        if (stripeUnit < 0 || stripeCount < 0) {
            throw new IllegalArgumentException("backup_ceph_stripe_unit/count must not be negative");
        }
        if (ioSize < 4096 || ioSize > (64 << 20)) {
            throw new IllegalArgumentException("ember_ceph_copy_io_size must be between 4 KiB and 64 MiB: " + ioSize);
        }
        if (inFlight < 1 || inFlight > 256) {
            throw new IllegalArgumentException("ember_ceph_copy_inflight must be between 1 and 256: " + inFlight);
        }
    }

    /** cinder's defaults against {@code conf}. */
    public static RbdOptions defaults(Path conf) {
        return new RbdOptions(conf, "cinder", "backups", DEFAULT_CHUNK_SIZE, 0, 0, false, true,
                BaseLayout.SINGLE_BASE, DEFAULT_IO_SIZE, DEFAULT_IN_FLIGHT);
    }

    public static RbdOptions fromConfig(Config config) {
        return new RbdOptions(
                Path.of(config.get("backup_ceph_conf", "/etc/ceph/ceph.conf")),
                config.get("backup_ceph_user", "cinder"),
                config.get("backup_ceph_pool", "backups"),
                config.getLong("backup_ceph_chunk_size", DEFAULT_CHUNK_SIZE),
                config.getLong("backup_ceph_stripe_unit", 0),
                config.getLong("backup_ceph_stripe_count", 0),
                config.getBool("backup_ceph_image_journals", false),
                config.getBool("restore_discard_excess_bytes", true),
                layout(config.get("ember_ceph_backup_layout", "single_base")),
                config.getInt("ember_ceph_copy_io_size", DEFAULT_IO_SIZE),
                config.getInt("ember_ceph_copy_inflight", DEFAULT_IN_FLIGHT));
    }

    static BaseLayout layout(String value) {
        return switch (value.strip().toLowerCase(Locale.ROOT).replace('-', '_')) {
            case "single_base", "single", "legacy" -> BaseLayout.SINGLE_BASE;
            case "per_chain", "chain", "train" -> BaseLayout.PER_CHAIN;
            default -> throw new IllegalArgumentException(
                    "ember_ceph_backup_layout must be single_base or per_chain, not '" + value + "'");
        };
    }

    public RbdOptions withLayout(BaseLayout l) {
        return new RbdOptions(conf, user, pool, chunkSize, stripeUnit, stripeCount, imageJournals, discardExcessBytes,
                l, ioSize, inFlight);
    }

    public RbdOptions withChunkSize(long c) {
        return new RbdOptions(conf, user, pool, c, stripeUnit, stripeCount, imageJournals, discardExcessBytes,
                layout, ioSize, inFlight);
    }

    public RbdOptions withDiscardExcessBytes(boolean d) {
        return new RbdOptions(conf, user, pool, chunkSize, stripeUnit, stripeCount, imageJournals, d,
                layout, ioSize, inFlight);
    }

    /**
     * How cinder creates backup images: format 2, layering, striping v2 when a stripe is
     * configured, exclusive-lock + journaling when {@code backup_ceph_image_journals}, and
     * exclusive-lock + object-map + fast-diff (librbd has them).
     */
    public ImageOptions imageOptions() {
        long features = ImageFeatures.LAYERING | ImageFeatures.EXCLUSIVE_LOCK | ImageFeatures.OBJECT_MAP
                | ImageFeatures.FAST_DIFF;
        ImageOptions o = ImageOptions.defaults();
        if (stripeUnit > 0 && stripeCount > 0) {
            features |= ImageFeatures.STRIPINGV2;
            o = o.withStriping(stripeUnit, stripeCount);
        }
        if (imageJournals) {
            features |= ImageFeatures.EXCLUSIVE_LOCK | ImageFeatures.JOURNALING;
        }
        return o.withFeatures(features);
    }
}
