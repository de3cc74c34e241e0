"""How faithfully a folder of Markdown files reads: the figures behind ``quellen check --report``.

The figures are counted from the source files by rules of their own, not by the reader, so
a reader that loses a note or leaves a marker in the text shows up here:

- markers: ``[n]``, ``[^n]`` and ``[n](#…)`` in the body, but those that open a line (a
  note's own number);
- pairs: markers whose number the document also has a note for (a note line numbered so);
- anchored: notes the reader anchored, capped per document at its pairs; ``own text``:
  notes whose text holds no other note's opening words;
- remnants: Markdown or HTML left in served passages — ``(#f…)``, ``[^n]``, ``[n]``,
  a heading's ``#``, character references, ``<br>``, table pipes (a line with two ``|``,
  or one at its start or end);
- headings and tables: ``#`` headings and GFM tables in the source, against the passages
  read as headings with a level and as tables.
"""

import re
from collections import Counter
from dataclasses import dataclass, field

from api.errors import IngestError
from api.ingest.sources import Source, Unit
from api.records.rows import PASSAGE_COLUMNS, DocumentRows

_MARKER = re.compile(r"\[\^?(\d{1,3})\](?:\(#[^)\s]*\))?(?!:)")
_LINE_START = re.compile(r"^[\s_*>-]*$")
_NOTE_LINE = re.compile(r"^[\s_*-]*(?:\[\^?(\d{1,3})\]:?|(\d{1,3}))\s+\S", re.MULTILINE)
_HEADING = re.compile(r"^ {0,3}#{1,6}\s+\S", re.MULTILINE)
_TABLE_RULE = re.compile(r"^ {0,3}\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)+\|?\s*$")
REMNANTS = {
    "link marker": re.compile(r"\(#f[^)]*\)"),
    "footnote marker": re.compile(r"\[\^\d+\]"),
    "bracket marker": re.compile(r"\[\d{1,3}\]"),
    "heading mark": re.compile(r"^#{1,6}\s", re.MULTILINE),
    "character reference": re.compile(r"&#?[A-Za-z0-9]{1,31};"),
    "line break tag": re.compile(r"<br\s*/?>", re.IGNORECASE),
    # a row of cells: two pipes on a line, or one opening or closing it (a lone "|" in a
    # sentence is a scanning error for "I", not a table)
    "table pipe": re.compile(r"^[^\n|]*\|[^\n|]*\|.*$|^\s*\||\|\s*$", re.MULTILINE),
}
_FRONT = re.compile(r"\A\ufeff?---[ \t]*\n.*?\n---[ \t]*\n", re.DOTALL)
_KIND = PASSAGE_COLUMNS.index("kind")
_TEXT = PASSAGE_COLUMNS.index("text")
_LEVEL = PASSAGE_COLUMNS.index("level")


@dataclass
class Fidelity:
    files: int = 0
    refused: list[IngestError] = field(default_factory=list)
    markers: int = 0
    pairs: int = 0
    anchored: int = 0
    own_text: int = 0
    notes: int = 0
    remnants: Counter[str] = field(default_factory=Counter)
    remnant_examples: list[str] = field(default_factory=list)
    headings_source: int = 0
    headings_read: int = 0
    tables_source: int = 0
    tables_read: int = 0
    longest_note: tuple[int, str] = (0, "")
    warnings: int = 0

    @property
    def anchored_share(self) -> float:
        return self.anchored / self.pairs if self.pairs else 1.0

    def lines(self) -> list[str]:
        return [
            f"files               {self.files}",
            f"refused             {len(self.refused)}",
            f"markers             {self.markers}",
            f"marker-note pairs   {self.pairs}",
            f"anchored            {self.anchored} ({self.anchored_share:.2%})",
            f"notes               {self.notes} ({self.notes - self.own_text} hold another's text)",
            f"remnants            {sum(self.remnants.values())}"
            + (
                f" ({', '.join(f'{k}: {v}' for k, v in self.remnants.items())})"
                if self.remnants
                else ""
            ),
            f"headings            {self.headings_read} read of {self.headings_source} in source",
            f"tables              {self.tables_read} read of {self.tables_source} in source",
            f"longest note        {self.longest_note[0]} characters ({self.longest_note[1]})",
            f"warnings            {self.warnings}",
        ]

    def add(self, source: Source, item: Unit | IngestError) -> None:
        """Count one unit read from ``source`` (or the error that refused it)."""
        if source.format != "markdown":
            return
        if isinstance(item, IngestError):
            self.files += 1
            self.refused.append(item)
            return
        self.files += 1
        self.warnings += len(item.warnings)
        body = _FRONT.sub("", source.path.read_text(encoding="utf-8"), count=1)
        for rows in item.documents:
            _count(self, body, rows)


