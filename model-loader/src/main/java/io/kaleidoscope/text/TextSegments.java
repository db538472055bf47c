package io.kaleidoscope.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Splits a text into the sentences the model translates one by one and the whitespace between
 * them, so the translation can be rejoined with the original spacing and line breaks:
 * {@code join(segments, translate(sentences))} keeps every newline, indent and space run.
 *
 * <p>Rules: lines are split at every line break (\n, \r, U+2028, U+2029, NEL, vertical tab, form
 * feed); within a line a sentence ends after '.', '!',
 * '?' or '…' (with any closing quotes or brackets) when whitespace and then an upper-case letter,
 * a digit or an opening quote follow — except after a known abbreviation ("z.", "B.", "Dr.",
 * "bzw.", …), a single letter or a number ("3. Mai"), where German does not end a sentence.
 *
 * <p>What counts as a gap ({@link #isGap}): whitespace, the no-break spaces (U+00A0, U+2007,
 * U+202F), control characters and the invisible zero-width ones. A text of nothing but gaps has
 * no sentence and comes back verbatim; the model would otherwise invent words for it.
 */
public final class TextSegments {
    /** A part of the text: a sentence to translate, or whitespace to keep verbatim. */
    public record Segment(String text, boolean sentence) {}

    private static final Set<String> ABBREVIATIONS = Set.of(
            "z", "b", "bzw", "ca", "dr", "prof", "nr", "usw", "etc", "vgl", "ggf", "inkl", "evtl", "d", "h",
            "s", "u", "a", "o", "ä", "hr", "fr", "str", "abs", "bd", "jh", "mio", "mrd", "st", "sog", "zb", "bspw", "max", "min");

    private TextSegments() {}

    /** Whether the text holds anything to translate (a sentence), not only gaps. */
    public static boolean hasSentence(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (!isGap(text.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether c is kept verbatim between or around sentences: whitespace, a no-break space, a
     * control character, or a zero-width space, word joiner, byte-order mark or direction mark.
     */
    public static boolean isGap(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || Character.isISOControl(c)
                || c == '\u200B' || c == '\u2060' || c == '\uFEFF' || c == '\u200E' || c == '\u200F';
    }

    /**
     * Longest sentence translated as one, in characters (about 330 pieces; the base model was
     * trained on sentences of at most 200): a longer run without a sentence end (a log line, a
     * CSV row) is cut at its last gap before the limit, and the pieces are translated one after
     * another. Without it the encoder's time and memory grow with the square of the length (8
     * lines of 12,400 characters took 6.6 GB). {@code -Dkaleido.maxSentenceChars} sets it.
     */
    public static final int MAX_SENTENCE_CHARS = Integer.getInteger("kaleido.maxSentenceChars", 1000);

    /** Splits with sentences of at most {@link #MAX_SENTENCE_CHARS}. */
    public static List<Segment> split(String text) {
        return split(text, MAX_SENTENCE_CHARS);
    }

    /** Splits into sentences and gaps, each sentence at most {@code maxSentenceChars} long. */
    public static List<Segment> split(String text, int maxSentenceChars) {
        if (maxSentenceChars < 2) {
            throw new IllegalArgumentException("maxSentenceChars must be at least 2, got " + maxSentenceChars);
        }
        List<Segment> segments = new ArrayList<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            int start = i;
            while (i < n && isGap(text.charAt(i))) {
                i++;
            }
            if (i > start) {
                segments.add(new Segment(text.substring(start, i), false));
            }
            if (i >= n) {
                break;
            }
            int end = Math.min(sentenceEnd(text, i), cut(text, i, maxSentenceChars));
            // Trailing spaces belong to the gap, not the sentence.
            int trimmed = end;
            while (trimmed > i && isGap(text.charAt(trimmed - 1))) {
                trimmed--;
            }
            segments.add(new Segment(text.substring(i, trimmed), true));
            i = trimmed;
        }
        return segments;
    }

    /**
     * Where a sentence starting at {@code from} must end at the latest: at the last gap within
     * {@code max} characters, or after {@code max} characters (never between the two halves of
     * a surrogate pair) when there is none; the text's end when it is nearer.
     */
    private static int cut(String text, int from, int max) {
        if (text.length() - from <= max) {
            return text.length();
        }
        int limit = from + max;
        for (int g = limit; g > from; g--) {
            if (isGap(text.charAt(g))) {
                return g;
            }
        }
        return Character.isHighSurrogate(text.charAt(limit - 1)) ? limit - 1 : limit;
    }

    /**
     * The text with every line break replaced by a space. A translation is one sentence of one
     * line; a model could still emit a line break through its byte-fallback pieces, and that
     * would add a line to the rejoined text (and to the output of `./kaleido translate`).
     */
    public static String oneLine(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (isLineBreak(text.charAt(i))) {
                StringBuilder out = new StringBuilder(text);
                for (int j = i; j < out.length(); j++) {
                    if (isLineBreak(out.charAt(j))) {
                        out.setCharAt(j, ' ');
                    }
                }
                return out.toString();
            }
        }
        return text;
    }

    /** Line breaks: a sentence never spans one. */
    static boolean isLineBreak(char c) {
        return c == '\n' || c == '\r' || c == '\u2028' || c == '\u2029' || c == '\u0085' || c == '\u000B' || c == '\f';
    }

    /** Index just past the sentence starting at {@code from} (at a line break or sentence end). */
    private static int sentenceEnd(String text, int from) {
        int n = text.length();
        for (int i = from; i < n; i++) {
            char c = text.charAt(i);
            if (isLineBreak(c)) {
                return i;
            }
            if (c == '.' || c == '!' || c == '?' || c == '…') {
                int j = i + 1;
                while (j < n && (".!?…\"'»«”“)]".indexOf(text.charAt(j)) >= 0)) {
                    j++;
                }
                if (j < n && !isLineBreak(text.charAt(j)) && isGap(text.charAt(j))) {
                    int k = j;
                    while (k < n && !isLineBreak(text.charAt(k)) && isGap(text.charAt(k))) {
                        k++;
                    }
                    if (k < n && startsSentence(text.charAt(k)) && !(c == '.' && isAbbreviation(text, from, i))) {
                        return j;
                    }
                }
            }
        }
        return n;
    }

    private static boolean startsSentence(char c) {
        return Character.isUpperCase(c) || Character.isDigit(c) || "\"'„»«“(".indexOf(c) >= 0;
    }

    /** Whether the word before the period at {@code dot} is an abbreviation, a single letter or a number. */
    private static boolean isAbbreviation(String text, int from, int dot) {
        int w = dot;
        while (w > from && Character.isLetterOrDigit(text.charAt(w - 1))) {
            w--;
        }
        String word = text.substring(w, dot);
        if (word.isEmpty()) {
            return false;
        }
        if (word.chars().allMatch(Character::isDigit)) {
            return true;
        }
        return word.length() == 1 || ABBREVIATIONS.contains(word.toLowerCase(java.util.Locale.ROOT));
    }

    /** Rejoins: sentences replaced in order by {@code translations}, whitespace kept. */
    public static String join(List<Segment> segments, List<String> translations) {
        StringBuilder out = new StringBuilder();
        int t = 0;
        for (Segment s : segments) {
            out.append(s.sentence() ? translations.get(t++) : s.text());
        }
        if (t != translations.size()) {
            throw new IllegalArgumentException("%d translations for %d sentences".formatted(translations.size(), t));
        }
        return out.toString();
    }
}
