package dev.ember.driver.rbd;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Where a backup's data is and how to bring it back (cinder's rules, mechanism M3): the backup's
 * snapshot on its base (service_metadata base, else the single base), else its full-copy image.
 * A differential restore needs an empty RBD target that is not the backup's own source volume;
 * anything else is a full copy.
 */
public final class RestorePlanner {

    /** What the planner looks at. */
    public record Inputs(String backupId, String volumeId, String serviceMetadata, Set<String> backupPoolImages,
                         Function<String, List<String>> snapshotsOf, boolean targetIsRbd, boolean targetIsEmpty,
                         String targetVolumeId) {
    }

    private RestorePlanner() {
    }

    public static RestorePlan plan(Inputs in) {
        String base = ServiceMetadata.base(in.serviceMetadata()).orElse(ImageNames.legacyBase(in.volumeId()));
        if (in.backupPoolImages().contains(base)) {
            Optional<String> point = in.snapshotsOf().apply(base).stream().map(SourceSnapshot::parse)
                    .flatMap(Optional::stream).filter(s -> s.backupId().equals(in.backupId()))
                    .map(SourceSnapshot::name).findFirst();
            if (point.isPresent()) {
                boolean diff = in.targetIsRbd() && in.targetIsEmpty() && !in.volumeId().equals(in.targetVolumeId());
                return diff ? new RestorePlan.Differential(base, point.get()) : new RestorePlan.FullCopy(base, point.get());
            }
        }
        String image = ImageNames.perBackup(in.volumeId(), in.backupId());
        if (in.backupPoolImages().contains(image)) {
            // A full copy (no snapshots), or a per-chain base whose own snapshot is gone.
            return new RestorePlan.FullCopy(image, null);
        }
        return new RestorePlan.Missing("no data for backup " + in.backupId() + ": neither a snapshot on " + base
                + " nor an image " + image + " exists");
    }
}
