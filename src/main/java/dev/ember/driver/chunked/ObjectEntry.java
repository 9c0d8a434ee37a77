package dev.ember.driver.chunked;

/**
 * One data object as listed in {@code _metadata}:
 * {@code {"<name>": {"compression", "length", "md5", "offset"}}}.
 *
 * @param offset      where the object's data starts in the volume
 * @param length      uncompressed length
 * @param compression cinder's name of how the object is stored ({@code none}, {@code zlib}, ...)
 * @param md5         hex MD5 of the uncompressed data
 */
record ObjectEntry(String name, long offset, long length, String compression, String md5) {

    long end() {
        return offset + length;
    }
}
