package io.kaleidoscope.loadtest.kernel;

import java.util.Random;

/**
 * The layer shapes the kernel benchmark measures, named "in x out" as in JMH's parameters:
 * the decoder's conv linears (512x512), fc1 (512x1024) and fc2 (1024x512). Random data is seeded
 * so every benchmark of one shape sees the same weights.
 */
record LayerCase(int in, int out) {

    static LayerCase parse(String name) {
        String[] parts = name.split("x");
        return new LayerCase(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
    }

    Random random() {
        return new Random(31L * in + out);
    }

    static float[] uniform(int count, Random random, float scale) {
        float[] v = new float[count];
        for (int i = 0; i < count; i++) {
            v[i] = (random.nextFloat() * 2 - 1) * scale;
        }
        return v;
    }
}
