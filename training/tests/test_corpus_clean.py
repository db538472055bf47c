"""Cleaning rules of the corpus builder (training/corpus/clean.py), with exact expected values."""

from training.corpus import clean


def test_accelerators_stripped_when_both_sides_carry_one():
    assert clean.clean_pair("_Open", "Ö_ffnen") == [("Öffnen", "Open")]
    assert clean.clean_pair("&File", "&Datei") == [("Datei", "File")]
    assert clean.clean_pair("~Save", "~Speichern") == [("Speichern", "Save")]
    assert clean.clean_pair("Save _As…", "Speichern _unter …") == [("Speichern unter …", "Save As…")]


def test_accelerator_kept_when_only_one_side_has_it():
    # A lone underscore is an identifier, not a mnemonic: nothing is stripped.
    assert clean.strip_accelerators("file_name", "Dateiname") == ("file_name", "Dateiname")
    assert clean.strip_accelerators("_Open", "Öffnen") == ("_Open", "Öffnen")


def test_doubled_ampersand_is_a_literal():
    assert clean.clean_pair("Tom && Jerry &Go", "Tom && Jerry &Los") == [
        ("Tom & Jerry Los", "Tom & Jerry Go")]


def test_entity_reference_is_not_an_accelerator():
    assert clean.strip_accelerators("&brandName; &Help", "&brandName;-&Hilfe") == (
        "&brandName; Help", "&brandName;-Hilfe")


def test_placeholder_mismatch_dropped():
    assert clean.clean_pair("Delete %s?", "Löschen?") == []
    assert clean.clean_pair("{name} items", "{Name} Elemente") == []
    assert clean.clean_pair("Copied %d files", "%s Dateien kopiert") == []


def test_placeholders_kept_verbatim_and_reordering_allowed():
    assert clean.clean_pair("%d files of %s", "%2$s: %1$d Dateien") == [
        ("%2$s: %1$d Dateien", "%d files of %s")]
    assert clean.clean_pair("{0} items", "{0} Elemente") == [("{0} Elemente", "{0} items")]
    assert clean.clean_pair("$HOME is set", "$HOME ist gesetzt") == [
        ("$HOME ist gesetzt", "$HOME is set")]
    assert clean.placeholders("%1$s and %(count)d and %1 and {x} and ${A}") == sorted(
        ["%s", "%(count)d", "%1", "{x}", "${A}"])


def test_percent_sign_is_not_a_placeholder():
    assert clean.placeholders("100 % der Dateien") == []
    assert clean.clean_pair("50% of %s", "50 % von %s") == [("50 % von %s", "50% of %s")]


def test_markup_dropped_but_angle_bracket_content_kept():
    assert clean.clean_pair("<b>Bold</b> text", "<b>Fetter</b> Text") == [
        ("Fetter Text", "Bold text")]
    assert clean.clean_pair("Usage: foo <file>", "Aufruf: foo <Datei>") == [
        ("Aufruf: foo <Datei>", "Usage: foo <file>")]
    assert clean.clean_pair("Fish &amp; Chips", "Fisch &amp; Pommes") == [
        ("Fisch & Pommes", "Fish & Chips")]


def test_sentences_split_when_both_sides_agree():
    assert clean.clean_pair("Open the file. Then close it.",
                            "Öffnen Sie die Datei. Dann schließen Sie sie.") == [
        ("Öffnen Sie die Datei.", "Open the file."),
        ("Dann schließen Sie sie.", "Then close it.")]


def test_sentences_kept_whole_when_counts_differ():
    assert clean.clean_pair("Open the file. Then close it.",
                            "Öffnen Sie die Datei, dann schließen Sie sie.") == [
        ("Öffnen Sie die Datei, dann schließen Sie sie.", "Open the file. Then close it.")]


def test_abbreviations_do_not_end_sentences():
    assert clean.split_sentences("Nutzen Sie z. B. das Menü. Dann beenden.") == [
        "Nutzen Sie z. B. das Menü.", "Dann beenden."]
    assert clean.split_sentences("Use e.g. the menu. Then quit.") == [
        "Use e.g. the menu.", "Then quit."]


