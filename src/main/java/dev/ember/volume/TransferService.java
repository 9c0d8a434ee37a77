package dev.ember.volume;

import dev.ember.auth.Policy;
import dev.ember.auth.RequestContext;
import dev.ember.db.BackupRepository;
import dev.ember.db.Database;
import dev.ember.db.SnapshotRepository;
import dev.ember.db.TransferRepository;
import dev.ember.db.VolumeRepository;
import dev.ember.error.CinderException;
import dev.ember.model.Snapshot;
import dev.ember.model.ProjectScope;
import dev.ember.model.Transfer;
import dev.ember.model.Volume;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * cinder's volume transfers (cinder/transfer/api.py): offer an available volume to another
 * project with a random auth key, accept it there, or withdraw the offer. Only the hash of the key
 * is stored (HMAC-SHA1 keyed with a random salt, as cinder stores it), so a cinder sharing the
 * database accepts Ember's transfers and the other way round. Encrypted volumes are refused:
 * moving their keys between projects is Barbican's work, which the embedded profile does not do.
 */
public final class TransferService {

    /** A new transfer and its auth key, which exists only in this answer. */
    public record Created(Transfer transfer, String authKey) {
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Database db;
    private final VolumeRepository volumes;
    private final TransferRepository rows = new TransferRepository();
    private final SnapshotRepository snapshots = new SnapshotRepository();
    private final Policy policy;

    public TransferService(Database db, VolumeRepository volumes, Policy policy) {
        this.db = db;
        this.volumes = volumes;
        this.policy = policy;
    }

    /** The caller's project's transfers (every project's for an admin asking for all_tenants). */
    public List<Transfer> list(RequestContext ctx, boolean allTenants, String name) {
        policy.enforce("volume:get_all_transfers", ctx);
        String project = ctx.isAdmin() && allTenants ? null : ctx.projectId();
        return db.tx(dsl -> rows.list(dsl, project, name));
    }

    public Transfer get(RequestContext ctx, String id) {
        policy.enforce("volume:get_transfer", ctx);
        return db.tx(dsl -> rows.find(dsl, id).filter(t -> ctx.finds(rows.volumeProject(dsl, t))))
                .orElseThrow(() -> notFound(id));
    }

    public Created create(RequestContext ctx, String volumeId, String name, boolean noSnapshots) {
        return db.tx(dsl -> {
            Volume v = volumes.lock(dsl, volumeId).filter(x -> ctx.finds(x.projectId()))
                    .orElseThrow(() -> CinderException.volumeNotFound(volumeId));
            policy.enforce("volume:create_transfer", ctx, Policy.target(v.projectId(), v.userId()));
            if (!"available".equals(v.status())) {
                throw CinderException.badRequest("Invalid volume: status must be available");
            }
            if (v.encryptionKeyId() != null) {
                throw CinderException.badRequest("Invalid volume: transferring encrypted volume is not supported");
            }
            if (!noSnapshots) {
                for (Snapshot s : snapshots.list(dsl, ProjectScope.ALL, volumeId, null, null,
                        Integer.MAX_VALUE, 0)) {
                    if (!"available".equals(s.status())) {
                        throw CinderException.badRequest("Invalid snapshot: snapshot: " + s.id()
                                + " status must be available");
                    }
                }
            }
            String salt = randomHex(8);
            String authKey = randomHex(16);
            Transfer t = new Transfer(UUID.randomUUID().toString(), volumeId, name, salt, hash(salt, authKey),
                    noSnapshots, v.projectId(), null, false, BackupRepository.now());
            rows.insert(dsl, t);
            return new Created(t, authKey);
        });
    }

    public Transfer accept(RequestContext ctx, String id, String authKey) {
        policy.enforce("volume:accept_transfer", ctx);
        return db.tx(dsl -> {
            Transfer t = rows.find(dsl, id).orElseThrow(() -> notFound(id));
            if (!MessageDigest.isEqual(hash(t.salt(), authKey).getBytes(StandardCharsets.US_ASCII),
                    Objects.requireNonNullElse(t.cryptHash(), "").getBytes(StandardCharsets.US_ASCII))) {
                throw CinderException.badRequest("Invalid auth key: Attempt to transfer " + id
                        + " with invalid auth key.");
            }
            volumes.lock(dsl, t.volumeId()).orElseThrow(() -> CinderException.volumeNotFound(t.volumeId()));
            rows.accept(dsl, t, ctx.userId(), ctx.projectId());
            return t;
        });
    }

    public void delete(RequestContext ctx, String id) {
        db.tx(dsl -> {
            Transfer t = rows.find(dsl, id).filter(x -> ctx.finds(rows.volumeProject(dsl, x)))
                    .orElseThrow(() -> notFound(id));
            Volume v = volumes.find(dsl, t.volumeId()).orElseThrow(() -> CinderException.volumeNotFound(t.volumeId()));
            policy.enforce("volume:delete_transfer", ctx, Policy.target(v.projectId(), v.userId()));
            rows.destroy(dsl, t);
            return null;
        });
    }

    /** cinder's _get_crypt_hash: HMAC-SHA1 of the auth key keyed with the salt, in hex. */
    static String hash(String salt, String authKey) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(salt.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return HexFormat.of().formatHex(mac.doFinal(authKey.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String randomHex(int length) {
        byte[] b = new byte[(length + 1) / 2];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b).substring(0, length);
    }

    private static CinderException notFound(String id) {
        return CinderException.notFound("Transfer " + id + " could not be found.");
    }
}
