"""Text basics shared by every field: Unicode NFC, spaces, case, ASCII fold.

(First version; the names module's owner extends it — keep these signatures.)"""

from __future__ import annotations

import re
import unicodedata

from unidecode import unidecode

_SPACES = re.compile(r"\s+")


def clean_text(value: str | None) -> str | None:
    """NFC, one tone-placement convention, single spaces, stripped. None/blank → None."""
    if value is None:
        return None
    s = unicodedata.normalize("NFC", str(value)).replace("\u00a0", " ")
    s = _SPACES.sub(" ", s).strip()
    return s or None


def fold(value: str | None) -> str | None:
    """Lower-case ASCII fold (Đ→d), single spaces. None/blank → None."""
    s = clean_text(value)
    if s is None:
        return None
    s = unidecode(s).lower()
    s = _SPACES.sub(" ", re.sub(r"[^a-z0-9' ]", " ", s)).strip()
    return s or None
