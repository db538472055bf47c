package io.kaleidoscope.model;

import io.kaleidoscope.bundle.Bundle;
import io.kaleidoscope.bundle.BundleException;
import io.kaleidoscope.bundle.Manifest;
import io.kaleidoscope.bundle.SafetensorsFile;
import java.util.Arrays;

/**
 * A bundle's lexical shortlist (docs/bundle-format.md §10): the target pieces a batch may produce
 * are the most frequent target pieces, the source pieces themselves (copies: names, numbers,
 * placeholders share pieces in the joint vocabulary) and, for every source piece, the target
 * pieces that co-occur with it most in the training data. Immutable; thread-safe.
 */
public final class Shortlist {
    private final int vocab;
    private final int pad;
    private final int bos;
    private final int[] frequent;
    /** (V, perSource) target ids by source id, −1 where a row has fewer. */
    private final int[] bySource;
    private final int perSource;

    private Shortlist(int vocab, int pad, int bos, int[] frequent, int[] bySource, int perSource) {
        this.vocab = vocab;
        this.pad = pad;
        this.bos = bos;
        this.frequent = frequent;
        this.bySource = bySource;
        this.perSource = perSource;
    }

    /** The bundle's shortlist, or null when it has none; a malformed one is a BundleException. */
    public static Shortlist load(Bundle bundle) {
        Manifest.ShortlistIndex index = bundle.manifest().shortlist();
        if (index == null) {
            return null;
        }
        String file = index.tensors();
        SafetensorsFile tensors = SafetensorsFile.read(bundle.directory(), file);
        int vocab = bundle.manifest().architecture().vocabSize();
        long[] shape = tensors.info("shortlist.by_source").shape();
        if (shape.length != 2 || shape[0] != vocab || shape[1] != index.perSource()) {
            throw new BundleException(bundle.directory(), file, "shortlist.by_source has shape %s, expected [%d, %d]"
                    .formatted(Arrays.toString(shape), vocab, index.perSource()));
        }
        int[] frequent = ids(bundle, file, "shortlist.frequent", tensors.readLongs("shortlist.frequent"), vocab, false);
        int[] bySource = ids(bundle, file, "shortlist.by_source", tensors.readLongs("shortlist.by_source"), vocab, true);
        var special = bundle.manifest().specialTokens();
        if (Arrays.stream(frequent).noneMatch(id -> id == special.eos())) {
            throw new BundleException(bundle.directory(), file, "shortlist.frequent lacks eos (" + special.eos() + ")");
        }
        return new Shortlist(vocab, special.pad(), special.bos(), frequent, bySource, index.perSource());
    }

    private static int[] ids(Bundle bundle, String file, String name, long[] values, int vocab, boolean unusedAllowed) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            long v = values[i];
            if ((v < 0 || v >= vocab) && !(unusedAllowed && v == -1)) {
                throw new BundleException(bundle.directory(), file, "%s[%d] = %d is no token id (vocabulary %d)"
                        .formatted(name, i, v, vocab));
            }
            out[i] = (int) v;
        }
        return out;
    }

    /** The sorted target ids a batch of source id lists may produce (never pad or bos). */
    public int[] candidates(int[][] sources) {
        boolean[] chosen = new boolean[vocab];
        for (int id : frequent) {
            chosen[id] = true;
        }
        for (int[] source : sources) {
            for (int s : source) {
                chosen[s] = true;
                for (int i = s * perSource, end = i + perSource; i < end && bySource[i] >= 0; i++) {
                    chosen[bySource[i]] = true;
                }
            }
        }
        chosen[pad] = false;
        chosen[bos] = false;
        int count = 0;
        for (boolean c : chosen) {
            count += c ? 1 : 0;
        }
        int[] ids = new int[count];
        for (int v = 0, n = 0; v < vocab; v++) {
            if (chosen[v]) {
                ids[n++] = v;
            }
        }
        return ids;
    }

    public int vocabSize() {
        return vocab;
    }
}
