package io.kaleidoscope.model;

import io.kaleidoscope.bundle.Bundle;
import io.kaleidoscope.bundle.BundleException;
import io.kaleidoscope.bundle.Manifest;
import io.kaleidoscope.kmatrix.KMatrixKernel;
import io.kaleidoscope.kmatrix.KMatrixLayer;
import io.kaleidoscope.kmatrix.KMatrixShape;
import io.kaleidoscope.kmatrix.KMatrixWeights;
import io.kaleidoscope.kmatrix.KMatrixWorkspace;
import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * The K-matrix linears of a stack of layers (the decoder's, and in the {@code kmatrix-encoder}
 * variant the encoder's too): per layer linear1, linear2, fc1 and fc2, from the bundle's
 * {@code kmatrix_layers} (docs/bundle-format.md §5), prepared for the kernel, with one workspace.
 * Not thread-safe: the engine thread's.
 */
final class KMatrixLinears {
    static final int LINEAR1 = 0;
    static final int LINEAR2 = 1;
    static final int FC1 = 2;
    static final int FC2 = 3;
    private static final String[] NAMES = {"linear1", "linear2", "fc1", "fc2"};

    /** Passes of {@link #warmUp} over every layer and row count: enough calls for C2 to compile the kernel. */
    private static final int WARM_UP_PASSES = 200;
    /** Row counts {@link #warmUp} runs: the one-row path, whole four-row tiles and every remainder. */
    private static final int WARM_UP_ROWS = 8;

    /** [layer][LINEAR1 … FC2]. */
    private final KMatrixLayer[][] layers;
    private final KMatrixKernel kernel;
    private final int largestN;
    private final KMatrixWorkspace workspace;

    /**
     * Loads {@code part.layers.l.linear1 … fc2} for l in [0, count), {@code part} being "encoder"
     * or "decoder".
     *
     * @throws BundleException when the manifest lacks one of them or its weights do not fit it
     */
    KMatrixLinears(Bundle bundle, KMatrixKernel kernel, String part, int count) {
        Map<String, Manifest.KMatrixLayerSpec> specs = new HashMap<>();
        for (Manifest.KMatrixLayerSpec spec : bundle.manifest().kmatrixLayers()) {
            specs.put(spec.name(), spec);
        }
        layers = new KMatrixLayer[count][NAMES.length];
        int largestN = KMatrixShape.MIN_N;
        for (int l = 0; l < count; l++) {
            for (int i = 0; i < NAMES.length; i++) {
                String name = part + ".layers." + l + "." + NAMES[i];
                Manifest.KMatrixLayerSpec spec = specs.get(name);
                if (spec == null) {
                    throw new BundleException(bundle.directory(), "manifest.json",
                            "K-matrix bundle lacks kmatrix_layers entry '" + name + "'");
                }
                layers[l][i] = load(bundle, spec, kernel);
                largestN = Math.max(largestN, spec.n());
            }
        }
        this.kernel = kernel;
        this.largestN = largestN;
        workspace = kernel.newWorkspace(largestN);
    }

    /**
     * Runs every layer on 1 to 8 rows of zeros, {@link #WARM_UP_PASSES} times, with a workspace and
     * buffers of its own (so it may run beside the engine thread). Until the JIT's C2 has compiled
     * the kernel's loops the Vector API code is many times slower: after a few warm-up sentences
     * alone (-XX:+PrintCompilation) it was still at C1, and single batches of the first seconds of
     * traffic spent 0.3–0.5 s in these layers instead of milliseconds.
     */
    void warmUp() {
        int widest = 0;
        for (KMatrixLayer[] four : layers) {
            for (KMatrixLayer layer : four) {
                widest = Math.max(widest, Math.max(layer.shape().in(), layer.shape().out()));
            }
        }
        float[] x = new float[WARM_UP_ROWS * widest];
        float[] y = new float[WARM_UP_ROWS * widest];
        KMatrixWorkspace own = kernel.newWorkspace(largestN);
        for (int pass = 0; pass < WARM_UP_PASSES; pass++) {
            for (KMatrixLayer[] four : layers) {
                for (KMatrixLayer layer : four) {
                    for (int rows = 1; rows <= WARM_UP_ROWS; rows++) {
                        layer.apply(x, 0, y, 0, rows, own);
                    }
                }
            }
        }
    }

    private static KMatrixLayer load(Bundle bundle, Manifest.KMatrixLayerSpec spec, KMatrixKernel kernel) {
        try {
            KMatrixShape shape = KMatrixShape.of(spec.name(), spec.inFeatures(), spec.outFeatures(), spec.n());
            var twiddle = bundle.weights().get(spec.twiddle());
            KMatrixWeights w = KMatrixWeights.fromCanonical(shape, twiddle.shape(),
                    bundle.weights().copyOf(spec.twiddle()), bundle.weights().copyOf(spec.bias()));
            return KMatrixLayer.create(w, kernel);
        } catch (IllegalArgumentException e) {
            throw new BundleException(bundle.directory(), "manifest.json", e.getMessage(), e);
        }
    }

    /** Layer l's four linears: linear1, linear2, fc1, fc2. */
    KMatrixLayer[] of(int layer) {
        return layers[layer].clone();
    }

    /**
     * Layer l's linear {@code which} ({@link #LINEAR1} … {@link #FC2}) from one direct buffer to
     * another, {@code rows} rows, through the heap arrays {@code stageIn} and {@code stageOut} (the
     * kernel reads and writes heap arrays; bulk copies).
     */
    void apply(int l, int which, FloatBuffer in, FloatBuffer out, int rows, float[] stageIn, float[] stageOut) {
        KMatrixLayer layer = layers[l][which];
        in.get(0, stageIn, 0, rows * layer.shape().in());
        layer.apply(stageIn, 0, stageOut, 0, rows, workspace);
        out.put(0, stageOut, 0, rows * layer.shape().out());
    }

    /**
     * The feed-forward block between heap arrays: {@code out} = fc2(relu(fc1({@code in}))) over
     * {@code rows} rows, {@code hidden} holding fc1's output.
     */
    void feedForward(int layer, float[] in, float[] hidden, float[] out, int rows) {
        KMatrixLayer fc1 = layers[layer][FC1];
        fc1.apply(in, 0, hidden, 0, rows, workspace);
        int n = rows * fc1.shape().out();
        for (int i = 0; i < n; i++) {
            hidden[i] = Math.max(hidden[i], 0f);   // relu
        }
        layers[layer][FC2].apply(hidden, 0, out, 0, rows, workspace);
    }
}
