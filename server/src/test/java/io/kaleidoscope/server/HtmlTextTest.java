package io.kaleidoscope.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Splitting HTML into kept markup and translatable text nodes, and putting it back together. */
class HtmlTextTest {

    private static String shape(String html) {
        return HtmlText.split(html).stream().map(p -> (p.text() ? "T:" : "M:") + p.raw()).collect(Collectors.joining("|"));
    }

    @Test
    void tagsCommentsScriptsAndStylesAreMarkupTheRestIsText() {
        assertEquals("M:<p>|T:Hallo |M:<b>|T:Welt|M:</b>|M:</p>", shape("<p>Hallo <b>Welt</b></p>"));
        assertEquals("M:<!-- <b>x</b> -->|T: a", shape("<!-- <b>x</b> --> a"));
        assertEquals("M:<script type=\"t\">if (a < b) x = '</b>';</script>|T:Text", shape("<script type=\"t\">if (a < b) x = '</b>';</script>Text"));
        assertEquals("M:<STYLE>p > b {}</STYLE>|T:x", shape("<STYLE>p > b {}</STYLE>x"));
        assertEquals("M:<a title=\"1 > 0\">|T:eins|M:</a>", shape("<a title=\"1 > 0\">eins</a>"));
        assertEquals("M:<!DOCTYPE html>|M:<?xml x?>", shape("<!DOCTYPE html><?xml x?>"));
    }

    @Test
    void whatIsNotMarkupStaysText() {
        assertEquals("T:a < b und 3<4", shape("a < b und 3<4"));
        assertEquals("T:offen <b ohne Ende", shape("offen <b ohne Ende"));
        assertEquals("T:<!-- nie zu", shape("<!-- nie zu"));
        assertEquals("M:<script>x = 1", shape("<script>x = 1"));   // an unclosed script keeps the rest as markup
        assertEquals("", shape(""));
    }

    @Test
    void rawPiecesConcatenateToTheInput() {
        for (String html : List.of("<p>Hallo <b>Welt</b></p>", "a < b", "<x", "<<>>", "<a href='x'>y</a> z <!-- c -->", "&amp;<")) {
            assertEquals(html, HtmlText.split(html).stream().map(HtmlText.Piece::raw).collect(Collectors.joining()), html);
        }
    }

    @Test
    void entitiesAreDecodedForTranslationAndUnknownOnesKept() {
        assertEquals("Grüße & <Dank> \" ' ä € 😀 A", HtmlText.decodeEntities("Gr&uuml;&szlig;e &amp; &lt;Dank&gt; &quot; &apos; &#228; &euro; &#x1F600; &#65;"));
        assertEquals("&unbekannt; &#xD800; &#0; & allein &;", HtmlText.decodeEntities("&unbekannt; &#xD800; &#0; & allein &;"));
    }

    @Test
    void joinEscapesTranslationsAndSkipsBlankNodes() {
        List<HtmlText.Piece> pieces = HtmlText.split("<p>Eins</p>\n  <p>Zwei &amp; drei</p>");
        assertEquals(List.of("Eins", "Zwei & drei"), pieces.stream().filter(HtmlText.Piece::translatable).map(HtmlText.Piece::decoded).toList());
        assertEquals("<p>One</p>\n  <p>Two &amp; <three></p>".replace("<three>", "&lt;three&gt;"),
                HtmlText.join(pieces, List.of("One", "Two & <three>")));
    }

    @Test
    void scriptAndStyleEndTagsAreFoundAfterCharactersWhoseLowerCaseIsLonger() {
        // "İ" lower-cases to two chars: positions found in a lower-cased copy would be off by one per İ.
        String html = "<script>" + "İ".repeat(20) + "</script>Hallo";
        assertEquals("M:<script>" + "İ".repeat(20) + "</script>|T:Hallo", shape(html));
        assertEquals("M:<style>İİİ</style>|M:<p>|T:Hallo Welt|M:</p>", shape("<style>İİİ</style><p>Hallo Welt</p>"));
        assertEquals("M:<SCRIPT>x</ScRiPt >|T:y", shape("<SCRIPT>x</ScRiPt >y"));
    }

    @Test
    @org.junit.jupiter.api.Timeout(30)   // a hang guard: the quadratic splitter took minutes on these inputs
    void unclosedTagsAndQuotesSplitInLinearTimeWithTheSameResult() {
        assertEquals("T:<a<a<a", shape("<a<a<a"));
        assertEquals("M:<a<a<a>|T:x", shape("<a<a<a>x"));
        assertEquals("T:<a \"|M:<b>|T:x", shape("<a \"<b>x"));   // the quote never closes: the first '<' is text
        assertEquals("M:<a \">\" >|T:x", shape("<a \">\" >x"));
        assertEquals("T:<!--<!--", shape("<!--<!--"));
        // 200,000 unclosed tags (a 400 KB text): a scan to the end for each would take minutes
        String hostile = "<a".repeat(200_000);
        List<HtmlText.Piece> pieces = HtmlText.split(hostile);
        assertEquals(List.of(new HtmlText.Piece(hostile, true)), pieces);
        String quotes = "<a \"".repeat(100_000) + "<!--".repeat(100_000);
        assertEquals(quotes, HtmlText.split(quotes).stream().map(HtmlText.Piece::raw).collect(Collectors.joining()));
    }

    @Test
    void noBreakSpacesAndInvisibleNodesAreKeptNotTranslated() {
        List<HtmlText.Piece> pieces = HtmlText.split("<td>&nbsp;</td><td>\u200b</td><p>\u0000</p><p>Hallo&nbsp;</p>");
        assertEquals(List.of("Hallo\u00a0"), pieces.stream().filter(HtmlText.Piece::translatable).map(HtmlText.Piece::decoded).toList());
        assertEquals("<td>&nbsp;</td><td>\u200b</td><p>\u0000</p><p>Hello\u00a0</p>", HtmlText.join(pieces, List.of("Hello\u00a0")));
    }
}
