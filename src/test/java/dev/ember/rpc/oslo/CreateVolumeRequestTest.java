package dev.ember.rpc.oslo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ember.model.VolumeType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The scheduler's {@code create_volume} cast that the API role sends for a restore into a new
 * volume, compared with the one Debian's cinder-api 21.3.1 sent for {@code cinder backup-restore}
 * without {@code --volume} (recorded off the broker with tests/interop/capture-cast.py into
 * tests/rpc/captures/rpc-create_volume-api-to-scheduler.json). Given the same ids, names, times,
 * volume type and reservation uuids, Ember's arguments are the same JSON: every object's name,
 * namespace, version, fields and values; the change lists as sets (Python writes them in set order).
 */
class CreateVolumeRequestTest {

    static final JsonNode CAPTURE = Captures.load("rpc-create_volume-api-to-scheduler.json");

    @Test
    void argumentsAreCinderApisForTheSameVolume() {
        JsonNode cinder = Captures.inner(CAPTURE);
        JsonNode spec = cinder.at("/args/request_spec/versioned_object.data");
        JsonNode vol = cinder.at("/args/volume/versioned_object.data");
        JsonNode type = spec.at("/volume_type/versioned_object.data");
        JsonNode props = spec.at("/volume_properties/versioned_object.data");

        CreateVolumeRequest.NewVolume v = new CreateVolumeRequest.NewVolume(vol.get("id").asText(),
                vol.get("user_id").asText(), vol.get("project_id").asText(), vol.get("size").asInt(),
                vol.get("availability_zone").asText(), vol.get("display_name").asText(),
                vol.get("display_description").asText(), volumeType(type), strings(vol.get("metadata")),
                OvoTime.parse(vol.get("created_at").asText()));
        List<String> reservations = new ArrayList<>();
        props.get("reservations").forEach(r -> reservations.add(r.asText()));
        List<String> zones = new ArrayList<>();
        spec.get("availability_zones").forEach(z -> zones.add(z.asText()));

        RpcRequest ours = RpcRequest.cast(CreateVolumeRequest.METHOD, CreateVolumeRequest.args(v, reservations, zones),
                CreateVolumeRequest.VERSION, RpcContext.of(vol.get("user_id").asText(), vol.get("project_id").asText(),
                        true, List.of("admin"), "token", null, null));
        JsonNode sent = Captures.tree(Captures.tree(OsloCodec.encode(ours)).get("oslo.message").asText()
                .getBytes(StandardCharsets.UTF_8));

        assertEquals(cinder.get("method"), sent.get("method"));
        assertEquals(cinder.get("version"), sent.get("version"));
        assertEquals(normalised(cinder.get("args")), normalised(sent.get("args")));
        assertEquals(contextKeys(cinder), contextKeys(sent), "the request context's keys");
        // Key order of the arguments as cinder's SchedulerAPI writes them.
        assertEquals(fieldNames(cinder.get("args")), fieldNames(sent.get("args")));
        assertEquals(fieldNames(vol), fieldNames(sent.at("/args/volume/versioned_object.data")));
    }

    private static VolumeType volumeType(JsonNode t) {
        List<String> projects = new ArrayList<>();
        t.get("projects").forEach(p -> projects.add(p.asText()));
        return new VolumeType(t.get("id").asText(), t.get("name").asText(), t.get("description").asText(null),
                t.get("is_public").asBoolean(), t.get("qos_specs_id").asText(null), strings(t.get("extra_specs")),
                projects, OvoTime.parse(t.get("created_at").asText(null)),
                OvoTime.parse(t.get("updated_at").asText(null)), OvoTime.parse(t.get("deleted_at").asText(null)),
                t.get("deleted").asBoolean());
    }

    private static Map<String, String> strings(JsonNode o) {
        Map<String, String> m = new LinkedHashMap<>();
        o.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
        return m;
    }

    /** A copy with every versioned_object.changes list sorted. */
    private static JsonNode normalised(JsonNode n) {
        JsonNode c = n.deepCopy();
        sortChanges(c);
        return c;
    }

    private static void sortChanges(JsonNode n) {
        if (n instanceof ObjectNode o) {
            if (o.get(VersionedObject.CHANGES_KEY) instanceof ArrayNode a) {
                TreeSet<String> sorted = new TreeSet<>();
                a.forEach(x -> sorted.add(x.asText()));
                ArrayNode s = o.putArray(VersionedObject.CHANGES_KEY);
                sorted.forEach(s::add);
            }
            o.elements().forEachRemaining(CreateVolumeRequestTest::sortChanges);
        } else if (n instanceof ArrayNode a) {
            a.forEach(CreateVolumeRequestTest::sortChanges);
        }
    }

    private static Set<String> contextKeys(JsonNode msg) {
        Set<String> keys = new TreeSet<>();
        msg.fieldNames().forEachRemaining(k -> {
            if (k.startsWith(RpcContext.PREFIX)) {
                keys.add(k);
            }
        });
        return keys;
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> out = new ArrayList<>();
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            out.add(it.next());
        }
        return out;
    }
}
