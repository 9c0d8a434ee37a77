package dev.ember.backup;

import dev.ember.driver.BackupDriverException;
import dev.ember.driver.BackupRef;
import dev.ember.model.Backup;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The chain a restore reads: from the full backup to the restored one, walking parent ids. */
final class BackupChain {

    private BackupChain() {
    }

    /** The chain from the full backup to {@code backup}; a cycle or a missing parent fails it. */
    static List<BackupRef> of(ManagerContext ctx, Backup backup) throws BackupDriverException {
        List<BackupRef> chain = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        Backup cur = backup;
        while (cur != null) {
            if (!seen.add(cur.id())) {
                throw new BackupDriverException("Backup chain of " + backup.id() + " has a cycle at " + cur.id() + ".");
            }
            chain.add(cur.ref());
            if (cur.parentId() == null) {
                break;
            }
            String pid = cur.parentId();
            cur = ctx.tx(dsl -> ctx.backups().find(dsl, pid)).orElse(null);
            if (cur == null) {
                throw new BackupDriverException("Parent backup " + pid + " of the chain of " + backup.id()
                        + " does not exist.");
            }
        }
        Collections.reverse(chain);
        return chain;
    }
}
