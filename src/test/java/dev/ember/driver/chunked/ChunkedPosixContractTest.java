package dev.ember.driver.chunked;

import dev.ember.driver.BackupDriverContract;
import dev.ember.driver.DriverHarness;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The driver contract for the chunked driver over the posix store: every regular file under the
 * backup root counts, temporary files of unfinished objects included.
 */
class ChunkedPosixContractTest extends BackupDriverContract {

    @TempDir
    Path dir;

    @Override
    protected DriverHarness harness() throws Exception {
        Path root = dir.resolve("backup");
        Files.createDirectories(root);
        return new ChunkedHarness(dir, new PosixObjectStore(root)) {
            @Override
            public SortedSet<String> stored() throws Exception {
                SortedSet<String> out = new TreeSet<>();
                try (Stream<Path> files = Files.walk(root)) {
                    files.filter(Files::isRegularFile).forEach(f -> out.add("backend:" + root.relativize(f)));
                }
                return out;
            }
        };
    }
}
