"""The corpus build's outputs, with the fetching stage replaced by fixed raw pairs."""
import json

from training.corpus import build, packages


def test_packages_used_records_each_package_with_its_version(tmp_path, monkeypatch):
    rows = [["gettext", "Open the file", "Datei öffnen"], ["gettext", "Save the picture", "Bild speichern"]]
    jobs = [("pkg-a", ["pkg-a"], rows), ("pkg-b", ["pkg-b"], [])]   # pkg-b contributes nothing
    monkeypatch.setattr(packages, "read_lists", lambda: {"gettext": ["pkg-a", "pkg-b"]})
    monkeypatch.setattr(build, "collect_raw", lambda *a: (jobs, {}, {"pkg-a": "1:2.3-4", "pkg-b": "5"}))
    out = tmp_path / "corpus"
    assert build.main(["--out", str(out), "--cache", str(tmp_path / "cache"), "--scratch", str(tmp_path / "s")]) == 0
    assert (out / "packages-used.txt").read_text(encoding="utf-8") == "pkg-a=1:2.3-4\n"
    assert json.loads((out / "stats.json").read_text(encoding="utf-8"))["packages_used"] == 1
