package dev.ember.rpc.amqp;

import dev.ember.rpc.oslo.BackupObject;

/**
 * Where the AMQP client gets the Backup object to send: cinder's RPC API passes the whole versioned
 * object, Ember's {@link dev.ember.rpc.BackupRpc} only the id. The wiring loads the {@code backups}
 * row (with its metadata) and converts it, e.g.
 * <pre>{@code id -> db.tx(dsl -> backups.find(dsl, id)).map(BackupObjects::of).orElseThrow(...)}</pre>
 * Called on the caller's (worker) thread; may block.
 */
@FunctionalInterface
public interface BackupObjectSource {

    /** The backup (deleted rows included, as a delete may race), or a {@code BackupNotFound} CinderException. */
    BackupObject load(String backupId);
}
