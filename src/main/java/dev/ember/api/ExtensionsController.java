package dev.ember.api;

import dev.ember.error.CinderException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code /extensions} (cinder/api/extensions.py ExtensionsResource): the list cinder-api 21 (Zed)
 * answers with its standard extensions loaded, in its order (recorded from Debian's cinder-api in
 * extensions.json), and one extension by alias. Clients such as Horizon read it to decide which
 * panels to show.
 */
final class ExtensionsController {

    private final JsonArray extensions;

    ExtensionsController() {
        try (InputStream in = ExtensionsController.class.getResourceAsStream("extensions.json")) {
            extensions = new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getJsonArray("extensions");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    ApiResponse index(ApiRequest r) {
        return ApiResponse.json(200, new JsonObject().put("extensions", extensions.copy()));
    }

    ApiResponse show(ApiRequest r) {
        String alias = r.param("id");
        for (Object o : extensions) {
            JsonObject e = (JsonObject) o;
            if (alias.equals(e.getString("alias"))) {
                return ApiResponse.json(200, new JsonObject().put("extension", e.copy()));
            }
        }
        throw CinderException.notFound("The resource could not be found.");
    }
}
