package io.kaleidoscope.golden;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kaleidoscope.bundle.Bundle;
import io.kaleidoscope.bundle.SafetensorsFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The PyTorch reference outputs a bundle ships (docs/bundle-format.md §8). */
public final class GoldenData {
    /** One golden sentence. */
    public record Sentence(int index, String source, int[] srcIds, int maxOutputLength, int[] greedyIds,
                           String greedyText, int[] beamIds, String beamText, double beamScore) {}

    private final List<Sentence> sentences;
    private final SafetensorsFile tensors;
    private final int beam;
    private final double lengthPenalty;

    private GoldenData(List<Sentence> sentences, SafetensorsFile tensors, int beam, double lengthPenalty) {
        this.sentences = sentences;
        this.tensors = tensors;
        this.beam = beam;
        this.lengthPenalty = lengthPenalty;
    }

    public static GoldenData of(Bundle bundle) {
        var index = bundle.manifest().golden();
        try {
            JsonNode json = new ObjectMapper().readTree(bundle.file(index.json()).toFile());
            List<Sentence> sentences = new ArrayList<>();
            for (JsonNode s : json.get("sentences")) {
                sentences.add(new Sentence(s.get("index").asInt(), s.get("source").asText(), ints(s.get("src_ids")),
                        s.get("max_output_len").asInt(), ints(s.get("greedy_ids")), s.get("greedy_text").asText(),
                        ints(s.get("beam4_ids")), s.get("beam4_text").asText(), s.get("beam4_score").asDouble()));
            }
            return new GoldenData(sentences, SafetensorsFile.read(bundle.directory(), index.tensors()),
                    json.get("beam").asInt(), json.get("len_penalty").asDouble());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    public List<Sentence> sentences() {
        return sentences;
    }

    public int beam() {
        return beam;
    }

    public double lengthPenalty() {
        return lengthPenalty;
    }

    public float[] floats(String name) {
        FloatBuffer b = tensors.readFloats(name);
        float[] out = new float[b.capacity()];
        b.get(0, out);
        return out;
    }

    public boolean has(String name) {
        return tensors.tensors().containsKey(name);
    }
}
