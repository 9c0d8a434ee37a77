package dev.ember.driver.chunked;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** An in-memory {@link ObjectStore} for tests; it must pass the same conformance suite. */
final class MemoryObjectStore implements ObjectStore {

    private final Set<String> containers = ConcurrentHashMap.newKeySet();
    private final Map<String, byte[]> objects = new ConcurrentHashMap<>();

    @Override
    public void createContainer(String container) throws IOException {
        containers.add(StoreNames.checkContainer(container));
    }

    @Override
    public ObjectWriter create(String container, String name) throws IOException {
        String key = key(container, name);
        if (!containers.contains(container)) {
            throw new NoSuchFileException(container);
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        return new ObjectWriter() {
            @Override
            public void write(byte[] b, int off, int len) {
                buf.write(b, off, len);
            }

            @Override
            public void overwrite(long position, byte[] data) {
                if (position < 0 || position + data.length > Math.min(buf.size(), OVERWRITABLE_HEAD)) {
                    throw new IllegalArgumentException("overwrite outside the written head");
                }
                byte[] all = buf.toByteArray();
                System.arraycopy(data, 0, all, (int) position, data.length);
                buf.reset();
                buf.writeBytes(all);
            }

            @Override
            public long bytesWritten() {
                return buf.size();
            }

            @Override
            public void commit() {
                objects.put(key, buf.toByteArray());
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public InputStream open(String container, String name) throws IOException {
        byte[] b = objects.get(key(container, name));
        if (b == null) {
            throw new NoSuchFileException(container + "/" + name);
        }
        return new ByteArrayInputStream(b);
    }

    @Override
    public List<String> list(String container, String prefix) throws IOException {
        StoreNames.checkContainer(container);
        if (!containers.contains(container)) {
            throw new NoSuchFileException(container);
        }
        List<String> out = new ArrayList<>();
        for (String k : objects.keySet()) {
            int slash = k.lastIndexOf('/');
            if (k.substring(0, slash).equals(container) && k.substring(slash + 1).startsWith(prefix)) {
                out.add(k.substring(slash + 1));
            }
        }
        out.sort(null);
        return out;
    }

    @Override
    public void delete(String container, String name) throws IOException {
        objects.remove(key(container, name));
    }

    /** Every stored object as {@code container/name}. */
    java.util.SortedSet<String> keys() {
        return new java.util.TreeSet<>(objects.keySet());
    }

    byte[] get(String container, String name) {
        return objects.get(container + "/" + name);
    }

    private static String key(String container, String name) throws InvalidObjectNameException {
        return StoreNames.checkContainer(container) + "/" + StoreNames.checkObject(name);
    }
}
