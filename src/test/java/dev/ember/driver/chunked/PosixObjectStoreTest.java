package dev.ember.driver.chunked;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PosixObjectStoreTest extends ObjectStoreConformance {

    @TempDir
    Path tmp;

    @Override
    protected ObjectStore newStore() {
        return new PosixObjectStore(tmp.resolve("backup"));
    }

    @Test
    void layoutAndModesMatchCinder() throws Exception {
        store.createContainer("ab/cd/abcd-1234");
        put(store, "ab/cd/abcd-1234", "obj", new byte[] {1});
        Path root = tmp.resolve("backup");
        Path file = root.resolve("ab/cd/abcd-1234/obj");
        assertTrue(Files.isRegularFile(file));
        assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        for (String d : List.of("ab", "ab/cd", "ab/cd/abcd-1234")) {
            assertEquals("rwxrwx---", PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve(d))), d);
        }
    }

    @Test
    void temporaryFilesAreHiddenFromListings() throws Exception {
        try (ObjectWriter w = store.create("c1", "prefix-00001")) {
            w.write(new byte[10]);
            try (var files = Files.list(tmp.resolve("backup/c1"))) {
                assertEquals(1, files.count()); // the temporary file exists...
            }
            assertEquals(List.of(), store.list("c1", "")); // ...but is not an object
            assertEquals(List.of(), store.list("c1", "."));
        }
        try (var files = Files.list(tmp.resolve("backup/c1"))) {
            assertEquals(0, files.count()); // and is gone after an uncommitted close
        }
    }

    @Test
    void uncommittedFilesOfAKilledWriteAreRemovedForTheirPrefixOnly() throws Exception {
        store.createContainer("c1");
        put(store, "c1", "mine-00001", new byte[] {1});
        Path dir = tmp.resolve("backup/c1");
        // What a kill between create and commit leaves behind, for this backup and another one.
        Files.write(dir.resolve(".mine-00002.tmp-0b9c"), new byte[] {2});
        Files.write(dir.resolve(".other-00001.tmp-77aa"), new byte[] {3});
        store.deleteUncommitted("c1", "mine");
        try (var files = Files.list(dir)) {
            assertEquals(List.of(".other-00001.tmp-77aa", "mine-00001"),
                    files.map(f -> f.getFileName().toString()).sorted().toList());
        }
        store.deleteUncommitted("nope", "mine"); // no container: nothing to do
    }

    @ParameterizedTest
    @ValueSource(strings = {"..", "../outside", "a/../../outside", "/etc", "a/./b", "a/", "x\0y"})
    void containersCannotEscapeTheRoot(String container) {
        InvalidObjectNameException e = assertThrows(InvalidObjectNameException.class,
                () -> store.createContainer(container));
        assertTrue(e.getMessage().startsWith("Invalid backup container"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("outside")));
    }

    @Test
    void symlinkOutOfTheRootIsRefused() throws Exception {
        Path outside = Files.createDirectory(tmp.resolve("outside"));
        Files.createSymbolicLink(tmp.resolve("backup/link"), outside);
        assertThrows(InvalidObjectNameException.class, () -> store.createContainer("link"));
        assertThrows(InvalidObjectNameException.class, () -> store.create("link", "o"));
        assertThrows(InvalidObjectNameException.class, () -> store.list("link", ""));
        try (var files = Files.list(outside)) {
            assertEquals(0, files.count());
        }
    }
}
