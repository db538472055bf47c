package io.kaleidoscope.bundle;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One safetensors file read fully into memory: an 8-byte little-endian header length N, N bytes
 * of JSON {@code {name: {dtype, shape, data_offsets: [begin, end]}}}, then the data, offsets
 * relative to its first byte. Supports F32, F16 (converted to float32 on read) and I64.
 *
 * <p>Every structural defect (short file, header past the end, bad JSON, a name given twice,
 * offsets outside the data, not integers, not matching dtype × shape, overlapping or leaving
 * bytes uncovered, a shape whose size overflows) is a {@link BundleException} naming the file.
 */
public final class SafetensorsFile {
    /** One tensor's entry in the header. */
    public record TensorInfo(String name, String dtype, long[] shape, int begin, int end) {
        /**
         * The product of the dimensions.
         *
         * @throws ArithmeticException if it overflows a long ({@link #read} refuses such shapes)
         */
        public long elements() {
            long count = 1;
            for (long d : shape) {
                count = Math.multiplyExact(count, d);
            }
            return count;
        }
    }

    /**
     * Largest file read: the whole file goes into one array. Weights shards are held to the
     * format's 15 MiB by the caller ({@link WeightStore}); this bounds the other safetensors files.
     */
    public static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 8;

    /** The header parser: a name given twice would leave a reader to guess which entry counts. */
    private static final ObjectMapper JSON = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

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
        return read(bundle, fileName, MAX_FILE_BYTES);
    }

    /**
     * Reads {@code bundle/fileName}, refusing it unread when it has more than {@code maxBytes}
     * bytes, and checks its header against its size: every entry well-formed, sized as its dtype
     * and shape say, and the entries, sorted by offset, tiling the data exactly (the safetensors
     * rule: no overlap, no gap, nothing after the last tensor).
     */
    public static SafetensorsFile read(Path bundle, String fileName, long maxBytes) {
        byte[] bytes;
        try {
            long size = Files.size(bundle.resolve(fileName));
            if (size > maxBytes) {
                throw new BundleException(bundle, fileName, "%d bytes, more than the %d this file may have"
                        .formatted(size, maxBytes));
            }
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
        if (header == null || !header.isObject()) {
            throw new BundleException(bundle, fileName, "header is not a JSON object");
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
        checkTiling(bundle, fileName, tensors.values(), data.capacity());
        return new SafetensorsFile(bundle, fileName, data, tensors);
    }

    private static TensorInfo parseEntry(Path bundle, String file, String name, JsonNode entry, int dataBytes) {
        JsonNode dtype = entry.get("dtype");
        JsonNode shape = entry.get("shape");
        JsonNode offsets = entry.get("data_offsets");
        if (dtype == null || shape == null || offsets == null || !dtype.isTextual() || !shape.isArray()
                || !offsets.isArray() || offsets.size() != 2) {
            throw new BundleException(bundle, file, "tensor '" + name + "': header entry lacks dtype, shape or data_offsets");
        }
        long[] dims = new long[shape.size()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = integer(shape.get(i));
            if (dims[i] < 0) {
                throw new BundleException(bundle, file, "tensor '" + name + "': shape " + shape + " is not a list of non-negative integers");
            }
        }
        long begin = integer(offsets.get(0));
        long end = integer(offsets.get(1));
        if (begin < 0 || end < 0) {
            throw new BundleException(bundle, file, "tensor '" + name + "': data_offsets " + offsets + " are not two non-negative integers");
        }
        if (end < begin || end > dataBytes) {
            throw new BundleException(bundle, file, "tensor '%s': data_offsets [%d, %d] outside the %d data bytes (truncated?)"
                    .formatted(name, begin, end, dataBytes));
        }
        TensorInfo info = new TensorInfo(name, dtype.asText(), dims, (int) begin, (int) end);
        long expected;
        try {
            expected = Math.multiplyExact(info.elements(), bytesPerElement(bundle, file, info));
        } catch (ArithmeticException e) {
            throw new BundleException(bundle, file, "tensor '%s': shape %s has more elements than a file can hold"
                    .formatted(name, Arrays.toString(dims)), e);
        }
        if (expected != end - begin) {
            throw new BundleException(bundle, file, "tensor '%s': %d bytes for %s %s, expected %d"
                    .formatted(name, end - begin, info.dtype(), Arrays.toString(dims), expected));
        }
        return info;
    }

    /** An integer JSON value as a long, or −1 for anything else ("0", 4.5, null). */
    private static long integer(JsonNode value) {
        return value != null && value.isIntegralNumber() && value.canConvertToLong() ? value.longValue() : -1;
    }

    /**
     * The safetensors rule: the entries, sorted by offset, cover the data exactly once. Overlapping
     * entries would alias one tensor's bytes as another's, a shifted entry reads its neighbour's,
     * and bytes no entry covers are data nobody checks.
     */
    private static void checkTiling(Path bundle, String file, java.util.Collection<TensorInfo> entries, int dataBytes) {
        List<TensorInfo> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingInt(TensorInfo::begin).thenComparingInt(TensorInfo::end));
        int covered = 0;
        TensorInfo previous = null;
        for (TensorInfo t : sorted) {
            if (t.begin() < covered) {
                throw new BundleException(bundle, file, "tensors '%s' [%d, %d] and '%s' [%d, %d] overlap"
                        .formatted(previous.name(), previous.begin(), previous.end(), t.name(), t.begin(), t.end()));
            }
            if (t.begin() > covered) {
                throw new BundleException(bundle, file, "data bytes [%d, %d) %s belong to no tensor".formatted(covered, t.begin(),
                        previous == null ? "before '" + t.name() + "'" : "between '" + previous.name() + "' and '" + t.name() + "'"));
            }
            covered = t.end();
            previous = t;
        }
        if (covered != dataBytes) {
            throw new BundleException(bundle, file, "%d data bytes after the last tensor%s belong to no tensor (the data is %d bytes)"
                    .formatted(dataBytes - covered, previous == null ? "" : " '" + previous.name() + "'", dataBytes));
        }
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
        return readFloats(name, false);
    }

    /**
     * A weight, as {@link #readFloats}, refused when a value is NaN or infinite: such a weight
     * is a damaged model (the audit's NaN in fc1 changed no output line, so only a load-time
     * check finds it). The test rides on the conversion loop, which touches every value anyway.
     */
    public FloatBuffer readFiniteFloats(String name) {
        return readFloats(name, true);
    }

    private FloatBuffer readFloats(String name, boolean finite) {
        TensorInfo info = info(name);
        int count = (int) info.elements();
        FloatBuffer out = ByteBuffer.allocateDirect(count * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
        int bad = -1;
        switch (info.dtype()) {
            case "F32" -> {
                for (int i = 0; i < count; i++) {
                    float v = data.getFloat(info.begin() + 4 * i);
                    out.put(i, v);
                    if (!Float.isFinite(v) && bad < 0) {
                        bad = i;
                    }
                }
            }
            case "F16" -> {
                for (int i = 0; i < count; i++) {
                    float v = Float.float16ToFloat(data.getShort(info.begin() + 2 * i));
                    out.put(i, v);
                    if (!Float.isFinite(v) && bad < 0) {
                        bad = i;
                    }
                }
            }
            default -> throw new BundleException(bundle, fileName, "tensor '" + name + "' is " + info.dtype() + ", expected F32 or F16");
        }
        if (finite && bad >= 0) {
            throw new BundleException(bundle, fileName, "tensor '%s' holds %s at element %d: not a usable weight"
                    .formatted(name, out.get(bad), bad));
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
