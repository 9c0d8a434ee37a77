package dev.ember.driver.rbd;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Decides what deleting a backup removes (cinder's delete, both layouts): candidate images are
 * the service_metadata base, the single base and the backup's own image; the first one holding
 * a snapshot of this backup loses that snapshot, and is removed with it when no other backup
 * snapshot remains; a full-copy image without snapshots is removed whole. Missing data is not an
 * error: the delete then only removes the metadata object.
 */
public final class DeletePlanner {

    private DeletePlanner() {
    }

    public static DeletePlan plan(String backupId, String volumeId, String serviceMetadata, Set<String> images,
                                  Function<String, List<String>> snapshotsOf) {
        List<String> candidates = new ArrayList<>();
        ServiceMetadata.base(serviceMetadata).ifPresent(candidates::add);
        candidates.add(ImageNames.legacyBase(volumeId));
        candidates.add(ImageNames.perBackup(volumeId, backupId));
        String meta = ImageNames.meta(backupId);
        for (String image : candidates.stream().distinct().toList()) {
            if (!images.contains(image)) {
                continue;
            }
            List<String> snaps = snapshotsOf.apply(image);
            List<String> own = snaps.stream().filter(n -> SourceSnapshot.parse(n)
                    .map(s -> s.backupId().equals(backupId)).orElse(false)).toList();
            boolean othersRemain = snaps.stream().map(SourceSnapshot::parse).flatMap(Optional::stream)
                    .anyMatch(s -> !s.backupId().equals(backupId));
            if (!own.isEmpty()) {
                return new DeletePlan(image, own, !othersRemain, meta);
            }
            if (image.equals(ImageNames.perBackup(volumeId, backupId)) && !othersRemain) {
                return new DeletePlan(image, List.of(), true, meta);
            }
        }
        return new DeletePlan(null, List.of(), false, meta);
    }

    /**
     * The volume's single base when it holds no backup snapshot at all: only a delete killed after
     * removing the last snapshot (or a first backup still running) leaves that. Empty otherwise.
     */
    public static Optional<String> emptyBase(String volumeId, Set<String> images,
                                             Function<String, List<String>> snapshotsOf) {
        String base = ImageNames.legacyBase(volumeId);
        if (!images.contains(base)) {
            return Optional.empty();
        }
        boolean hasBackupSnapshot = snapshotsOf.apply(base).stream().anyMatch(n -> SourceSnapshot.parse(n).isPresent());
        return hasBackupSnapshot ? Optional.empty() : Optional.of(base);
    }
}
