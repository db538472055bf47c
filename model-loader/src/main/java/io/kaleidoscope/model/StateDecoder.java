package io.kaleidoscope.model;

import io.kaleidoscope.bundle.Bundle;
import io.kaleidoscope.onnx.OnnxWeights;

/**
 * What both decoders share around their step: the optional shortlist projection and absorbed
 * attention of the bundle, and how a search's state is made — fresh (the attention path chosen
 * per search) or by compaction (the path and the absorbed tensors of the kept sentences carried
 * over). Subclasses build the state's graph bindings in {@link #stateFor}.
 */
abstract sealed class StateDecoder implements Decoder permits DenseDecoder, KMatrixDecoder {
    final ModelConfig config;
    final EngineTimings timings;
    /** The projection onto a shortlist's candidates; null when the bundle has no shortlist. */
    final ShortlistOutput shortlist;
    /** The absorbed attention path; null when searches always take the standard one. */
    final AbsorbedAttention absorbed;

    StateDecoder(Bundle bundle, OnnxWeights weights, ModelConfig config, EngineTimings timings,
                 AbsorbedAttention.Path attentionPath) {
        this.config = config;
        this.timings = timings;
        this.shortlist = bundle.manifest().shortlist() == null ? null : new ShortlistOutput(bundle, weights, config);
        this.absorbed = AbsorbedAttention.open(bundle, weights, config, attentionPath);
    }

    @Override
    public final DecoderState newState(EncodedBatch encoded, int[] vocabulary) {
        if (vocabulary != null && shortlist == null) {
            throw new IllegalStateException("this bundle has no shortlist");
        }
        return stateFor(encoded, vocabulary, AbsorbedAttention.forSearch(absorbed, encoded, timings));
    }

    @Override
    public final DecoderState compact(DecoderState state, int[] keep) {
        return state.compact(keep, (encoded, absorbedTensors) -> stateFor(encoded, state.vocabulary, absorbedTensors));
    }

    /**
     * A state bound to this decoder: on the absorbed path when {@code absorbedTensors} is given
     * (the state owns them from now on), else on the standard one.
     */
    abstract DecoderState stateFor(EncodedBatch encoded, int[] vocabulary, AbsorbedAttention.Tensors absorbedTensors);

    /** Closes the shortlist projection and the absorbed attention's graph; subclasses close their own graphs too. */
    @Override
    public void close() {
        if (shortlist != null) {
            shortlist.close();
        }
        if (absorbed != null) {
            absorbed.close();
        }
    }
}
