package dev.ember.bench;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs {@code ember bench} small (64 MiB, verified) against the test cluster ({@code EMBER_CEPH_CONF}
 * or the checkout's devstack cluster); {@code -Dember.bench.mib=2048} runs the real size.
 */
class RbdBenchTest {

    @Test
    void benchRunsAndCleansUp() {
        Path conf = dev.ember.driver.rbd.RbdFixture.conf(); // skips with EMBER_SKIP_CEPH_TESTS=1
        assumeTrue(Files.isReadable(conf), "no cluster config at " + conf);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
        int rc = RbdBench.run(new String[] {conf.toString(), "--size-mib", System.getProperty("ember.bench.mib", "64"),
                "--verify"}, out);
        String text = buf.toString(StandardCharsets.UTF_8);
        System.out.println(text);
        assertEquals(0, rc, text);
        assertTrue(text.contains("verify: ember restore identical"), text);
        assertTrue(text.contains("verify: export-diff restore identical"), text);
        assertTrue(text.contains("verify: export restore identical"), text);
        assertTrue(!text.contains("DIFFERENT"), text);
        assertTrue(!text.contains("cleanup of"), text);
    }
}
