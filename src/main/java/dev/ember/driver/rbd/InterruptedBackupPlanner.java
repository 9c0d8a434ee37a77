package dev.ember.driver.rbd;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Decides what a backup killed mid-creation left behind, after its own snapshot, image and
 * metadata object were deleted ({@link DeletePlanner}). Pure, for the startup cleanup.
 *
 * <ul>
 *   <li>Its {@code backup.<id>.snap.*} snapshots on the source go: no base keeps them, so no
 *       later backup can start from them.</li>
 *   <li>The single base with no backup snapshot at all goes: a finished backup always leaves one
 *       there, so only an interrupted first backup makes such a base.</li>
 *   <li>Every base of the volume (an image with backup snapshots) gets its head put back to its
 *       newest snapshot: the next differential writes onto the head, and a copy cut short left
 *       part of a diff there. Full-copy images have no snapshots and are not bases.</li>
 * </ul>
 */
public final class InterruptedBackupPlanner {

    private InterruptedBackupPlanner() {
    }

    public static InterruptedBackupPlan plan(String backupId, String volumeId, List<String> sourceSnapshots,
                                             Set<String> images, Function<String, List<String>> snapshotsOf) {
        List<String> ownOnSource = sourceSnapshots.stream()
                .filter(n -> SourceSnapshot.parse(n).map(s -> s.backupId().equals(backupId)).orElse(false))
                .toList();
        String prefix = "volume-" + volumeId + ".backup.";
        List<String> remove = new java.util.ArrayList<>();
        Map<String, String> settle = new LinkedHashMap<>();
        for (String image : images.stream().filter(i -> i.startsWith(prefix)).sorted().toList()) {
            Optional<SourceSnapshot> newest = snapshotsOf.apply(image).stream().map(SourceSnapshot::parse)
                    .flatMap(Optional::stream).sorted(SourceSnapshot.NEWEST_FIRST).findFirst();
            if (newest.isPresent()) {
                settle.put(image, newest.get().name());
            } else if (image.equals(ImageNames.legacyBase(volumeId))) {
                remove.add(image);
            }
        }
        return new InterruptedBackupPlan(ownOnSource, List.copyOf(remove), java.util.Collections.unmodifiableMap(settle));
    }
}
