"""Bad input files and arguments get an error naming the file and the problem."""
import pytest

from training import evaluate, tokenizer


def test_a_tsv_that_is_not_utf8_is_refused_naming_file_and_line(tmp_path):
    path = tmp_path / "test.tsv"
    path.write_bytes("Datei öffnen\tOpen file\n".encode("utf-8") + b"Bild \xff speichern\tSave picture\n")
    with pytest.raises(ValueError, match=r"test\.tsv:2: not UTF-8"):
        tokenizer.read_pairs(str(path))


def test_crlf_lines_keep_no_carriage_return(tmp_path):
    path = tmp_path / "test.tsv"
    path.write_bytes(b"Datei\tFile\r\n")
    assert tokenizer.read_pairs(str(path)) == [("Datei", "File")]


def test_evaluating_on_nothing_or_with_a_bad_beam_is_refused(tmp_path):
    empty = tmp_path / "empty.tsv"
    empty.write_text("")
    with pytest.raises(ValueError, match="no German<TAB>English pairs"):
        evaluate.evaluate(None, None, str(empty))
    with pytest.raises(ValueError, match="beam must be at least 1"):
        evaluate.evaluate(None, None, str(empty), beam=0)
    with pytest.raises(ValueError, match="limit at least 0"):
        evaluate.evaluate(None, None, str(empty), limit=-5)
