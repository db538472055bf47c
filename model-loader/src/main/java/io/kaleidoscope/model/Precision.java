package io.kaleidoscope.model;

import io.kaleidoscope.bundle.Bundle;
import io.kaleidoscope.bundle.BundleException;
import java.util.Locale;

/**
 * How a part of the model multiplies by its weights in ONNX Runtime (docs/engine.md, "int8
 * options"): the encoder ({@code kaleido.encoder}) and the decoder step ({@code kaleido.decoder}:
 * the dense model's linears and both models' attention q/out projections; the K-matrix layers stay
 * float32 in the Java kernel).
 *
 * <ul>
 *   <li>{@link #FLOAT32}: the bundle's graphs as exported, the model as trained (the default; the
 *       parity tests pin it).</li>
 *   <li>{@link #INT8}: the same graphs' {@code _int8} variants: those products in ONNX Runtime's
 *       DynamicQuantizeMatMul over int8 weights derived at load (bundle format §12). Not exact: on
 *       the tiny fixtures the int8 encoder changes its output by 0.6% (relative RMS; 2% with random
 *       base-size weights), and so the translations a little.</li>
 * </ul>
 */
public enum Precision {
    FLOAT32,
    INT8;

    /** The name of the bundle graph that runs graph {@code name} at this precision. */
    public String graph(String name) {
        return this == FLOAT32 ? name : name + "_int8";
    }

    /**
     * The bundle graph that runs graph {@code name} at {@code precision}, or an exception saying
     * the bundle lacks it: a {@link BundleException} when it lacks a float32 graph (the bundle is
     * broken or another variant's; Bundle.open refuses those it knows the variant needs), an
     * IllegalArgumentException saying how to add it when only the asked-for int8 form is missing
     * ({@code part} names what it runs, for the message).
     */
    static String graphOf(Bundle bundle, String name, Precision precision, String part) {
        String graph = precision.graph(name);
        if (!bundle.hasGraph(graph) && precision == FLOAT32) {
            throw new BundleException(bundle.directory(), "manifest.json", "onnx.graphs lacks '%s', the %s of a '%s' bundle"
                    .formatted(graph, part, bundle.manifest().variant()));
        }
        if (!bundle.hasGraph(graph)) {
            throw new IllegalArgumentException("bundle " + bundle.directory() + " has no " + graph + " graph for the "
                    + precision.name().toLowerCase(Locale.ROOT) + " " + part + "; re-export its graphs with python3 -m training.regraph");
        }
        return graph;
    }
}
