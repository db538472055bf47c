"""Which Debian packages feed the corpus: discovery with apt-file, and the committed lists.

The build reads `lists/<source>.txt` (one package per line, `#` comments) so that it repeats
without apt-file. `--discover` regenerates the lists from apt-file's Contents index; the regexes
below are the whole definition of "a package that ships German translations" for each source.

Two kinds of source:
- per-package sources: a package holds both languages (a .mo file is msgid→msgstr; a help folder
  ships `C`/`en` beside `de`), so each package is fetched and read on its own;
- group sources: German and English come from different packages (the LibreOffice German help vs
  the en-US help, a Mozilla language pack vs the application's en-US `omni.ja`), so the whole
  group is fetched before pairing. Their lists are fixed, not discovered.
"""

import os
import re
import subprocess

LISTS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lists")

# Per-package sources: list name -> apt-file regex over shipped paths.
DISCOVERY_PATTERNS = {
    # de and de_DE only: de_AT/de_CH differ in spelling (ß) and are tiny.
    "gettext": r"/(de|de_DE)/LC_MESSAGES/[^/]+\.mo$",
    "gettext-po": r"/de\.po$",
    "qt": r"(_|/)de\.qm$",
    "mallard": r"^/usr/share/help/de/",
    "kde-docbook": r"^/usr/share/doc/HTML/de/.*index\.cache\.bz2$",
}

# Group sources: list name -> packages (fetched together, paired across packages).
GROUPS = {
    "libreoffice-help": ["libreoffice-help-de", "libreoffice-help-en-us"],
    "mozilla-firefox": ["firefox-esr", "firefox-esr-l10n-de"],
    "mozilla-thunderbird": ["thunderbird", "thunderbird-l10n-de"],
    "debian-manuals": ["debian-reference-de", "debian-reference-en", "debian-faq",
                       "debian-faq-de", "debian-history", "maint-guide", "maint-guide-de",
                       "developers-reference", "developers-reference-de", "debian-handbook"],
    "ding": ["trans-de-en"],
}

# Package-name patterns never worth fetching: debug symbols ship no text, and the German
# documentation packages that also match are covered by their own source.
EXCLUDE_RE = re.compile(r"-dbg(sym)?$")


def discover(patterns=DISCOVERY_PATTERNS):
    """Return {list name: sorted package names} from apt-file (needs `apt-file update`)."""
    found = {}
    for name, pattern in patterns.items():
        out = subprocess.run(["apt-file", "search", "-x", pattern], check=True,
                             capture_output=True, text=True).stdout
        packages = {line.split(":", 1)[0].strip() for line in out.splitlines() if ":" in line}
        found[name] = sorted(p for p in packages if not EXCLUDE_RE.search(p))
    for name, members in GROUPS.items():
        found[name] = list(members)
    return found


def write_lists(lists, directory=LISTS_DIR):
    os.makedirs(directory, exist_ok=True)
    for name, packages in lists.items():
        with open(os.path.join(directory, name + ".txt"), "w", encoding="utf-8") as out:
            if name in DISCOVERY_PATTERNS:
                out.write("# apt-file search -x '%s' (Debian 12 bookworm)\n"
                          % DISCOVERY_PATTERNS[name])
            else:
                out.write("# fixed group: fetched together and paired across packages\n")
            for package in packages:
                out.write(package + "\n")


def read_lists(directory=LISTS_DIR):
    """Return {list name: packages} from the committed lists."""
    lists = {}
    for filename in sorted(os.listdir(directory)):
        if not filename.endswith(".txt"):
            continue
        with open(os.path.join(directory, filename), encoding="utf-8") as source:
            lists[filename[:-4]] = [line.strip() for line in source
                                    if line.strip() and not line.startswith("#")]
    return lists


def candidate_versions(packages):
    """{package: version apt would download}, for cache keys; unknown packages are left out."""
    versions = {}
    packages = list(packages)
    for start in range(0, len(packages), 500):
        out = subprocess.run(["apt-cache", "show", "--no-all-versions"]
                             + packages[start:start + 500],
                             capture_output=True, text=True).stdout
        package = None
        for line in out.splitlines():
            if line.startswith("Package: "):
                package = line[9:].strip()
            elif line.startswith("Version: ") and package:
                versions[package] = line[9:].strip()
    return versions
