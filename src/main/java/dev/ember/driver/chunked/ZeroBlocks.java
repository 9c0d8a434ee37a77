package dev.ember.driver.chunked;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Cheap handling of all-zero data, the bulk of most volumes. A zero check is a vectorised
 * comparison against a zero array (memory speed, far faster than SHA-256), and the SHA-256 of a
 * zero block depends only on its length, so it is computed once and reused.
 */
final class ZeroBlocks {

    private static final byte[] ZEROS = new byte[1 << 20];
    private static final Map<Integer, byte[]> ZERO_SHA = new ConcurrentHashMap<>();

    private ZeroBlocks() {
    }

    static boolean isZero(byte[] data, int off, int len) {
        int pos = off;
        int end = off + len;
        while (pos < end) {
            int n = Math.min(ZEROS.length, end - pos);
            if (Arrays.mismatch(data, pos, pos + n, ZEROS, 0, n) >= 0) {
                return false;
            }
            pos += n;
        }
        return true;
    }

    /** SHA-256 of {@code len} zero bytes (callers must not modify the array). */
    static byte[] sha256(int len) {
        return ZERO_SHA.computeIfAbsent(len, n -> {
            MessageDigest sha = Digests.sha256();
            int left = n;
            while (left > 0) {
                int c = Math.min(left, ZEROS.length);
                sha.update(ZEROS, 0, c);
                left -= c;
            }
            return sha.digest();
        });
    }
}
