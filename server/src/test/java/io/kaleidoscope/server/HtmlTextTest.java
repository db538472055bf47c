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
}
