package io.kaleidoscope.model;

import io.kaleidoscope.bundle.Manifest;

/**
 * The sizes the engine needs, read from a bundle's manifest (docs/bundle-format.md §2).
 *
 * @param dModel         d, the model width
 * @param ffnDim         F, the decoder FFN width
 * @param heads          H, conv and attention heads
 * @param headDim        d / H
 * @param vocabSize      V
 * @param decoderKernels K_l per decoder layer; the conv ring of layer l holds K_l − 1 inputs per row
 */
public record ModelConfig(int dModel, int ffnDim, int heads, int headDim, int vocabSize, int decoderLayers,
                          int[] decoderKernels, int pad, int unk, int bos, int eos) {

    public static ModelConfig of(Manifest manifest) {
        Manifest.Architecture a = manifest.architecture();
        Manifest.SpecialTokens t = manifest.specialTokens();
        return new ModelConfig(a.dModel(), a.ffnDim(), a.heads(), a.dModel() / a.heads(), a.vocabSize(),
                a.decoderLayers(), a.decoderKernels().clone(), t.pad(), t.unk(), t.bos(), t.eos());
    }

    /** Floats of one row's conv ring in layer l: (K_l − 1) × d. */
    public int convStateFloats(int layer) {
        return (decoderKernels[layer] - 1) * dModel;
    }
}
