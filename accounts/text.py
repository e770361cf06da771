"""The rule for names and titles shown to other people: one line, visible, no direction tricks.

Names appear in presence lists, mentions, feeds, e-mail subjects and calendar entries. A line
break there forges a second line ("Anna\\nFacilitator: …"), a right-to-left override turns
"Max‮gnp.exe" around, and a name of only zero-width characters is an invisible participant.
Every service that stores a person, company or convoy name or a project, milestone or
check-in title passes it through `name_clean` (the one write path for API, UI and shell);
it lives here, at the bottom of the layers, so every app may import it.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Line and paragraph separators, whatever the platform calls them.
LINE_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")
# Bidirectional embeddings, overrides, isolates and marks: they reorder what others read.
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
# Invisible characters with no place in a name (the joiners U+200C/U+200D are needed in some
# scripts and emoji, so they are allowed next to visible characters, but never alone).
INVISIBLE = frozenset("\u200b\u2060\ufeff\u180e")
JOINERS = frozenset("\u200c\u200d")
# Characters that look like a space but are letters or symbols to Unicode (Hangul fillers,
# the blank Braille pattern): treated as spaces, so they are trimmed and collapsed.
BLANKS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
_WHITESPACE_RUN = re.compile(r"\s+")
# What a reader can see: letters, digits, punctuation, symbols (not marks or format
# characters on their own).
_VISIBLE_CATEGORIES = ("L", "N", "P", "S")


def _is_format_trick(char: str) -> bool:
    """A control or format character other than the two joiners: bidi controls, zero-width
    spaces, soft hyphens, deprecated format controls (U+206A–206F), tag characters, invisible
    operators and the like. None belongs in a name."""
    if char == "\t" or char in JOINERS:
        return False
    return char in BIDI_CONTROLS or char in INVISIBLE or unicodedata.category(char) in {"Cc", "Cf"}


def name_clean(value: str, *, field: str = "name") -> str:
    """The name as it is stored: NFC, trimmed, inner whitespace runs as one space.

    Raises ValidationError({field: [message]}) for a line break, a control or direction
    character, or a name with nothing visible in it.
    """
    text = unicodedata.normalize("NFC", value)
    if any(char in LINE_BREAKS for char in text):
        raise ValidationError({field: [_("Please write this on a single line.")]})
    if any(_is_format_trick(char) for char in text):
        raise ValidationError(
            {
                field: [
                    _(
                        "This contains invisible control characters (for example text-direction "
                        "marks or zero-width spaces). Please remove them."
                    )
                ]
            }
        )
    text = "".join(" " if char in BLANKS else char for char in text)
    text = _WHITESPACE_RUN.sub(" ", text).strip()
    if not any(unicodedata.category(char).startswith(_VISIBLE_CATEGORIES) for char in text):
        raise ValidationError({field: [_("Please enter visible characters.")]})
    return text
