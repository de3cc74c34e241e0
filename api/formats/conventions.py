"""How a collection writes its Markdown notes, where reading each document alone is not enough.

The Markdown reader recognises every convention of note and marker by itself, document by
document (api/formats/markdown/notes.py). A collection whose documents print something that looks
like a convention and is not — ``[3]`` as an editor's bracketed number, paragraphs numbered
``1 The Minister…`` — says which conventions it uses in its ``collection.yaml``::

    id: dfat-volume-27
    title: Documents on Australian Foreign Policy, Volume 27
    markdown:
      markers: [link]           # only links such as [3](#f3) are markers; a bare [3] is text
      notes: [plain, bullet]    # notes are "3 text" or "* 3 text" lines

Markers: ``bracket`` (``[3]``), ``link`` (``[3](#f3)``), ``footnote`` (``[^3]``). Notes:
``plain`` (``3 text``, after a ``_`` line or the archival reference or not), ``bracket``
(``[3] text``, ``_[3] text``), ``bullet`` (``* 3 text``), ``footnote`` (``[^3]: text``).
Unset means all.
"""

from typing import Literal

from pydantic import BaseModel, ConfigDict

MarkerStyle = Literal["bracket", "link", "footnote"]
NoteStyle = Literal["plain", "numbered", "bracket", "bullet", "footnote"]


class MarkdownConventions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    markers: tuple[MarkerStyle, ...] | None = None
    notes: tuple[NoteStyle, ...] | None = None

    def allows_marker(self, style: MarkerStyle) -> bool:
        return self.markers is None or style in self.markers

    def allows_note(self, style: str) -> bool:
        return self.notes is None or style in self.notes


ALL = MarkdownConventions()
