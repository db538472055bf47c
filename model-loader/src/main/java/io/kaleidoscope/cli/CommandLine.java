package io.kaleidoscope.cli;

import io.kaleidoscope.bundle.DefaultModels;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** Minimal "--name value" option parsing for the command-line tools, with clear errors. */
public final class CommandLine {
    private final Map<String, String> options = new HashMap<>();

    public CommandLine(String[] args, Set<String> known, String usage) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                System.out.println(usage);
                System.exit(0);
            }
            if (!a.startsWith("--") || !known.contains(a.substring(2))) {
                fail("unknown option '" + a + "'", usage);
            }
            if (i + 1 >= args.length) {
                fail("option " + a + " needs a value", usage);
            }
            options.put(a.substring(2), args[++i]);
        }
    }

    public String get(String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }

    public int intValue(String name, int fallback, int min, int max, String usage) {
        String v = options.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(v);
            if (value < min || value > max) {
                fail("--%s must be in [%d, %d], got %d".formatted(name, min, max, value), usage);
            }
            return value;
        } catch (NumberFormatException e) {
            fail("--" + name + " must be an integer, got '" + v + "'", usage);
            return fallback;
        }
    }

    public double doubleValue(String name, double fallback, double min, double max, String usage) {
        String v = options.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            double value = Double.parseDouble(v);
            if (!(value >= min && value <= max)) {
                fail("--%s must be in [%s, %s], got %s".formatted(name, min, max, v), usage);
            }
            return value;
        } catch (NumberFormatException e) {
            fail("--" + name + " must be a number, got '" + v + "'", usage);
            return fallback;
        }
    }

    /** An on/off option: "on", "true", "off" or "false". */
    public boolean booleanValue(String name, boolean fallback, String usage) {
        String v = options.get(name);
        if (v == null) {
            return fallback;
        }
        return switch (v) {
            case "on", "true" -> true;
            case "off", "false" -> false;
            default -> {
                fail("--" + name + " must be on or off, got '" + v + "'", usage);
                yield fallback;
            }
        };
    }

    public boolean has(String name) {
        return options.containsKey(name);
    }

    /** The model directory: --model, else the shipped default K-matrix model ({@link DefaultModels}). */
    public Path model() {
        String explicit = options.get("model");
        if (explicit != null) {
            return Path.of(explicit);
        }
        return DefaultModels.kmatrix();
    }

    public static void fail(String message, String usage) {
        System.err.println("error: " + message);
        System.err.println(usage);
        System.exit(2);
    }
}
