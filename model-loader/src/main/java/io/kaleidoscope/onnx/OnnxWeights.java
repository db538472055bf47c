package io.kaleidoscope.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import io.kaleidoscope.bundle.WeightStore;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * ONNX Runtime tensors over the weight store's direct buffers (zero-copy), one per weight,
 * created on first use and shared by every graph that needs it (the tied embedding serves three),
 * and the int8 forms of the weights that {@code _int8} graphs ask for (derived once, shared alike).
 * Must outlive the sessions that use them; closed with the engine.
 */
public final class OnnxWeights implements AutoCloseable {
    /** Suffixes of the derived tensors' names (docs/bundle-format.md §12). */
    public static final String INT8 = ".int8";
    public static final String SCALE = ".scale";
    public static final String ZERO = ".zero";

    private final WeightStore store;
    private final Map<String, OnnxTensor> tensors = new HashMap<>();

    public OnnxWeights(WeightStore store) {
        this.store = store;
    }

    synchronized OnnxTensor tensor(String name) {
        return tensors.computeIfAbsent(name, n -> {
            WeightStore.Tensor t = store.get(n);
            try {
                return OnnxTensor.createTensor(OrtEnvironment.getEnvironment(), t.data(), t.shape());
            } catch (OrtException e) {
                throw new IllegalStateException("cannot wrap weight '" + n + "' for ONNX Runtime", e);
            }
        });
    }

    /**
     * The three tensors ONNX Runtime's DynamicQuantizeMatMul takes for weight {@code name} (a
     * d_out × d_in linear weight), named {@code name + ".int8"}, {@code ".scale"} and {@code ".zero"}:
     * its {@link Int8Weight} form, derived from the store on first use.
     */
    synchronized Map<String, OnnxTensor> int8(String name) {
        Map<String, OnnxTensor> out = new HashMap<>();
        if (!tensors.containsKey(name + INT8)) {
            WeightStore.Tensor t = store.get(name);
            if (t.shape().length != 2) {
                throw new IllegalArgumentException("weight '" + name + "' has shape " + Arrays.toString(t.shape())
                        + ": only a matrix has an int8 form");
            }
            Int8Weight q = Int8Weight.of(t.data(), (int) t.shape()[0], (int) t.shape()[1]);
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            try {
                tensors.put(name + INT8, OnnxTensor.createTensor(env, q.transposed(), new long[] {q.inputs(), q.outputs()}, OnnxJavaType.INT8));
                tensors.put(name + SCALE, OnnxTensor.createTensor(env, q.scales(), new long[] {q.outputs()}));
                tensors.put(name + ZERO, OnnxTensor.createTensor(env, q.zeros(), new long[] {q.outputs()}, OnnxJavaType.INT8));
            } catch (OrtException e) {
                throw new IllegalStateException("cannot wrap the int8 form of weight '" + name + "' for ONNX Runtime", e);
            }
        }
        for (String suffix : new String[] {INT8, SCALE, ZERO}) {
            out.put(name + suffix, tensors.get(name + suffix));
        }
        return out;
    }

    @Override
    public synchronized void close() {
        tensors.values().forEach(OnnxTensor::close);
        tensors.clear();
    }
}
