package dev.ember.driver.chunked;

import com.github.luben.zstd.Zstd;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.zip.Adler32;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

import static dev.ember.driver.chunked.DriverFixture.compressible;
import static dev.ember.driver.chunked.DriverFixture.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CompressionTest {

    @ParameterizedTest
    @CsvSource({"none,NONE", "off,NONE", "No,NONE", "zlib,ZLIB", "GZIP,ZLIB", "bz2,BZ2", "bzip2,BZ2", "zstd,ZSTD"})
    void cinderNamesAndAliases(String name, Compression expected) {
        assertEquals(expected, Compression.parse(name));
    }

    @Test
    void unknownAlgorithmUsesCinderMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Compression.parse("lz4"));
        assertEquals("unsupported compression algorithm: lz4", e.getMessage());
    }

    /** An object made of pieces: prologue, independently compressed pieces (one all-zero), epilogue. */
    static byte[] piecewise(PieceCodec codec, byte[] data, int piece) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(codec.prologue());
        Adler32 adler = new Adler32();
        for (int off = 0; off < data.length; off += piece) {
            int len = Math.min(piece, data.length - off);
            boolean zero = ZeroBlocks.isZero(data, off, len);
            out.writeBytes(zero ? codec.compressZeros(len) : codec.compress(data, off, len));
            adler.update(data, off, len);
        }
        out.writeBytes(codec.epilogue(adler.getValue()));
        return out.toByteArray();
    }

    static byte[] sample() {
        byte[] data = new byte[700_000];
        System.arraycopy(compressible(300_000, 1), 0, data, 0, 300_000);
        System.arraycopy(random(100_000, 2), 0, data, 500_000, 100_000);
        return data; // 300k text, 200k zeros, 100k random, 100k zeros
    }

    @ParameterizedTest
    @EnumSource(value = Compression.class, names = {"ZLIB", "BZ2"})
    void piecewiseObjectsDecompressAsOneStream(Compression c) throws Exception {
        byte[] data = sample();
        byte[] object = piecewise(PieceCodec.of(c), data, 64 * 1024);
        try (InputStream in = c.decompress(new ByteArrayInputStream(object))) {
            assertArrayEquals(data, in.readAllBytes());
        }
    }

    /** What Python's zlib.decompress does: one inflate over the whole buffer, trailer checked. */
    @Test
    void zlibObjectIsASingleValidZlibStream() throws Exception {
        byte[] data = sample();
        byte[] object = piecewise(PieceCodec.of(Compression.ZLIB), data, 100_000);
        assertEquals(0x78, object[0] & 0xff);
        assertEquals(0x9c, object[1] & 0xff);
        Inflater inf = new Inflater();
        inf.setInput(object);
        byte[] out = new byte[data.length + 10];
        int n = inf.inflate(out);
        assertTrue(inf.finished(), "stream ends with a final block and a verified Adler-32");
        assertEquals(0, inf.getRemaining(), "no trailing bytes");
        assertEquals(data.length, n);
        inf.end();
    }

    /** A zstd object as PendingObject writes it: streamed, flushed once for the probe, patched. */
    static byte[] zstdObject(byte[] data, int slice) throws Exception {
        MemoryObjectStore store = new MemoryObjectStore();
        store.createContainer("c");
        try (ZstdFrameForm form = new ZstdFrameForm(); ObjectWriter w = store.create("c", "o")) {
            w.write(form.start());
            for (int off = 0; off < data.length; off += slice) {
                w.write(form.next(data, off, Math.min(slice, data.length - off), null));
                if (off == slice) {
                    w.write(form.flush());
                }
            }
            w.write(form.end());
            form.patch(w, data.length);
            w.commit();
        }
        return store.get("c", "o");
    }

    /**
     * What python-zstd's decompress needs (also before 1.5.5.1): exactly one frame, whose header
     * declares the content size, and the one-shot decoder agrees.
     */
    @Test
    void zstdObjectIsOneFrameThatDeclaresItsSize() throws Exception {
        byte[] data = sample();
        byte[] object = zstdObject(data, 64 * 1024);
        assertEquals(data.length, Zstd.getFrameContentSize(object, 0, object.length, false));
        assertEquals(object.length, Zstd.findFrameCompressedSize(object));
        assertArrayEquals(data, Zstd.decompress(object, data.length));
        try (InputStream in = Compression.ZSTD.decompress(new ByteArrayInputStream(object))) {
            assertArrayEquals(data, in.readAllBytes());
        }
        assertTrue(object.length < data.length / 2);
    }

    /** Objects cinder wrote: one zlib.compress / bz2.compress / zstd.compress call per object. */
    @ParameterizedTest
    @EnumSource(value = Compression.class, names = {"ZLIB", "BZ2", "ZSTD"})
    void cinderStyleSingleStreamObjectsDecompress(Compression c) throws Exception {
        byte[] data = sample();
        byte[] object = cinderCompress(c, data);
        try (InputStream in = c.decompress(new ByteArrayInputStream(object))) {
            assertArrayEquals(data, in.readAllBytes());
        }
    }

    static byte[] cinderCompress(Compression c, byte[] data) throws Exception {
        switch (c) {
            case ZLIB -> {
                Deflater d = new Deflater(6);
                d.setInput(data);
                d.finish();
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                byte[] buf = new byte[65536];
                while (!d.finished()) {
                    out.write(buf, 0, d.deflate(buf));
                }
                d.end();
                return out.toByteArray();
            }
            case BZ2 -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                try (BZip2CompressorOutputStream bz = new BZip2CompressorOutputStream(out, 9)) {
                    bz.write(data);
                }
                return out.toByteArray();
            }
            case ZSTD -> {
                return Zstd.compress(data, 3);
            }
            default -> {
                return data;
            }
        }
    }

    @Test
    void zeroPiecesAreCachedAndCorrect() throws Exception {
        PieceCodec codec = PieceCodec.of(Compression.ZLIB);
        byte[] a = codec.compressZeros(32768);
        assertEquals(a, codec.compressZeros(32768)); // same instance: computed once
        assertArrayEquals(codec.compress(new byte[32768], 0, 32768), a);
    }
}
