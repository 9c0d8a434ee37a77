package dev.ember.driver.chunked;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** The two digests of cinder's format: MD5 per object, SHA-256 per SHA block. */
final class Digests {

    private Digests() {
    }

    static MessageDigest md5() {
        return get("MD5");
    }

    static MessageDigest sha256() {
        return get("SHA-256");
    }

    private static MessageDigest get(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is not available in this JVM", e);
        }
    }
}
