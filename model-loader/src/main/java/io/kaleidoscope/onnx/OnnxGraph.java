package io.kaleidoscope.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxTensorLike;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.kaleidoscope.bundle.Bundle;
import io.kaleidoscope.bundle.BundleException;
import io.kaleidoscope.bundle.Manifest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One ONNX graph of a bundle in an ONNX Runtime session set up for the engine (DESIGN.md §5):
 * one intra-op and one inter-op thread, sequential execution, no spinning, full graph
 * optimisation. Its weights come from the shared {@link OnnxWeights} as external initializers,
 * so no graph holds its own copy.
 *
 * <p>{@link #run} takes prebuilt input tensors and pinned output tensors (both over direct
 * buffers the caller owns), so a call copies no tensor data between Java and ONNX Runtime.
 * A session is safe to run from one thread at a time; the engine uses it from one thread.
 */
public final class OnnxGraph implements AutoCloseable {
    private final String name;
    private final OrtSession session;

    private OnnxGraph(String name, OrtSession session) {
        this.name = name;
        this.session = session;
    }

    /** Opens graph {@code name} of the bundle, supplying exactly the weights its entry lists. */
    public static OnnxGraph open(Bundle bundle, String name, OnnxWeights weights) {
        Manifest.GraphEntry entry = bundle.graph(name);
        Map<String, OnnxTensorLike> initializers = new HashMap<>();
        for (String weight : entry.weights()) {
            initializers.put(weight, weights.tensor(weight));
        }
        for (String weight : entry.quantizedWeights()) {
            initializers.putAll(weights.int8(weight));
        }
        try (OrtSession.SessionOptions options = engineOptions()) {
            options.addExternalInitializers(initializers);
            if (System.getProperty("kaleido.ortProfile") != null) {
                options.enableProfiling(System.getProperty("kaleido.ortProfile") + "/" + name);
            }
            OrtSession session = OrtEnvironment.getEnvironment().createSession(bundle.file(entry.file()).toString(), options);
            try {
                requireDeclaredNames(bundle, name, entry, session);
            } catch (BundleException e) {
                session.close();
                throw e;
            }
            return new OnnxGraph(name, session);
        } catch (OrtException e) {
            throw new BundleException(bundle.directory(), entry.file(), "ONNX Runtime cannot load it: " + e.getMessage(), e);
        }
    }

    /**
     * The session's input and output names must be those the manifest gives the graph. Every
     * graph of a bundle is a valid ONNX file with the same weights, so one copied over another
     * (decoder_step_hidden_absorbed.onnx as decoder_step_absorbed.onnx) loads without complaint
     * and, where the engine binds only some of its names, even runs, computing the wrong thing;
     * its names give it away.
     */
    private static void requireDeclaredNames(Bundle bundle, String name, Manifest.GraphEntry entry, OrtSession session)
            throws OrtException {
        String inputs = difference(entry.inputs(), session.getInputNames());
        String outputs = difference(entry.outputs(), session.getOutputNames());
        if (!inputs.isEmpty() || !outputs.isEmpty()) {
            throw new BundleException(bundle.directory(), entry.file(), "not the graph the manifest describes as '%s':%s%s (replaced by another graph?)"
                    .formatted(name, inputs.isEmpty() ? "" : " inputs" + inputs, outputs.isEmpty() ? "" : " outputs" + outputs));
        }
    }

    /** What differs between the declared and the actual names, or "" when they are the same set. */
    private static String difference(List<String> declared, Set<String> actual) {
        Set<String> missing = new TreeSet<>(declared);
        missing.removeAll(actual);
        Set<String> extra = new TreeSet<>(actual);
        extra.removeAll(declared);
        return (missing.isEmpty() ? "" : " lack " + missing) + (extra.isEmpty() ? "" : " add " + extra);
    }

    /** Session settings of the engine: single-threaded by design (the paper's setup). */
    public static OrtSession.SessionOptions engineOptions() throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(1);
        options.setInterOpNumThreads(1);
        options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        options.addConfigEntry("session.intra_op.allow_spinning", "0");
        options.addConfigEntry("session.inter_op.allow_spinning", "0");
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        return options;
    }

    /**
     * Runs the graph: every input by name, outputs written into the given pinned tensors.
     *
     * @throws IllegalStateException wrapping ONNX Runtime's error, naming the graph
     */
    public void run(Map<String, ? extends OnnxTensorLike> inputs, Map<String, ? extends OnnxTensor> outputs) {
        try (OrtSession.Result ignored = session.run(inputs, outputs)) {
            // Outputs are pinned: the result holds no data of its own.
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX graph '" + name + "' failed: " + e.getMessage(), e);
        }
    }

    public String name() {
        return name;
    }

    @Override
    public void close() {
        try {
            if (System.getProperty("kaleido.ortProfile") != null) {
                session.endProfiling();
            }
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("closing ONNX graph '" + name + "'", e);
        }
    }
}
