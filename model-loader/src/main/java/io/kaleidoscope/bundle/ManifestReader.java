package io.kaleidoscope.bundle;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads {@code manifest.json} strictly: a value of the wrong JSON type is an error, not something
 * to coerce ({@code "d_model": "128"}, {@code "format_version": 1.9} and {@code "heads": null} are
 * refused rather than read as 128, 1 and 0), and so is a key given twice (which copy would a
 * reader believe?). Unknown keys stay allowed, so a newer exporter may add information (§2).
 */
final class ManifestReader {
    /**
     * Largest manifest read. The shipped ones are under 40 KB and a base bundle's under 100 KB;
     * the cap keeps a runaway file from being parsed into memory.
     */
    static final long MAX_BYTES = 16L << 20;

    private static final ObjectMapper JSON = strictMapper();

    private ManifestReader() {}

    private static ObjectMapper strictMapper() {
        ObjectMapper mapper = JsonMapper.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)          // "128" is no int
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)         // 1.9 is no int
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)  // a missing or null number is no 0
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .build();
        // 5 is no name either (an int may still widen to a double: "len_penalty": 1).
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        return mapper;
    }

    /** The manifest of the bundle in {@code directory}, or a BundleException naming manifest.json. */
    static Manifest read(Path directory) {
        Path file = directory.resolve("manifest.json");
        if (!Files.isRegularFile(file)) {
            throw refused(directory, "missing");
        }
        JsonNode tree;
        try {
            long size = Files.size(file);
            if (size > MAX_BYTES) {
                throw refused(directory, "%d bytes, more than the %d a manifest may have".formatted(size, MAX_BYTES));
            }
            tree = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new BundleException(directory, "manifest.json", "not a valid manifest: " + firstLine(e), e);
        }
        if (tree == null || !tree.isObject()) {
            throw refused(directory, "not a valid manifest: the top level is " + (tree == null || tree.isMissingNode()
                    ? "empty" : "a JSON " + tree.getNodeType().name().toLowerCase(java.util.Locale.ROOT)) + ", not an object");
        }
        // The version first: a newer format may have other fields, and its message should say so.
        JsonNode version = tree.get("format_version");
        if (version == null || !version.isIntegralNumber() || !version.canConvertToInt()) {
            throw refused(directory, "format_version must be the integer " + Manifest.FORMAT_VERSION + ", got "
                    + (version == null ? "nothing" : version.toString()));
        }
        if (version.intValue() != Manifest.FORMAT_VERSION) {
            throw refused(directory, "format_version %d is not supported (this loader reads %d)"
                    .formatted(version.intValue(), Manifest.FORMAT_VERSION));
        }
        try {
            return JSON.treeToValue(tree, Manifest.class);
        } catch (JsonMappingException e) {
            throw new BundleException(directory, "manifest.json", field(e) + ": " + firstLine(e), e);
        } catch (JsonProcessingException e) {
            throw new BundleException(directory, "manifest.json", "not a valid manifest: " + firstLine(e), e);
        }
    }

    /** The JSON path of a mapping error, in the manifest's own names: "architecture.d_model", "files[3].size". */
    private static String field(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.isEmpty() ? "manifest" : path.toString();
    }

    /** Jackson's message without its location and its advice on enabling coercion. */
    private static String firstLine(JsonProcessingException e) {
        String message = e.getOriginalMessage();
        if (message == null) {
            return e.getClass().getSimpleName();
        }
        message = message.lines().findFirst().orElse(message);
        int advice = message.indexOf(" (but ");
        if (advice < 0) {
            advice = message.indexOf(" (set DeserializationConfig");
        }
        message = advice > 0 ? message.substring(0, advice) : message;
        return message.startsWith("Cannot map `null`") ? "missing or null, a number is required" : message;
    }

    private static String firstLine(IOException e) {
        return e instanceof JsonProcessingException j ? firstLine(j) : String.valueOf(e.getMessage());
    }

    private static BundleException refused(Path directory, String problem) {
        return new BundleException(directory, "manifest.json", problem);
    }
}
