package dev.ember.backup;

import dev.ember.testing.Api;
import dev.ember.testing.EmberServer;
import dev.ember.testing.TestDatabase;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The backup quota holds under concurrent creates: with 3 backups left in a project's quota, 10
 * creates sent at once on 10 volumes are answered 202 exactly 3 times and 413 otherwise, never
 * 500, and the project ends at its limit. Both for a project's first-ever backups (no usage row
 * yet: its creation races) and for a project that already has one (the count races). On the real
 * MariaDB through the API.
 */
class QuotaRaceTest {

    @Test
    void concurrentCreatesNeverExceedTheQuota() throws Exception {
        EmberServer server = EmberServer.shared();
        for (int round = 0; round < 4; round++) {
            Api api = server.api.newProject();
            boolean seeded = round % 2 == 1;
            TestDatabase.execute("INSERT INTO quotas (created_at, deleted, project_id, resource, hard_limit) "
                    + "VALUES (NOW(), 0, ?, 'backups', ?)", api.project, seeded ? 4 : 3);
            if (seeded) {
                String first = api.createBackup(api.createVolume(1), false);
                api.awaitBackupStatus(first, "available");
            }
            List<String> volumes = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                volumes.add(api.createVolume(1));
            }
            ExecutorService pool = Executors.newFixedThreadPool(10);
            CountDownLatch go = new CountDownLatch(1);
            List<CompletableFuture<Api.Resp>> answers = new ArrayList<>();
            for (String vol : volumes) {
                answers.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    return api.post("/backups", "{\"backup\": {\"volume_id\": \"" + vol + "\"}}");
                }, pool));
            }
            go.countDown();
            Map<Integer, Integer> statuses = new TreeMap<>();
            for (var a : answers) {
                Api.Resp r = a.get();
                statuses.merge(r.status(), 1, Integer::sum);
                assertTrue(r.status() == 202 || r.status() == 413, "round " + round + ": " + r.status() + " " + r.text());
            }
            pool.shutdown();
            assertEquals(Map.of(202, 3, 413, 7), statuses, "round " + round);
            assertEquals(seeded ? "4" : "3", TestDatabase.queryString(
                    "SELECT COUNT(*) FROM backups WHERE project_id = ? AND deleted = 0", api.project));
        }
    }
}
