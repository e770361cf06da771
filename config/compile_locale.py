"""Compile translations (.po → .mo) without GNU gettext: `python -m config.compile_locale`.

`manage.py compilemessages` needs msgfmt, which a newcomer's machine (and python:3.11-slim)
does not have; polib (in requirements.lock) writes equivalent .mo files. A catalogue is
rebuilt only when its .mo is missing or translates differently from the .po: compared by
content, not by time stamp, so that a committed .mo (made by msgfmt) is left alone in a fresh
clone. Fuzzy and untranslated entries are left out, as msgfmt does. Producing the .po files
(`make messages`) still needs gettext.
"""

import sys
from pathlib import Path

import polib

BASE_DIR = Path(__file__).resolve().parent.parent
SKIP = {".venv", "node_modules", ".git"}


def catalogues(base: Path = BASE_DIR) -> list[Path]:
    return sorted(
        po
        for po in base.glob("**/locale/*/LC_MESSAGES/*.po")
        if not SKIP.intersection(po.relative_to(base).parts)
    )


def _translations(entries) -> dict[tuple, tuple]:
    return {
        (e.msgctxt, e.msgid, e.msgid_plural): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
        for e in entries
        if e.msgid
    }


def compile_stale(base: Path = BASE_DIR) -> list[Path]:
    """Compile every catalogue whose .mo is missing or stale; return the .mo files written."""
    written = []
    for po_path in catalogues(base):
        mo_path = po_path.with_suffix(".mo")
        po = polib.pofile(str(po_path))
        if mo_path.exists():
            mo = polib.mofile(str(mo_path))
            if _translations(mo) == _translations(po.translated_entries()):
                continue
        po.save_as_mofile(str(mo_path))
        written.append(mo_path)
    return written


if __name__ == "__main__":
    for path in compile_stale():
        print(f"compiled {path.relative_to(BASE_DIR)}")
    sys.exit(0)
