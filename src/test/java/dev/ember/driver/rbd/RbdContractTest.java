package dev.ember.driver.rbd;

import dev.ember.driver.BackupDriver;
import dev.ember.driver.BackupDriverContract;
import dev.ember.driver.BackupRef;
import dev.ember.driver.DriverHarness;
import dev.ember.device.VolumeDevice;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The driver contract for the RBD driver on the real cluster (see {@link RbdFixture}), with
 * live-volume sources as the Ceph volume backend hands them over. Volume ids start with
 * {@code h8-} so the images ({@code volume-h8-...} and their backup images) are recognisable.
 */
class RbdContractTest extends BackupDriverContract {

    @Override
    protected DriverHarness harness() throws Exception {
        return new Harness();
    }

    static final class Harness implements DriverHarness {
        final RbdFixture fx = new RbdFixture();
        final RbdBackupDriver driver = fx.driver(BaseLayout.SINGLE_BASE);
        final List<String> volumeIds = new ArrayList<>();
        final List<String> backupIds = new ArrayList<>();

        Harness() throws Exception {
        }

        @Override
        public BackupDriver driver() {
            return driver;
        }

        @Override
        public String newVolume(long size) throws Exception {
            String id = fx.adoptVolume("h8-" + UUID.randomUUID());
            volumeIds.add(id);
            fx.volumes.createImage(ImageNames.volume(id), size);
            return id;
        }

        @Override
        public VolumeDevice open(String volumeId) throws Exception {
            return fx.live(volumeId);
        }

        @Override
        public BackupRef ref(String volumeId, String parentId) {
            BackupRef ref = DriverHarness.super.ref(volumeId, parentId);
            backupIds.add(fx.adoptBackup(ref.id()));
            return ref;
        }

        /** Backup images with their snapshots, metadata objects, and the source volumes' snapshots. */
        @Override
        public SortedSet<String> stored() throws Exception {
            SortedSet<String> out = new TreeSet<>();
            for (String v : volumeIds) {
                for (Map.Entry<String, List<String>> image : fx.backupImages(v).entrySet()) {
                    out.add("backend:" + image.getKey());
                    for (String snap : image.getValue()) {
                        out.add("backend:" + image.getKey() + "@" + snap);
                    }
                }
                for (String snap : fx.sourceSnaps(v)) {
                    out.add("source:" + ImageNames.volume(v) + "@" + snap);
                }
            }
            for (String b : backupIds) {
                if (fx.backups.objectExists(ImageNames.meta(b))) {
                    out.add("backend:" + ImageNames.meta(b));
                }
            }
            return out;
        }

        @Override
        public void close() {
            try {
                driver.close();
            } finally {
                fx.close();
            }
        }
    }
}
