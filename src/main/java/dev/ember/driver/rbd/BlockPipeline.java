package dev.ember.driver.rbd;

import dev.ember.ceph.AioCompletion;
import dev.ember.ceph.RbdImage;
import dev.ember.device.VolumeDevice;
import dev.ember.device.rbd.RbdDevice;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * Copies byte ranges from a source to a sink with a bounded number of requests in flight: each
 * piece is read (asynchronously for RBD) into one of {@code inFlight} direct buffers of
 * {@code ioSize} bytes, then written (asynchronously for RBD) from the same buffer; memory is
 * bounded by {@code ioSize * inFlight} (and the small buffers), borrowed from {@link CopyBuffers}
 * and given back by {@link #close()}. Pieces never overlap, so their completion order does not
 * matter. Not thread-safe: one copy, one thread. {@link #close()} waits for whatever is still in
 * flight (after a failure) without throwing.
 */
final class BlockPipeline implements AutoCloseable {

    /** One read or write in progress. */
    interface Pending {
        boolean isDone();

        /** Waits; returns the bytes transferred or throws the operation's error. */
        long await() throws IOException;

        /** Waits and drops the result (cleanup after a failure). */
        void abandon();
    }

    interface Source {
        /** Reads {@code buf.remaining()} bytes at {@code offset} into {@code buf}. */
        Pending read(long offset, ByteBuffer buf) throws IOException;
    }

    interface Sink {
        Pending write(long offset, ByteBuffer buf) throws IOException;

        /** Makes the range read as zeros (RBD: exact discard). */
        void zero(long offset, long length) throws IOException;

        void flush() throws IOException;
    }

    /** What to do with a piece that reads back as all zeros. */
    enum Zeros {
        /** Write it like any data. */
        WRITE,
        /** Skip it: the sink is known to read zeros there already (a new or empty image). */
        SKIP,
        /** Zero the range on the sink (cheaper than writing zeros: a discard on RBD). */
        ZERO
    }

    private static final class Op {
        final long offset;
        final int length;
        final ByteBuffer buf;
        Pending read;
        Pending write;

        Op(long offset, int length, ByteBuffer buf) {
            this.offset = offset;
            this.length = length;
            this.buf = buf;
        }
    }

    private final Source source;
    private final Sink sink;
    private final Zeros zeros;
    private final int ioSize;
    /** Buffers of {@code ioSize} bytes, and many small ones so that small extents (4 KiB writes) keep more requests in flight. */
    private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();
    private final ArrayDeque<ByteBuffer> freeSmall = new ArrayDeque<>();
    /** Borrowed from {@link CopyBuffers}, given back by {@link #close()}. */
    private final CopyBuffers.Set buffers;
    private boolean closed;
    private final ArrayDeque<Op> reading = new ArrayDeque<>();
    private final ArrayDeque<Op> writing = new ArrayDeque<>();
    private long bytesRead;
    private long bytesWritten;

    BlockPipeline(Source source, Sink sink, Zeros zeros, int ioSize, int inFlight) {
        this.source = source;
        this.sink = sink;
        this.zeros = zeros;
        this.ioSize = ioSize;
        this.buffers = CopyBuffers.take(ioSize, inFlight, ioSize > SMALL ? SMALL * SMALL_COUNT : 0);
        for (ByteBuffer b : buffers.large()) {
            free.add(b.clear());
        }
        if (buffers.smallArena() != null) {
            for (int i = 0; i < SMALL_COUNT; i++) {
                freeSmall.add(buffers.smallArena().slice(i * SMALL, SMALL));
            }
        }
    }

    /** Pieces up to this size use the small buffers. */
    static final int SMALL = 64 << 10;
    static final int SMALL_COUNT = 128;

    /** Copies {@code [offset, offset+length)} from the source to the same place on the sink. */
    void copy(long offset, long length) throws IOException {
        long done = 0;
        while (done < length) {
            // Pieces end on multiples of ioSize (object boundaries for 4 MiB objects).
            int piece = (int) Math.min(ioSize - Math.floorMod(offset + done, (long) ioSize), length - done);
            ByteBuffer buf = takeFree(piece <= SMALL && ioSize > SMALL);
            buf.clear().limit(piece);
            Op op = new Op(offset + done, piece, buf);
            op.read = source.read(op.offset, buf);
            reading.add(op);
            done += piece;
            pumpFinished();
        }
    }

    /** Zeros a range on the sink (a diff extent that no longer exists). */
    void zero(long offset, long length) throws IOException {
        if (length > 0) {
            sink.zero(offset, length);
        }
    }

    /** Waits until everything started has been written. */
    void drain() throws IOException {
        while (!reading.isEmpty()) {
            startWrite(reading.poll());
        }
        while (!writing.isEmpty()) {
            finishWrite(writing.poll());
        }
    }

    /** Drains, then flushes the sink. */
    void finish() throws IOException {
        drain();
        sink.flush();
    }

    long bytesRead() {
        return bytesRead;
    }

    long bytesWritten() {
        return bytesWritten;
    }

    private ByteBuffer takeFree(boolean small) throws IOException {
        ArrayDeque<ByteBuffer> pool = small ? freeSmall : free;
        while (pool.isEmpty()) {
            pumpFinished();
            if (!pool.isEmpty()) {
                break;
            }
            if (!writing.isEmpty() && (writing.peek().write.isDone() || reading.isEmpty())) {
                finishWrite(writing.poll());
            } else if (!reading.isEmpty()) {
                startWrite(reading.poll()); // waits for the oldest read
            } else {
                throw new IllegalStateException("no buffer free and nothing in flight");
            }
        }
        return pool.poll();
    }

    private void recycle(ByteBuffer buf) {
        (buf.capacity() == ioSize ? free : freeSmall).add(buf);
    }

    /** Moves finished reads on to their writes and recycles the buffers of finished writes. */
    private void pumpFinished() throws IOException {
        while (!reading.isEmpty() && reading.peek().read.isDone()) {
            startWrite(reading.poll());
        }
        while (!writing.isEmpty() && writing.peek().write.isDone()) {
            finishWrite(writing.poll());
        }
    }

    private void startWrite(Op op) throws IOException {
        long n = op.read.await();
        op.read = null;
        if (n != op.length) {
            recycle(op.buf);
            throw new IOException("short read: " + n + " of " + op.length + " bytes at offset " + op.offset);
        }
        bytesRead += n;
        op.buf.flip();
        if (zeros != Zeros.WRITE && isAllZero(op.buf)) {
            if (zeros == Zeros.ZERO) {
                try {
                    sink.zero(op.offset, op.length);
                } finally {
                    recycle(op.buf);
                }
            } else {
                recycle(op.buf);
            }
            return;
        }
        try {
            op.write = sink.write(op.offset, op.buf);
        } catch (IOException | RuntimeException e) {
            recycle(op.buf);
            throw e;
        }
        writing.add(op);
    }

    private void finishWrite(Op op) throws IOException {
        try {
            op.write.await();
            bytesWritten += op.length;
        } finally {
            op.write = null;
            recycle(op.buf);
        }
    }

    static boolean isAllZero(ByteBuffer buf) {
        int pos = buf.position();
        int lim = buf.limit();
        int i = pos;
        for (; i + 8 <= lim; i += 8) {
            if (buf.getLong(i) != 0) {
                return false;
            }
        }
        for (; i < lim; i++) {
            if (buf.get(i) != 0) {
                return false;
            }
        }
        return true;
    }

    /** Waits for everything in flight, dropping results. Never throws. */
    @Override
    public void close() {
        for (Op op : reading) {
            if (op.read != null) {
                op.read.abandon();
            }
        }
        for (Op op : writing) {
            if (op.write != null) {
                op.write.abandon();
            }
        }
        reading.clear();
        writing.clear();
        // Every read and write has finished (abandon waits), so the next copy may use the buffers.
        if (!closed) {
            closed = true;
            CopyBuffers.give(buffers);
        }
    }

    // ------------------------------------------------------------------ endpoints ---

    private record Aio(AioCompletion c) implements Pending {
        @Override
        public boolean isDone() {
            return c.isDone();
        }

        @Override
        public long await() throws IOException {
            return c.await();
        }

        @Override
        public void abandon() {
            c.close();
        }
    }

    private record Done(long n) implements Pending {
        @Override
        public boolean isDone() {
            return true;
        }

        @Override
        public long await() {
            return n;
        }

        @Override
        public void abandon() {
        }
    }

    static Source source(RbdImage image) {
        return (offset, buf) -> new Aio(image.readAsync(offset, buf));
    }

    /** Synchronous reads from any device (a file); short reads are retried until the end of the device. */
    static Source source(VolumeDevice device) {
        if (device instanceof RbdDevice rbd) {
            return source(rbd.image());
        }
        return (offset, buf) -> {
            long total = 0;
            while (buf.hasRemaining()) {
                int n = device.read(offset + total, buf);
                if (n < 0) {
                    break;
                }
                total += n;
            }
            return new Done(total);
        };
    }

    static Sink sink(RbdImage image) {
        return new Sink() {
            @Override
            public Pending write(long offset, ByteBuffer buf) throws IOException {
                return new Aio(image.writeAsync(offset, buf));
            }

            @Override
            public void zero(long offset, long length) throws IOException {
                image.writeZeroes(offset, length);
            }

            @Override
            public void flush() throws IOException {
                image.flush();
            }
        };
    }

    static Sink sink(VolumeDevice device) {
        if (device instanceof RbdDevice rbd) {
            return sink(rbd.image());
        }
        return new Sink() {
            @Override
            public Pending write(long offset, ByteBuffer buf) throws IOException {
                int n = buf.remaining();
                device.write(offset, buf);
                return new Done(n);
            }

            @Override
            public void zero(long offset, long length) throws IOException {
                device.zero(offset, length);
            }

            @Override
            public void flush() throws IOException {
                device.flush();
            }
        };
    }
}
