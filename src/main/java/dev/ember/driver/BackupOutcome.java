package dev.ember.driver;

/**
 * What a driver reports after a successful backup; the manager writes it to the backups row in
 * the same transaction that makes the backup {@code available}.
 *
 * @param container       the container actually used (cinder saves the driver's default)
 * @param serviceMetadata driver-private locator (chunked: object prefix; rbd: {"base": ...})
 * @param objectCount     number of data objects written (0 for RBD)
 */
public record BackupOutcome(String container, String serviceMetadata, int objectCount) {
}
