"""Reader for annotated plain text with a YAML metadata sidecar (the seed corpus format).

The text file stays readable as plain text; a handful of conventions carry the structure a
curator decides (see data/README.md):

- one passage per line; blank lines only separate;
- ``# Heading`` is a heading, ``## Heading`` opens a numbered section (``sec1``, ``sec1.p1``);
- ``• item`` or ``- item`` is a list item (the bullet is layout, not text);
- ``::: kind`` … ``:::`` gives the enclosed lines a passage kind (quotation, caption,
  signature, …) or marks them ``boilerplate``; fences nest;
- ``[^66]`` is a footnote marker (the note itself is in the sidecar), ``[Page 1254]`` a page
  break. Both are removed from the text and kept as offsets.

A file with none of these conventions is read as plain paragraphs, one per line.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from api.errors import IngestError
from api.formats.validation import explain
from api.records.builder import PendingPassage, TextBuilder
from api.records.record import (
    PASSAGE_KINDS,
    CrossReferenceRecord,
    DocumentRecord,
    FootnoteRecord,
    MentionRecord,
    PassageRecord,
)

_INLINE = re.compile(r"\[\^(?P<fn>[^\]\s]{1,50})\]|\[Page (?P<page>[^\]\s]{1,50})\]")
_PAGE_LINE = re.compile(r"^\[Page (?P<page>[^\]\s]{1,50})\]$")
_BULLET = re.compile(r"^(?:•|-)\s+")
_FENCE_WORDS = {*PASSAGE_KINDS, "boilerplate"}


@dataclass
class _Line:
    lineno: int
    kind: str
    text: str
    boilerplate: bool
    section_heading: bool = False
    markers: list[tuple[str, int]] = field(default_factory=list)  # (marker, offset in text)
    pages: list[tuple[str, int]] = field(default_factory=list)


def _strip_inline(
    raw: str, path: Path, lineno: int
) -> tuple[str, list[tuple[str, int]], list[tuple[str, int]]]:
    """Remove footnote and page tokens from one line, remembering where they stood."""
    out: list[str] = []
    markers: list[tuple[str, int]] = []
    pages: list[tuple[str, int]] = []
    pos = 0
    for match in _INLINE.finditer(raw):
        before = raw[pos : match.start()]
        out.append(before)
        offset = sum(len(part) for part in out)
        if match.group("fn") is not None:
            markers.append((match.group("fn"), offset))
        else:
            # "wish [Page 1254] to obtain" reads "wish to obtain": drop one of the two spaces.
            if raw[match.end() : match.end() + 1] == " " and (not before or before.endswith(" ")):
                pos = match.end() + 1
                pages.append((match.group("page"), offset))
                continue
            pages.append((match.group("page"), offset))
        pos = match.end()
    out.append(raw[pos:])
    text = "".join(out)
    if "[^" in text or "[Page " in text:
        raise IngestError(path, "malformed footnote or page token", lineno)
    return text, markers, pages


def _read_lines(source: str, path: Path) -> tuple[list[_Line], list[tuple[str, int]]]:
    """Classify the lines; returns the passages and page breaks standing on lines of their own."""
    fences: list[tuple[str, int]] = []
    lines: list[_Line] = []
    pending_pages: list[tuple[str, int]] = []  # (page, index of the next passage)
    for lineno, raw in enumerate(source.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped:
            continue
        if stripped.startswith(":::"):
            word = stripped[3:].strip()
            if word:
                if word not in _FENCE_WORDS:
                    allowed = ", ".join(sorted(_FENCE_WORDS))
                    raise IngestError(path, f"unknown block kind {word!r} (use {allowed})", lineno)
                fences.append((word, lineno))
            elif not fences:
                raise IngestError(path, "':::' closes a block that was never opened", lineno)
            else:
                fences.pop()
            continue
        page_line = _PAGE_LINE.match(stripped)
        if page_line:
            pending_pages.append((page_line.group("page"), len(lines)))
            continue
        kind = "paragraph"
        section_heading = False
        body = stripped
        if stripped.startswith("## "):
            kind, section_heading, body = "heading", True, stripped[3:].strip()
        elif stripped.startswith("# "):
            kind, body = "heading", stripped[2:].strip()
        elif _BULLET.match(stripped):
            kind, body = "list_item", _BULLET.sub("", stripped, count=1)
        kinds = [word for word, _ in fences if word != "boilerplate"]
        if kinds and kind == "paragraph":
            kind = kinds[-1]
        boilerplate = any(word == "boilerplate" for word, _ in fences)
        text, markers, pages = _strip_inline(body, path, lineno)
        if not text:
            raise IngestError(path, "a passage has no text once its markers are removed", lineno)
        lines.append(_Line(lineno, kind, text, boilerplate, section_heading, markers, pages))
    if fences:
        word, lineno = fences[-1]
        raise IngestError(path, f"block '::: {word}' is never closed", lineno)
    return lines, pending_pages


def read_annotated_text(source: str, path: Path, metadata: dict[str, Any]) -> DocumentRecord:
    """Build a record from annotated text and its (already parsed) sidecar metadata."""
    lines, line_pages = _read_lines(source, path)
    if not lines:
        raise IngestError(path, "the text file holds no passages")

    first_page = (metadata.get("provenance") or {}).get("first_page")
    builder = TextBuilder(first_page=str(first_page) if first_page is not None else None)
    line_of: dict[str, int] = {}  # passage ref -> its line, for messages about its markers
    section = 0
    counter = 0
    pending = sorted(line_pages, key=lambda item: item[1])
    for index, line in enumerate(lines):
        while pending and pending[0][1] == index:
            builder.page_break(pending.pop(0)[0])
        if line.section_heading:
            section += 1
            counter = 0
            ref = f"sec{section}"
        else:
            counter += 1
            ref = f"sec{section}.p{counter}" if section else f"p{counter}"
        line_of[ref] = line.lineno
        builder.add(
            PendingPassage(
                ref=ref,
                kind=line.kind,
                text=line.text,
                section_ref=f"sec{section}" if section else None,
                boilerplate=line.boilerplate,
                anchors=line.markers,
                pages=line.pages,
            )
        )
    for page, _ in pending:
        raise IngestError(path, f"page break {page} stands after the last passage")

    meta = dict(metadata)
    notes_meta = meta.pop("footnotes", None) or []
    footnotes: list[FootnoteRecord] = []
    if not isinstance(notes_meta, list):
        raise IngestError(path.with_suffix(".yaml"), "footnotes must be a list")
    seen: set[str] = set()
    for number, note in enumerate(notes_meta, start=1):
        if not isinstance(note, dict) or "marker" not in note or "text" not in note:
            raise IngestError(
                path.with_suffix(".yaml"), f"footnote {number} needs a marker and a text"
            )
        marker = str(note["marker"])
        if marker in seen:
            raise IngestError(path.with_suffix(".yaml"), f"footnote marker {marker} is used twice")
        seen.add(marker)
        places = builder.anchors.pop(marker, [])
        if len(places) > 1:
            where = line_of[places[1][1]]
            raise IngestError(path, f"footnote marker [^{marker}] stands twice", where)
        offset, passage_ref = places[0] if places else (None, None)
        footnotes.append(
            FootnoteRecord(
                ref=str(note.get("ref") or f"fn{note.get('number', number)}"),
                marker=marker,
                number=int(note.get("number", number)),
                text=str(note["text"]).strip(),
                offset=offset,
                passage_ref=passage_ref,
            )
        )
    for marker, places in builder.anchors.items():
        where = line_of[places[0][1]]
        raise IngestError(path, f"marker [^{marker}] has no footnote in the sidecar", where)

    sidecar = path.with_suffix(".yaml")
    containers = _Containers(builder.passages, footnotes)
    mentions = [
        _mention(item, containers, sidecar)
        for item in _as_list(meta.pop("mentions", None), sidecar)
    ]
    xrefs = [
        _cross_reference(item, containers, sidecar)
        for item in _as_list(meta.pop("cross_references", None), sidecar)
    ]
    try:
        return DocumentRecord(
            **meta,
            text=builder.text,
            passages=builder.passages,
            footnotes=footnotes,
            pages=builder.pages,
            mentions=mentions,
            cross_references=xrefs,
        )
    except ValidationError as exc:
        raise IngestError(path.with_suffix(".yaml"), explain(exc)) from exc
    except TypeError as exc:
        raise IngestError(path.with_suffix(".yaml"), str(exc)) from exc


class _Containers:
    """Passages by ref and footnotes by printed marker, as sidecars name them."""

    def __init__(self, passages: list[PassageRecord], footnotes: list[FootnoteRecord]):
        self.passages = {p.ref: p for p in passages}
        self.footnotes = {f.marker: f for f in footnotes}

    def find(self, item: dict[str, Any], sidecar: Path) -> tuple[str, str, str]:
        """Return (container kind, ref, text) for an item naming a passage or a footnote."""
        if "passage" in item:
            passage = self.passages.get(str(item["passage"]))
            if passage is None:
                raise IngestError(sidecar, f"no passage {item['passage']!r} in the text")
            return "passage", passage.ref, passage.text
        if "footnote" in item:
            note = self.footnotes.get(str(item["footnote"]))
            if note is None:
                raise IngestError(sidecar, f"no footnote with marker {item['footnote']!r}")
            return "footnote", note.ref, note.text
        raise IngestError(sidecar, "a mention or anchor needs a passage or a footnote")


def _as_list(value: Any, sidecar: Path) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise IngestError(sidecar, "mentions and cross_references must be lists of mappings")
    return value


def _locate(item: dict[str, Any], text: str, where: str, sidecar: Path) -> tuple[int, int, str]:
    """Offsets of ``item['text']`` in ``text``: at ``start`` if given, else its n-th occurrence."""
    surface = str(item.get("text", ""))
    if not surface:
        raise IngestError(sidecar, f"{where}: 'text' (the surface form) is required")
    if "start" in item:
        start = int(item["start"])
        if text[start : start + len(surface)] != surface:
            found = text[start : start + len(surface)]
            raise IngestError(sidecar, f"{where}: offset {start} holds {found!r}, not {surface!r}")
        return start, start + len(surface), surface
    occurrence = int(item.get("occurrence", 1))
    start = -1
    for _ in range(max(occurrence, 1)):
        start = text.find(surface, start + 1)
        if start < 0:
            raise IngestError(sidecar, f"{where}: {surface!r} occurs fewer than {occurrence} times")
    return start, start + len(surface), surface


def _mention(item: dict[str, Any], containers: _Containers, sidecar: Path) -> MentionRecord:
    kind, ref, text = containers.find(item, sidecar)
    where = f"mention in {kind} {ref}"
    start, end, surface = _locate(item, text, where, sidecar)
    try:
        return MentionRecord(
            container=kind,
            ref=ref,
            start=start,
            end=end,
            surface=surface,
            entity_id=item.get("entity", ""),
            status=item.get("status", "curated"),
        )
    except ValidationError as exc:
        raise IngestError(sidecar, f"{where}: {explain(exc)}") from exc


def _cross_reference(
    item: dict[str, Any], containers: _Containers, sidecar: Path
) -> CrossReferenceRecord:
    anchor = item.get("anchor") or {"document": True}
    if not isinstance(anchor, dict):
        raise IngestError(sidecar, "cross-reference anchor must be a mapping")
    kind, ref, start, end = "document", None, None, None
    if "passage" in anchor or "footnote" in anchor:
        kind, ref, text = containers.find(anchor, sidecar)
        if "text" in anchor:
            start, end, _ = _locate(anchor, text, f"cross-reference in {kind} {ref}", sidecar)
    try:
        return CrossReferenceRecord(
            container=kind,
            ref=ref,
            start=start,
            end=end,
            relation=item.get("relation", ""),
            target=item.get("target") or {},
        )
    except ValidationError as exc:
        raise IngestError(sidecar, f"cross-reference: {explain(exc)}") from exc


def load_yaml(path: Path) -> dict[str, Any]:
    """Read a YAML mapping, refusing anything else with the file and line."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise IngestError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise IngestError(path, f"invalid YAML: {getattr(exc, 'problem', exc)}", line) from exc
    if not isinstance(data, dict):
        raise IngestError(path, "expected a YAML mapping of metadata fields")
    return data


def read_document(text_path: Path, *, collection_id: str | None = None) -> DocumentRecord:
    """Read ``NAME.txt`` and its optional sidecar ``NAME.yaml``."""
    try:
        source = text_path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise IngestError(text_path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    sidecar = text_path.with_suffix(".yaml")
    metadata = load_yaml(sidecar) if sidecar.exists() else {}
    metadata.setdefault("id", text_path.stem.lower())
    if collection_id is not None:
        metadata.setdefault("collection_id", collection_id)
    metadata.setdefault("title", text_path.stem)
    metadata.setdefault("source_type", "primary")
    return read_annotated_text(source, text_path, metadata)