def _count(report: Fidelity, body: str, rows: DocumentRows) -> None:
    noted = Counter(int(a or b) for a, b in _NOTE_LINE.findall(body))  # note lines by number
    markers: Counter[int] = Counter()
    for match in _MARKER.finditer(body):
        line_start = body.rfind("\n", 0, match.start()) + 1
        if _LINE_START.match(body[line_start : match.start()]):
            continue  # a note's own number
        markers[int(match.group(1))] += 1
    report.markers += sum(markers.values())
    pairs = sum(min(markers[n], noted[n]) for n in markers)
    report.pairs += pairs
    notes = [(note[4], note[6]) for note in rows.footnotes]  # text, offset
    report.notes += len(notes)
    text = rows.fields["text"]
    placed = sum(
        1
        for note in rows.footnotes
        if note[6] is not None and _after_its_marker(body, text, int(note[2]), note[6])
    )
    report.anchored += min(pairs, placed)
    texts = [text for text, _ in notes]
    for position, (text, _) in enumerate(notes):
        # another note, number and all, inside this one: notes merged
        others = [
            other
            for index, other in enumerate(texts)
            if index != position
            and len(other) >= 12
            and re.search(rf"(?:^|\s)\d{{1,3}}\s+{re.escape(other)}", text)
        ]
        if not others:
            report.own_text += 1
        if len(text) > report.longest_note[0]:
            report.longest_note = (len(text), rows.id)
    for passage in rows.passages:
        text = passage[_TEXT]
        if passage[_KIND] == "table":
            report.tables_read += 1
        if passage[_KIND] == "heading" and passage[_LEVEL] is not None:
            report.headings_read += 1
        for name, pattern in REMNANTS.items():
            found = pattern.findall(text)
            if found:
                report.remnants[name] += len(found)
                if len(report.remnant_examples) < 20:
                    report.remnant_examples.append(f"{rows.id} {passage[2]}: {found[0]!r}")
    report.headings_source += len(_HEADING.findall(body))
    report.tables_source += _tables(body)


def _tables(body: str) -> int:
    """GFM tables in the source: rule lines (``---|---``), but those within a table already
    begun (converters part rows with more rules)."""
    found = 0
    inside = False
    for line in body.split("\n"):
        if not line.strip():
            inside = False
        elif _TABLE_RULE.match(line):
            found += not inside
            inside = True
    return found


def _after_its_marker(body: str, text: str, marker: int, offset: int) -> bool:
    """The served text before the note's anchor is what the source has before a marker of
    the note's number (compared without spaces and Markdown's own characters)."""
    before = _squeeze(text[max(0, offset - 40) : offset])[-12:]
    for match in re.finditer(rf"\[\^?{marker}\](?:\(#[^)\s]*\))?", body):
        source = _squeeze(body[max(0, match.start() - 80) : match.start()])
        if source.endswith(before):
            return True
    return False


_SQUEEZE = re.compile(r"[\s_*\\#>|]|\[\^?\d{1,3}\](?:\(#[^)\s]*\))?|&[a-z]+;")


def _squeeze(text: str) -> str:
    return _SQUEEZE.sub("", text)
