package io.kaleidoscope.eval;

import java.util.regex.Pattern;

/**
 * The mteval-v13a tokenisation that sacreBLEU applies before BLEU by default: punctuation and
 * symbols split off, periods and commas split unless next to a digit, a dash after a digit split.
 * Case is kept (BLEU here is case-sensitive). Mirrors {@code training/bleu.py}.
 */
public final class Tokenizer13a {
    private static final Pattern SYMBOLS = Pattern.compile("([\\{-\\~\\[-\\` -\\&\\(-\\+\\:-\\@\\/])");
    private static final Pattern PERIOD_COMMA_AFTER_NON_DIGIT = Pattern.compile("([^0-9])([\\.,])");
    private static final Pattern PERIOD_COMMA_BEFORE_NON_DIGIT = Pattern.compile("([\\.,])([^0-9])");
    private static final Pattern DASH_AFTER_DIGIT = Pattern.compile("([0-9])(-)");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS);

    private Tokenizer13a() {}

    public static String[] tokenize(String line) {
        line = line.replace("<skipped>", "").replace("-\n", "").replace("\n", " ");
        if (line.indexOf('&') >= 0) {
            line = line.replace("&quot;", "\"").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">");
        }
        line = " " + line + " ";
        line = SYMBOLS.matcher(line).replaceAll(" $1 ");
        line = PERIOD_COMMA_AFTER_NON_DIGIT.matcher(line).replaceAll("$1 $2 ");
        line = PERIOD_COMMA_BEFORE_NON_DIGIT.matcher(line).replaceAll(" $1 $2");
        line = DASH_AFTER_DIGIT.matcher(line).replaceAll("$1 $2 ");
        String trimmed = WHITESPACE.matcher(line).replaceAll(" ").strip();
        return trimmed.isEmpty() ? new String[0] : trimmed.split(" ");
    }
}
