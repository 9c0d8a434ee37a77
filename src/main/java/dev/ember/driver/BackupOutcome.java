package dev.ember.driver;

/**
 * What a driver reports after a successful backup; the manager writes it to the backups row in
 * the same transaction that makes the backup {@code available}.
 *
 * @param container       the container actually used (cinder saves the driver's default)
 * @param serviceMetadata driver-private locator (chunked: object prefix; rbd: {"base": ...})
 * @param objectCount     number of data objects written (0 for RBD)
 * @param parent          the chain link the data really has, which may differ from the request
 *                        (the RBD driver diffs from the source's previous snapshot, or falls
 *                        back to a full copy)
 */
public record BackupOutcome(String container, String serviceMetadata, int objectCount, ParentLink parent) {

    public BackupOutcome(String container, String serviceMetadata, int objectCount) {
        this(container, serviceMetadata, objectCount, ParentLink.AS_REQUESTED);
    }

    /** The parent the driver's data depends on. */
    public sealed interface ParentLink {
        /** The backup depends on the parent the API chose (or none, for a full). */
        ParentLink AS_REQUESTED = new AsRequested();

        /** The data is a full copy: no parent, whatever was requested. */
        ParentLink NONE = new Parent(null);

        static ParentLink of(String parentId) {
            return new Parent(parentId);
        }

        record AsRequested() implements ParentLink {
        }

        /** @param id the backup the data depends on, null for none */
        record Parent(String id) implements ParentLink {
        }
    }
}
