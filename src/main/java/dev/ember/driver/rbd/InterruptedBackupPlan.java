package dev.ember.driver.rbd;

import java.util.List;
import java.util.Map;

/**
 * What settling a backup interrupted by a crash does beyond deleting it: the source snapshots it
 * took, the base it had only begun to create, and the bases whose head it may have written
 * into, with the snapshot each head goes back to.
 *
 * @param sourceSnapshots backup snapshots of this backup on the source volume
 * @param removeImages    bases without a single backup snapshot (only a backup that never finished makes one)
 * @param settleHeads     base image → its newest backup snapshot, which the head must equal again
 */
public record InterruptedBackupPlan(List<String> sourceSnapshots, List<String> removeImages,
                                    Map<String, String> settleHeads) {
}
