package dev.ember.driver.rbd;

import dev.ember.ceph.RbdImage;
import dev.ember.device.rbd.RbdDevice;
import dev.ember.driver.BackupOutcome;
import dev.ember.driver.BackupRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static dev.ember.driver.rbd.RbdFixture.MIB;
import static dev.ember.driver.rbd.RbdFixture.rbd;
import static dev.ember.driver.rbd.RbdFixture.sh;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The native differential copy leaves exactly what {@code rbd export-diff | rbd import-diff}
 * leaves for the same snapshots: same snapshot list on the base, same content and size at every
 * snapshot and at the head. The changes between the two backups cover overwrites inside
 * existing objects, new objects, a whole object discarded, a partial discard, and the volume
 * growing (or shrinking).
 */
class RbdDiffParityTest {

    enum Change { GROW, SHRINK, SAME_SIZE }

    RbdFixture fx;
    RbdBackupDriver driver;

    @BeforeEach
    void setUp() throws Exception {
        fx = new RbdFixture();
        driver = fx.driver(BaseLayout.SINGLE_BASE);
    }

    @AfterEach
    void tearDown() {
        driver.close();
        fx.close();
    }

    @ParameterizedTest
    @EnumSource(Change.class)
    void nativeDiffEqualsExportDiffImportDiff(Change change) throws Exception {
        String v = fx.newVolume(40 * MIB);
        String vol = ImageNames.volume(v);
        fx.write("volumes", vol, 0, fx.randomBytes((int) (6 * MIB)));
        fx.write("volumes", vol, 13 * MIB + 1234, fx.randomBytes(70_000));
        fx.write("volumes", vol, 30 * MIB, fx.randomBytes((int) (5 * MIB)));

        BackupRef r1 = RbdFixture.ref(fx.newBackupId(), v, null);
        BackupOutcome o1;
        try (RbdDevice dev = fx.live(v)) {
            o1 = driver.backup(r1, null, dev, null);
        }
        String s1 = fx.sourceSnaps(v).get(0);
        // Keep the first point on the source under another name (the driver rotates it away).
        try (RbdImage img = fx.volumes.openImage(vol)) {
            img.createSnapshot("keep");
        }

        // Changes: overwrite inside objects, 4 KiB pieces, a new object, a whole-object discard, a partial discard.
        fx.write("volumes", vol, 100_000, fx.randomBytes(4096));
        fx.write("volumes", vol, 2 * MIB + 7, fx.randomBytes(300_000));
        fx.write("volumes", vol, 21 * MIB, fx.randomBytes(65_536));
        try (RbdImage img = fx.volumes.openImage(vol)) {
            img.writeZeroes(28 * MIB, 4 * MIB); // one whole object (28..32 MiB) partly written before
            img.writeZeroes(31 * MIB + 5000, 100_000); // partial, inside a written object
            img.writeZeroes(4 * MIB, 4 * MIB);  // a whole written object
            switch (change) {
                case GROW -> img.resize(57 * MIB + 4096);
                case SHRINK -> img.resize(26 * MIB + 512);
                default -> { }
            }
        }
        if (change == Change.GROW) {
            fx.write("volumes", vol, 50 * MIB, fx.randomBytes((int) (3 * MIB)));
        }
        BackupRef r2 = RbdFixture.ref(fx.newBackupId(), v, null);
        try (RbdDevice dev = fx.live(v)) {
            driver.backup(r2, null, dev, null);
        }
        List<String> src = fx.sourceSnaps(v);
        String s2 = src.get(src.size() - 1);
        assertEquals(List.of("keep", s2), src);

        // The same with the CLI: give "keep" the first backup's name again, pipe both diffs.
        String cli = "volume-" + v + ".cli";
        fx.track("backups", cli);
        String conf = rbd();
        sh(conf + " snap rename volumes/" + vol + "@keep volumes/" + vol + "@" + s1);
        sh(conf + " create --size 40M backups/" + cli);
        sh(conf + " export-diff volumes/" + vol + "@" + s1 + " - | " + conf + " import-diff - backups/" + cli);
        sh(conf + " export-diff --from-snap " + s1 + " volumes/" + vol + "@" + s2 + " - | " + conf
                + " import-diff - backups/" + cli);

        String base = ImageNames.legacyBase(v);
        assertEquals(ServiceMetadata.of(base), o1.serviceMetadata());
        assertEquals(fx.snaps(fx.backups, cli), fx.snaps(fx.backups, base));
        assertEquals(List.of(s1, s2), fx.snaps(fx.backups, base));
        for (String snap : new String[] {s1, s2, null}) {
            assertEquals(fx.sha(fx.backups, cli, snap), fx.sha(fx.backups, base, snap), "at " + snap);
        }
        assertEquals(fx.sha(fx.volumes, vol, s2), fx.sha(fx.backups, base, s2));
        assertEquals(fx.sha(fx.volumes, vol, s1), fx.sha(fx.backups, base, s1));
    }
}
