package dev.ember.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ember.model.Transfer;
import dev.ember.volume.TransferService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * Volume transfers: {@code /os-volume-transfer} (cinder/api/v3/volume_transfer.py over the
 * contrib controller) and, from 3.55, {@code /volume-transfers}; views of
 * cinder/api/views/transfers.py.
 */
final class TransfersController {

    private static final String COLLECTION = "os-volume-transfer";

    /** cinder/api/schemas/volume_transfer.py {@code create} (and {@code create_v355} with no_snapshots). */
    private static Schema createSchema(boolean v355) {
        Schema t = new Schema().prop("volume_id", Schema.uuid(false)).prop("name", Schema.string(0, 255, true));
        if (v355) {
            t.prop("no_snapshots", Schema.bool());
        }
        return new Schema().prop("transfer", Schema.object(t.required("volume_id"), "transfer", false))
                .required("transfer");
    }

    /** cinder/api/schemas/volume_transfer.py {@code accept}. */
    private static final Schema ACCEPT = new Schema().prop("accept", Schema.object(new Schema()
            .prop("auth_key", v -> v.isTextual() || v.isIntegralNumber() ? null
                    : PyRepr.of(v) + " is not of type 'string', 'integer'")
            .required("auth_key"), "accept", false)).required("accept");

    private final TransferService transfers;

    TransfersController(TransferService transfers) {
        this.transfers = transfers;
    }

    ApiResponse index(ApiRequest r) {
        return list(r, false);
    }

    ApiResponse detail(ApiRequest r) {
        return list(r, true);
    }

    private ApiResponse list(ApiRequest r, boolean detail) {
        String name = r.query().get("name") != null ? r.query().get("name") : r.query().get("display_name");
        List<Transfer> all = transfers.list(r.context(), ListParams.allTenants(r), name);
        JsonArray out = new JsonArray();
        for (Transfer t : all) {
            out.add(detail ? detail(t, r) : summary(t, r));
        }
        return ApiResponse.json(200, new JsonObject().put("transfers", out));
    }

    ApiResponse show(ApiRequest r) {
        Transfer t = transfers.get(r.context(), r.param("id"));
        return ApiResponse.json(200, new JsonObject().put("transfer", detail(t, r)));
    }

    ApiResponse create(ApiRequest r) {
        JsonNode body = r.body();
        boolean v355 = r.version().atLeast(3, 55);
        createSchema(v355).validate(null, body);
        JsonNode t = body.get("transfer");
        JsonNode n = t.get("name");
        String name = n == null || n.isNull() ? null : n.asText().strip();
        boolean noSnapshots = v355 && Schema.truthy(t.get("no_snapshots"));
        TransferService.Created c = transfers.create(r.context(), t.get("volume_id").asText(), name, noSnapshots);
        JsonObject view = detail(c.transfer(), r);
        view.put("auth_key", c.authKey());
        return ApiResponse.json(202, new JsonObject().put("transfer", view));
    }

    ApiResponse accept(ApiRequest r) {
        JsonNode body = r.body();
        ACCEPT.validate(null, body);
        Transfer t = transfers.accept(r.context(), r.param("id"), body.get("accept").get("auth_key").asText());
        return ApiResponse.json(202, new JsonObject().put("transfer", summary(t, r)));
    }

    ApiResponse delete(ApiRequest r) {
        transfers.delete(r.context(), r.param("id"));
        return ApiResponse.bare(202);
    }

    private static JsonObject summary(Transfer t, ApiRequest r) {
        return new JsonObject().put("id", t.id()).put("volume_id", t.volumeId()).put("name", t.displayName())
                .put("links", Links.of(r.appUrl(), r.projectId(), COLLECTION, t.id()));
    }

    private static JsonObject detail(Transfer t, ApiRequest r) {
        JsonObject o = new JsonObject().put("id", t.id()).put("created_at", BackupViews.time(t.createdAt()))
                .put("name", t.displayName()).put("volume_id", t.volumeId())
                .put("links", Links.of(r.appUrl(), r.projectId(), COLLECTION, t.id()));
        if (r.version().atLeast(3, 55)) {
            o.put("no_snapshots", t.noSnapshots());
        }
        if (r.version().atLeast(3, 57)) {
            o.put("destination_project_id", t.destinationProjectId()).put("source_project_id", t.sourceProjectId())
                    .put("accepted", t.accepted());
        }
        return o;
    }
}