def test_lines_split_when_counts_match():
    assert clean.clean_pair("Line one\nLine two", "Zeile eins\nZeile zwei") == [
        ("Zeile eins", "Line one"), ("Zeile zwei", "Line two")]
    # Different line counts: joined with spaces and kept as one pair.
    assert clean.clean_pair("Line one\nLine two", "Zeile eins und Zeile zwei") == [
        ("Zeile eins und Zeile zwei", "Line one Line two")]


def test_untranslated_and_empty_dropped():
    assert clean.clean_pair("Hello", "Hello") == []
    assert clean.clean_pair("Hello", "") == []
    assert clean.clean_pair("This is the file for you", "This is the Datei for you") == []
    assert clean.clean_pair("Settings", "settings") == []


def test_over_long_and_ratio_outliers_dropped():
    assert clean.clean_pair("word " * 250, "Wort " * 250) == []
    assert clean.clean_pair("A long English sentence here.", "Ja") == []


def test_output_has_no_tabs_or_newlines():
    assert clean.clean_pair("Name:\tvalue shown", "Name:\tangezeigter Wert") == [
        ("Name: angezeigter Wert", "Name: value shown")]


def test_disambiguation_qualifier_removed():
    assert clean.clean_pair("?plural:Acehnese people", "Aceh Leute") == [
        ("Aceh Leute", "Acehnese people")]


def test_positional_conversion_unknown_to_c_is_ignored_on_both_sides():
    # GCC's %L (a source locus) is not a C conversion; %2$L must not read as Qt's %2 plus $L.
    assert clean.placeholders("at %L with %d") == ["%d"]
    assert clean.placeholders("bei %2$L mit %1$d") == ["%d"]


def test_named_html_entities_unescaped_variables_kept():
    assert clean.strip_markup("zu gro&szlig; &amp; &app;") == "zu groß & &app;"


def test_compound_hyphen_is_a_translation_but_case_only_is_not():
    assert clean.clean_pair("IPA Server", "IPA-Server") == [("IPA-Server", "IPA Server")]
    assert clean.clean_pair("Esc/Q Pause :", "Esc/Q Pause:") == []


def test_marker_on_one_side_only_is_dropped():
    assert clean.clean_pair("A_dd", "Hinzufügen") == []
    assert clean.clean_pair("target_url", "Zieladresse") == []
    assert clean.clean_pair("&Open", "Öffnen") == []
    # Two underscores on both sides: an identifier kept verbatim, nothing stripped.
    assert clean.clean_pair("path_to_socket", "pfad_zum_socket") == [
        ("pfad_zum_socket", "path_to_socket")]


def test_single_letters_dropped():
    # Access keys and units: "N" for "j" is not a translation anyone asks for.
    assert clean.clean_pair("N", "j") == []
    assert clean.clean_pair("Ja", "Yes") == [("Yes", "Ja")]


def test_pipe_context_prefix_removed_and_unaligned_alternatives_dropped():
    assert clean.clean_pair("tooltip|Abort action", "Vorgang abbrechen") == [
        ("Vorgang abbrechen", "Abort action")]
    assert clean.clean_pair("monday | mondays", "Montag | Montags | montags") == []


def test_hard_wrapped_paragraph_is_joined_not_paired_by_line():
    en = "This program is distributed in the hope that it will be useful,\nbut WITHOUT ANY WARRANTY."
    de = "Dieses Programm wird in der Hoffnung verbreitet, dass es\nnützlich sein wird, aber OHNE JEDE GARANTIE."
    assert clean.clean_pair(en, de) == [
        ("Dieses Programm wird in der Hoffnung verbreitet, dass es nützlich sein wird, aber OHNE "
         "JEDE GARANTIE.",
         "This program is distributed in the hope that it will be useful, but WITHOUT ANY "
         "WARRANTY.")]
