package io.kaleidoscope.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import io.kaleidoscope.bundle.WeightStore;
import java.util.HashMap;
import java.util.Map;

/**
 * ONNX Runtime tensors over the weight store's direct buffers (zero-copy), one per weight,
 * created on first use and shared by every graph that needs it (the tied embedding serves three).
 * Must outlive the sessions that use them; closed with the engine.
 */
public final class OnnxWeights implements AutoCloseable {
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

    @Override
    public synchronized void close() {
        tensors.values().forEach(OnnxTensor::close);
        tensors.clear();
    }
}
