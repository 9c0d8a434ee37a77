package dev.ember.driver.chunked;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * Where a chunked backup's objects live: a flat namespace of named byte strings grouped in
 * containers. Deliberately small (restic's backend / cinder's object writer-reader): chunking,
 * hashing, compression and formats all live in the driver, so a new backend (NFS, S3, Swift) only
 * implements these five calls.
 *
 * <p>Implementations must be safe for concurrent use by several threads. Names handed in come from
 * users and the database; an implementation must refuse names it cannot store safely with
 * {@link InvalidObjectNameException} rather than map them somewhere unexpected.
 */
public interface ObjectStore {

    /** Makes sure {@code container} exists (cinder {@code put_container}); existing is fine. */
    void createContainer(String container) throws IOException;

    /**
     * Starts a new object. Nothing is visible under {@code name} until {@link ObjectWriter#commit()}
     * succeeds, and then the whole object is visible at once; an existing object of that name is
     * replaced. Closing the writer without committing discards what was written.
     */
    ObjectWriter create(String container, String name) throws IOException;

    /** Opens an object for streaming reads; {@link java.nio.file.NoSuchFileException} if absent. */
    InputStream open(String container, String name) throws IOException;

    /**
     * Names of the committed objects in {@code container} starting with {@code prefix}, sorted.
     * {@link java.nio.file.NoSuchFileException} if the container does not exist.
     */
    List<String> list(String container, String prefix) throws IOException;

    /** Deletes an object; an object that does not exist is not an error. */
    void delete(String container, String name) throws IOException;

    /**
     * Removes what writes of objects named {@code prefix...} left uncommitted when the process
     * died (only the startup cleanup calls this: no writer of that prefix is running then).
     */
    default void deleteUncommitted(String container, String prefix) throws IOException {
    }
}
