"""Offsets in the unit a client counts in: Unicode code points, or UTF-16 code units.

Every offset Quellen stores and serves by default counts code points of the document's
full text (Python's ``len``). JavaScript strings count UTF-16 code units: a character
outside the Basic Multilingual Plane (Fraktur letters, most emoji) is one code point but
two units, so ``text.slice(start, end)`` lands one unit early for every such character
before ``start``. ``?offsets=utf16`` answers in the client's unit; this module converts,
once for the whole API.

A text's map keeps the positions of its astral characters: a code-point offset becomes
``offset + (astral characters before it)``. A text without any (nearly every text) has an
empty map, found with one scan in C, and converting through it costs nothing.
"""

import re
from bisect import bisect_left
from collections.abc import Iterable
from typing import Literal

from sqlalchemy import select
from sqlmodel import Session, col

from api.db.models import Document

OffsetUnit = Literal["codepoints", "utf16"]
CODEPOINTS: OffsetUnit = "codepoints"

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


class Utf16Map:
    """Code-point offsets of one text, as UTF-16 code units."""

    __slots__ = ("_astral",)

    def __init__(self, text: str) -> None:
        self._astral: list[int] = (
            [] if text.isascii() else [m.start() for m in _ASTRAL.finditer(text)]
        )

    def __bool__(self) -> bool:
        """Whether converting changes anything: the text has an astral character."""
        return bool(self._astral)

    def __call__(self, offset: int) -> int:
        return offset + bisect_left(self._astral, offset) if self._astral else offset

    def optional(self, offset: int | None) -> int | None:
        return None if offset is None else self(offset)

    def within(self, container_start: int, offset: int) -> int:
        """An offset into a passage that starts at ``container_start`` of this text."""
        return self(container_start + offset) - self(container_start)


def utf16_length(text: str) -> int:
    """The length of ``text`` in UTF-16 code units (JavaScript's ``text.length``)."""
    return Utf16Map(text)(len(text))


def full_text_maps(session: Session, document_ids: Iterable[str]) -> dict[str, Utf16Map]:
    """The UTF-16 maps of documents' full texts, which every ``start``/``end`` is into."""
    wanted = sorted(set(document_ids))
    if not wanted:
        return {}
    rows = session.execute(
        select(col(Document.id), col(Document.text)).where(col(Document.id).in_(wanted))
    ).all()
    return {row.id: Utf16Map(row.text) for row in rows}
