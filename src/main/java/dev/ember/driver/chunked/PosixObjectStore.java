package dev.ember.driver.chunked;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Objects as files under {@code backup_posix_path}, laid out exactly like cinder's
 * {@code PosixBackupDriver}: {@code <root>/<container>/<object>}, directories 0770, files 0660.
 *
 * <p>Unlike cinder, an object is written to a hidden temporary file and only renamed to its name
 * once complete and durable ({@link AtomicFileWriter}), so no reader, cinder's included, ever sees
 * half an object. Temporary names start with a dot, which cinder's prefix listing never matches.
 */
public final class PosixObjectStore implements ObjectStore {

    private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwxrwx---");
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-rw----");

    private final Path root;

    private static final String TMP_MARK = ".tmp-";

    public PosixObjectStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    @Override
    public void createContainer(String container) throws IOException {
        StoreNames.checkContainer(container);
        Files.createDirectories(root);
        Path dir = root;
        for (String segment : container.split("/")) {
            dir = dir.resolve(segment);
            try {
                Files.createDirectory(dir);
                chmod(dir, DIR_MODE);
            } catch (FileAlreadyExistsException e) {
                if (!Files.isDirectory(dir)) {
                    throw new IOException("backup container path " + dir + " exists and is not a directory");
                }
            }
        }
        checkInsideRoot(containerDir(container), container);
    }

    @Override
    public ObjectWriter create(String container, String name) throws IOException {
        Path dir = containerDir(container);
        Path target = dir.resolve(StoreNames.checkObject(name));
        checkInsideRoot(dir, container);
        Path tmp = dir.resolve(StoreNames.RESERVED_PREFIX + name + TMP_MARK + UUID.randomUUID());
        FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            chmod(tmp, FILE_MODE);
        } catch (IOException | RuntimeException e) {
            ch.close();
            Files.deleteIfExists(tmp);
            throw e;
        }
        return new AtomicFileWriter(ch, tmp, target);
    }

    @Override
    public InputStream open(String container, String name) throws IOException {
        Path dir = containerDir(container);
        checkInsideRoot(dir, container);
        return Files.newInputStream(dir.resolve(StoreNames.checkObject(name)));
    }

    @Override
    public List<String> list(String container, String prefix) throws IOException {
        Path dir = containerDir(container);
        checkInsideRoot(dir, container);
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String n = p.getFileName().toString();
                if (n.startsWith(prefix) && !n.startsWith(StoreNames.RESERVED_PREFIX)
                        && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    names.add(n);
                }
            }
        }
        Collections.sort(names);
        return names;
    }

    @Override
    public void delete(String container, String name) throws IOException {
        Path dir = containerDir(container);
        checkInsideRoot(dir, container);
        Files.deleteIfExists(dir.resolve(StoreNames.checkObject(name)));
    }

    /** The hidden temporary files of {@link #create} for names starting with {@code prefix}. */
    @Override
    public void deleteUncommitted(String container, String prefix) throws IOException {
        Path dir = containerDir(container);
        checkInsideRoot(dir, container);
        String hidden = StoreNames.RESERVED_PREFIX + prefix;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String n = p.getFileName().toString();
                if (n.startsWith(hidden) && n.contains(TMP_MARK) && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (java.nio.file.NoSuchFileException e) {
            // no container, nothing written
        }
    }

    private Path containerDir(String container) throws InvalidObjectNameException {
        Path dir = root.resolve(StoreNames.checkContainer(container)).normalize();
        if (!dir.startsWith(root)) {
            throw new InvalidObjectNameException("Invalid backup container '" + StoreNames.printable(container)
                    + "': it resolves outside the backup repository");
        }
        return dir;
    }

    /** Names are checked lexically; this also catches a symlink inside the root pointing out of it. */
    private void checkInsideRoot(Path dir, String container) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        if (!dir.toRealPath().startsWith(root.toRealPath())) {
            throw new InvalidObjectNameException("Invalid backup container '" + StoreNames.printable(container)
                    + "': it resolves outside the backup repository");
        }
    }

    private static void chmod(Path p, Set<PosixFilePermission> mode) throws IOException {
        try {
            Files.setPosixFilePermissions(p, mode);
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system: nothing to set, and nothing cinder would have set either.
        }
    }

    private static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }
}
