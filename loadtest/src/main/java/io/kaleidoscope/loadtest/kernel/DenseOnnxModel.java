package io.kaleidoscope.loadtest.kernel;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The ONNX baseline of the kernel benchmark: one dense layer Y = X·W + B (MatMul then Add, the
 * form an exported PyTorch linear takes), X of shape [batch, in] with a symbolic batch dimension,
 * W [in, out] and B [out] as initializers. ONNX Runtime fuses it into one Gemm.
 *
 * <p>The model is a few protobuf fields, written here directly so the benchmark needs no Python
 * step and no generated ONNX classes. Field numbers are those of onnx.proto (ModelProto,
 * GraphProto, NodeProto, TensorProto, ValueInfoProto, TypeProto).
 */
final class DenseOnnxModel {
    private static final int FLOAT = 1;          // TensorProto.DataType.FLOAT
    private static final int IR_VERSION = 8;
    private static final int OPSET = 17;

    private DenseOnnxModel() {}

    /** Serialized ModelProto for a dense layer with the given row-major weight [in][out] and bias. */
    static byte[] build(int in, int out, float[] weight, float[] bias) {
        Proto graph = new Proto()
                .message(1, node("MatMul", "X", "W", "XW"))
                .message(1, node("Add", "XW", "B", "Y"))
                .string(2, "dense_%dx%d".formatted(in, out))
                .message(5, tensor("W", new long[] {in, out}, weight))
                .message(5, tensor("B", new long[] {out}, bias))
                .message(11, valueInfo("X", "batch", in))
                .message(12, valueInfo("Y", "batch", out));
        return model(graph);
    }

    /**
     * Serialized ModelProto for an output projection: Y = LogSoftmax(X·W) over the last axis, W
     * row-major [in][out] (the form of the K-matrix bundles' {@code decoder_output} graph once
     * ONNX Runtime has folded the transpose of the embedding).
     */
    static byte[] buildProjection(int in, int out, float[] weight) {
        Proto graph = new Proto()
                .message(1, node("MatMul", "X", "W", "XW"))
                .message(1, new Proto().string(1, "XW").string(2, "Y").string(3, "LogSoftmax_Y").string(4, "LogSoftmax"))
                .string(2, "projection_%dx%d".formatted(in, out))
                .message(5, tensor("W", new long[] {in, out}, weight))
                .message(11, valueInfo("X", "batch", in))
                .message(12, valueInfo("Y", "batch", out));
        return model(graph);
    }

    /** A ModelProto around the graph: IR version, producer, the default opset. */
    private static byte[] model(Proto graph) {
        return new Proto()
                .varint(1, IR_VERSION)
                .string(2, "kaleidoscope-loadtest")
                .message(7, graph)
                .message(8, new Proto().string(1, "").varint(2, OPSET))
                .bytes();
    }

    private static Proto node(String op, String a, String b, String result) {
        return new Proto().string(1, a).string(1, b).string(2, result).string(3, op + "_" + result).string(4, op);
    }

    private static Proto tensor(String name, long[] dims, float[] values) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        Proto t = new Proto();
        for (long d : dims) {
            t.varint(1, d);
        }
        return t.varint(2, FLOAT).string(8, name).raw(9, raw.array());
    }

    /** A float tensor of shape [batchSymbol, width]. */
    private static Proto valueInfo(String name, String batchSymbol, int width) {
        Proto shape = new Proto()
                .message(1, new Proto().string(2, batchSymbol))
                .message(1, new Proto().varint(1, width));
        Proto tensorType = new Proto().varint(1, FLOAT).message(2, shape);
        return new Proto().string(1, name).message(2, new Proto().message(1, tensorType));
    }

    /** Minimal protobuf writer: varint and length-delimited fields, in call order. */
    private static final class Proto {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Proto varint(int field, long value) {
            writeVarint((long) field << 3);
            writeVarint(value);
            return this;
        }

        Proto string(int field, String value) {
            return raw(field, value.getBytes(StandardCharsets.UTF_8));
        }

        Proto message(int field, Proto message) {
            return raw(field, message.bytes());
        }

        Proto raw(int field, byte[] value) {
            writeVarint((long) field << 3 | 2);
            writeVarint(value.length);
            out.writeBytes(value);
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }

        private void writeVarint(long value) {
            while ((value & ~0x7FL) != 0) {
                out.write((int) (value & 0x7F) | 0x80);
                value >>>= 7;
            }
            out.write((int) value);
        }
    }
}
