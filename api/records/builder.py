"""Assemble passages into one full text, keeping every offset the record needs.

Readers for structured formats (Markdown, TEI) find passages one at a time, each with its
own footnote anchors, page breaks, mentions and references at offsets *within* the
passage. The builder joins the passages the way the API serves them (a blank line between
passages, one newline between consecutive list items) and turns those local offsets into
the document-wide ones the record stores, so no reader does offset arithmetic of its own.
"""

from dataclasses import dataclass, field
from typing import Any

from api.records.record import PageRecord, PassageRecord


@dataclass
class PendingPassage:
    """A passage as a reader found it: its text and the things anchored inside it."""

    ref: str
    kind: str
    text: str
    section_ref: str | None = None
    boilerplate: bool = False
    anchors: list[tuple[str, int]] = field(default_factory=list)  # (note key, local offset)
    pages: list[tuple[str, int]] = field(default_factory=list)  # (page n, local offset)
    # structure, as PassageRecord has it: heading level, list depth and label, marks, table
    structure: dict[str, Any] = field(default_factory=dict)


@dataclass
class TextBuilder:
    """Accumulates passages; ``anchors`` maps a note key to (absolute offset, passage ref)."""

    first_page: str | None = None
    pieces: list[str] = field(default_factory=list)
    length: int = 0
    passages: list[PassageRecord] = field(default_factory=list)
    pages: list[PageRecord] = field(default_factory=list)
    anchors: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    _pending_pages: list[str] = field(default_factory=list)
    _last_kind: str | None = None
    _current_page: str | None = None

    def __post_init__(self) -> None:
        self._current_page = self.first_page

    def page_break(self, n: str) -> None:
        """A page begins before the next passage (a page break between passages)."""
        self._pending_pages.append(n)

    def add(self, passage: PendingPassage) -> PassageRecord:
        if self.passages:
            both_items = passage.kind == "list_item" == self._last_kind
            joiner = "\n" if both_items else "\n\n"
            self.pieces.append(joiner)
            self.length += len(joiner)
        start = self.length
        for n in self._pending_pages:
            self.pages.append(PageRecord(n=n, offset=start))
            self._current_page = n
        self._pending_pages.clear()
        page_at_start = self._current_page
        for n, offset in passage.pages:
            self.pages.append(PageRecord(n=n, offset=start + offset))
            if offset == 0:
                page_at_start = n
            self._current_page = n
        for key, offset in passage.anchors:
            self.anchors.setdefault(key, []).append((start + offset, passage.ref))
        record = PassageRecord(
            ref=passage.ref,
            kind=passage.kind,
            text=passage.text,
            start=start,
            end=start + len(passage.text),
            boilerplate=passage.boilerplate,
            section_ref=passage.section_ref,
            page=page_at_start,
            **passage.structure,
        )
        self.passages.append(record)
        self.pieces.append(passage.text)
        self.length += len(passage.text)
        self._last_kind = passage.kind
        return record

    def finish_pages(self) -> None:
        """Page breaks after the last passage mark the end of the text."""
        for n in self._pending_pages:
            self.pages.append(PageRecord(n=n, offset=self.length))
        self._pending_pages.clear()

    @property
    def text(self) -> str:
        return "".join(self.pieces)
