package dev.ember.driver.chunked;

import dev.ember.driver.BackupDriverContract;
import dev.ember.driver.DriverHarness;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.SortedSet;
import java.util.TreeSet;

/** The driver contract for the chunked driver over the in-memory object store. */
class ChunkedMemoryStoreContractTest extends BackupDriverContract {

    @TempDir
    Path dir;

    @Override
    protected DriverHarness harness() {
        MemoryObjectStore memory = new MemoryObjectStore();
        return new ChunkedHarness(dir, memory) {
            @Override
            public SortedSet<String> stored() {
                SortedSet<String> out = new TreeSet<>();
                for (String key : memory.keys()) {
                    out.add("backend:" + key);
                }
                return out;
            }
        };
    }
}
