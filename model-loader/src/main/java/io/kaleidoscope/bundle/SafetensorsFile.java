package io.kaleidoscope.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One safetensors file read fully into memory: an 8-byte little-endian header length N, N bytes
 * of JSON {@code {name: {dtype, shape, data_offsets: [begin, end]}}}, then the data, offsets
 * relative to its first byte. Supports F32, F16 (converted to float32 on read) and I64.
 *
 * <p>Every structural defect (short file, header past the end, bad JSON, offsets outside the data
 * or not matching dtype × shape) is a {@link BundleException} naming the file.
 */
public final class SafetensorsFile {
    /** One tensor's entry in the header. */
    public record TensorInfo(String name, String dtype, long[] shape, int begin, int end) {
        public long elements() {
            long count = 1;
            for (long d : shape) {
                count *= d;
            }
            return count;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path bundle;
    private final String fileName;
    private final ByteBuffer data;
    private final Map<String, TensorInfo> tensors;

    private SafetensorsFile(Path bundle, String fileName, ByteBuffer data, Map<String, TensorInfo> tensors) {
        this.bundle = bundle;
        this.fileName = fileName;
        this.data = data;
        this.tensors = tensors;
    }

    /** Reads {@code bundle/fileName} and checks its header against its size. */
    public static SafetensorsFile read(Path bundle, String fileName) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(bundle.resolve(fileName));
        } catch (IOException e) {
            throw new BundleException(bundle, fileName, "cannot read: " + e.getMessage(), e);
        }
        if (bytes.length < 8) {
            throw new BundleException(bundle, fileName, "truncated: " + bytes.length + " bytes, no safetensors header");
        }
        ByteBuffer all = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = all.getLong(0);
        if (headerLength < 2 || headerLength > bytes.length - 8L) {
            throw new BundleException(bundle, fileName, "header length %d does not fit a file of %d bytes (truncated?)"
                    .formatted(headerLength, bytes.length));
        }
        JsonNode header;
        try {
            header = JSON.readTree(new String(bytes, 8, (int) headerLength, java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new BundleException(bundle, fileName, "header is not valid JSON: " + e.getMessage(), e);
        }
        int dataStart = 8 + (int) headerLength;
        ByteBuffer data = all.slice(dataStart, bytes.length - dataStart).order(ByteOrder.LITTLE_ENDIAN);
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            tensors.put(e.getKey(), parseEntry(bundle, fileName, e.getKey(), e.getValue(), data.capacity()));
        }
        return new SafetensorsFile(bundle, fileName, data, tensors);
    }

    private static TensorInfo parseEntry(Path bundle, String file, String name, JsonNode entry, int dataBytes) {
        JsonNode dtype = entry.get("dtype");
        JsonNode shape = entry.get("shape");
        JsonNode offsets = entry.get("data_offsets");
        if (dtype == null || shape == null || offsets == null || !shape.isArray() || offsets.size() != 2) {
            throw new BundleException(bundle, file, "tensor '" + name + "': header entry lacks dtype, shape or data_offsets");
        }
        long[] dims = new long[shape.size()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = shape.get(i).asLong(-1);
            if (dims[i] < 0) {
                throw new BundleException(bundle, file, "tensor '" + name + "': negative dimension in shape " + shape);
            }
        }
        long begin = offsets.get(0).asLong(-1);
        long end = offsets.get(1).asLong(-1);
        if (begin < 0 || end < begin || end > dataBytes) {
            throw new BundleException(bundle, file, "tensor '%s': data_offsets [%d, %d] outside the %d data bytes (truncated?)"
                    .formatted(name, begin, end, dataBytes));
        }
        TensorInfo info = new TensorInfo(name, dtype.asText(), dims, (int) begin, (int) end);
        long expected = info.elements() * bytesPerElement(bundle, file, info);
        if (expected != end - begin) {
            throw new BundleException(bundle, file, "tensor '%s': %d bytes for %s %s, expected %d"
                    .formatted(name, end - begin, info.dtype(), Arrays.toString(dims), expected));
        }
        return info;
    }

    private static int bytesPerElement(Path bundle, String file, TensorInfo info) {
        return switch (info.dtype()) {
            case "F32", "I32" -> 4;
            case "F16" -> 2;
            case "I64" -> 8;
            default -> throw new BundleException(bundle, file, "tensor '" + info.name() + "': unsupported dtype " + info.dtype());
        };
    }

    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    public TensorInfo info(String name) {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw new BundleException(bundle, fileName, "no tensor named '" + name + "'");
        }
        return info;
    }

    /**
     * A float tensor as a direct, native-order buffer (what ONNX Runtime wraps without copying);
     * F16 is widened to float32 here, once.
     */
    public FloatBuffer readFloats(String name) {
        TensorInfo info = info(name);
        int count = (int) info.elements();
        FloatBuffer out = ByteBuffer.allocateDirect(count * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
        switch (info.dtype()) {
            case "F32" -> {
                for (int i = 0; i < count; i++) {
                    out.put(i, data.getFloat(info.begin() + 4 * i));
                }
            }
            case "F16" -> {
                for (int i = 0; i < count; i++) {
                    out.put(i, Float.float16ToFloat(data.getShort(info.begin() + 2 * i)));
                }
            }
            default -> throw new BundleException(bundle, fileName, "tensor '" + name + "' is " + info.dtype() + ", expected F32 or F16");
        }
        return out;
    }

    /** An integer tensor (I64 or I32) as a long array. */
    public long[] readLongs(String name) {
        TensorInfo info = info(name);
        int count = (int) info.elements();
        long[] out = new long[count];
        switch (info.dtype()) {
            case "I64" -> {
                for (int i = 0; i < count; i++) {
                    out[i] = data.getLong(info.begin() + 8 * i);
                }
            }
            case "I32" -> {
                for (int i = 0; i < count; i++) {
                    out[i] = data.getInt(info.begin() + 4 * i);
                }
            }
            default -> throw new BundleException(bundle, fileName, "tensor '" + name + "' is " + info.dtype() + ", expected I64");
        }
        return out;
    }
}
