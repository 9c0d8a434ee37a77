package dev.ember.driver.chunked;

import dev.ember.driver.BackupRef;
import dev.ember.volume.FileVolumeDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.ember.driver.chunked.DriverFixture.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A 10 GiB volume holding 3 MiB, with cinder's default sizes: zero blocks must cost nothing, so
 * the backup stores about 3 MiB and never holds a ~2 GB chunk in memory (a regression would run
 * out of heap or write gigabytes, both of which this test would notice).
 */
class SparseVolumeTest {

    private static final long GIB = BackupRef.GIB;
    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;
    DriverFixture fx;

    @BeforeEach
    void setUp() {
        fx = new DriverFixture(dir);
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    @Test
    void tenGibSparseVolumeStoresOnlyItsData() throws Exception {
        ChunkedBackupDriver driver = fx.driver(ChunkedOptions.defaults().withSparseFullBackups(true), PipelineLimits.DEFAULT);
        Path vol = fx.sparse(10 * GIB);
        long[] offsets = {0, 3 * GIB + 12345, 10 * GIB - MIB};
        byte[][] pieces = new byte[offsets.length][];
        try (FileVolumeDevice dev = FileVolumeDevice.open(vol, true)) {
            for (int i = 0; i < offsets.length; i++) {
                pieces[i] = random(MIB, i);
                dev.write(offsets[i], ByteBuffer.wrap(pieces[i]));
            }
        }
        BackupRef ref = new BackupRef("0a1b2c3d-0000-4000-8000-00000000000a", fx.volumeId, 10, null, null, "big",
                null, DriverFixture.CREATED, null);
        BackupRef full = fx.backup(driver, ref, null, vol);

        assertEquals(3, fx.lastOutcome.objectCount());
        long stored = 0;
        for (String n : fx.dataObjects(driver, full)) {
            stored += Files.size(fx.containerDir(full).resolve(n));
        }
        assertTrue(stored <= 3 * MIB + 2 * 32768, "stored " + stored + " bytes");
        List<ObjectEntry> objects = fx.metadata(full).objects();
        assertEquals(List.of(0L, 3 * GIB + 12345 - 12345 % 32768, 10 * GIB - MIB),
                objects.stream().map(ObjectEntry::offset).toList());

        // The sha256file still covers every block, so incrementals work as usual...
        byte[] changed = random(4096, 9);
        try (FileVolumeDevice dev = FileVolumeDevice.open(vol, true)) {
            dev.write(7 * GIB, ByteBuffer.wrap(changed));
        }
        BackupRef incRef = new BackupRef("0a1b2c3d-0000-4000-8000-00000000000b", fx.volumeId, 10, null, null, "inc",
                null, DriverFixture.CREATED, full.id());
        BackupRef inc = fx.backup(driver, incRef, full, vol);
        assertEquals(1, fx.lastOutcome.objectCount());
        assertEquals(7 * GIB, fx.metadata(inc).objects().get(0).offset());
        assertEquals(32768, fx.metadata(inc).objects().get(0).length());

        // ...and the chain restores onto a fresh sparse volume.
        Path target = fx.sparse(10 * GIB);
        fx.restoreOnto(driver, List.of(full, inc), target);
        try (FileVolumeDevice dev = FileVolumeDevice.open(target, false)) {
            for (int i = 0; i < offsets.length; i++) {
                assertArrayEquals(pieces[i], ChunkedBackupDriverTest.read(dev, offsets[i], MIB));
            }
            assertArrayEquals(changed, ChunkedBackupDriverTest.read(dev, 7 * GIB, 4096));
            assertArrayEquals(new byte[MIB], ChunkedBackupDriverTest.read(dev, 5 * GIB, MIB));
            assertArrayEquals(new byte[MIB], ChunkedBackupDriverTest.read(dev, 3 * GIB + 12345 + MIB, MIB));
        }
    }
}
