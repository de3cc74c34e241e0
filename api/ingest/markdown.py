"""Reader for Markdown documents with YAML front matter (the DFAT web edition's format).

One file is one document::

    ---
    doc_date: '1945-02-01'
    doc_num: 22
    naa_refs: [{naa_series: A1066, naa_control_symbol: IC45/6/2/1 PART 1, ...}]
    title: Cranborne to Commonwealth Government
    vol_id: 8
    vol_title: 'Volume 8: 1945'
    ---

    Cablegram D193 LONDON, 1 February 1945, 7.30 p.m.

    TOP SECRET IMMEDIATE

    Text, with footnote markers [1] ...

     _

    1 The note, which may wrap onto following lines.

    _

     _[AA: A1066, IC45/6/2/1, i]_

What the reader makes of it:

- the front matter becomes the metadata (``doc_date`` → date, ``doc_num`` → number,
  ``doc_order`` → provenance order, ``naa_refs`` → archival ids and identifiers, ``vol_*`` →
  the collection); ``title``/``date``/``authors``/… are taken as they are, so files that
  are not from DFAT work too;
- the first paragraph is the heading line: kept as a ``dateline`` passage and parsed for
  genre, number, place, date and time; a classification line (``TOP SECRET``) after it is
  kept as a ``heading`` passage and recorded in provenance;
- ``[n]`` markers become footnote anchors and leave the text; the notes after the ``_``
  separator become footnotes (lines that continue a note are joined to it);
- the closing italic archival reference ``_[AA: …]_`` becomes provenance, not text;
- Markdown escapes (``2\\.``) and emphasis underscores are undone.

The web edition was harvested from HTML and carries the harvest's scars: the separator is
sometimes glued to the first note (``_1 …``), a sentence that was cut out of the running
text sometimes stands in italics after the notes, a note sometimes has no marker and a
marker no note. The reader keeps all the text, records what it had to repair as a
transcription note, and never drops a note.

Inline Markdown is undone with a few regular expressions rather than a full CommonMark
parser: the corpus uses escapes and underscores only, and markdown-it-py would cost more
than every other step of an import together (0.3 s for the 481 documents of volume 8).
"""

import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from api.ingest.builder import PendingPassage, TextBuilder
from api.ingest.dateline import genre_from_title as _genre_from_title
from api.ingest.dateline import parse_dateline
from api.ingest.errors import IngestError
from api.ingest.plaintext import _explain
from api.ingest.record import (
    ArchivalId,
    CollectionRecord,
    CuratorialNote,
    DocumentRecord,
    FootnoteRecord,
    IdentifierRecord,
    Provenance,
)

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_FRONT = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_EMPHASIS = re.compile(r"(?<![\w\\])[_*]{1,2}(?=\S)|(?<=[^\s\\])[_*]{1,2}(?!\w)")
_MARKER = re.compile(r"\[(\d{1,3})\]")
_SLUG_GAPS = re.compile(r"[^a-z0-9]+")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_NOTE_LINE = re.compile(r"^_?\s*(\d{1,3})\s+(\S.*)$")
_SEPARATOR = {"_", "__", "___"}
# [AA : A1066, IC45/6/2/1, i] — a repository code, a colon and the reference, in italics or not
_ARCHIVAL = re.compile(r"^_?\s*\[(?P<repo>[A-Z][A-Z.]{1,9})\s*[:;]\s*(?P<ref>[^\]]+)\]?\s*_?\s*$")
_CLASSIFICATION = re.compile(
    r"^(?:(?:MOST |TOP )?SECRET|CONFIDENTIAL|RESTRICTED|PERSONAL|IMMEDIATE|MOST IMMEDIATE|"
    r"PRIORITY|URGENT|CLEAR THE LINE|OFFICIAL|IMPORTANT|AND|&|[ ,])+$"
)
_SIGNATURE = re.compile(r"^[A-Z][A-Z.' -]{1,40}$")
REPOSITORIES = {
    "AA": "National Archives of Australia",
    "NAA": "National Archives of Australia",
}
SUFFIXES = (".md", ".markdown")


def slugify(text: str) -> str:
    """Lower-case ASCII slug: runs of anything else become one hyphen."""
    slug = _SLUG_GAPS.sub("-", text.lower()).strip("-")
    return slug or "document"


def _inline(text: str) -> str:
    """Undo Markdown escapes and emphasis; collapse the whitespace the harvest left."""
    if "_" in text or "*" in text:
        text = _EMPHASIS.sub("", text)
    if "\\" in text:
        text = _ESCAPE.sub(r"\1", text)
    if _single_spaced(text):
        return text  # most paragraphs: splitting them into words would change nothing
    return " ".join(text.split())


def _single_spaced(text: str) -> bool:
    """True when ``" ".join(text.split())`` would give ``text`` back, checked in C loops.

    In ASCII every whitespace character but the space is a control character, which
    ``isprintable`` refuses; what is left to look for is a run of spaces or one at an end.
    """
    return (
        text.isascii()
        and text.isprintable()
        and "  " not in text
        and not text.startswith(" ")
        and not text.endswith(" ")
    )


def _strip_markers(text: str) -> tuple[str, list[tuple[str, int]]]:
    """Remove ``[n]`` markers with the space before them; return the text and the anchors."""
    out: list[str] = []
    anchors: list[tuple[str, int]] = []
    length = 0
    pos = 0
    for match in _MARKER.finditer(text):
        before = text[pos : match.start()]
        if before.endswith(" ") and (match.end() == len(text) or text[match.end()] in " .,;:)"):
            before = before[:-1]
        out.append(before)
        length += len(before)
        anchors.append((match.group(1), length))
        pos = match.end()
        if length == 0 and text[pos : pos + 1] == " ":
            pos += 1  # a marker opening the paragraph takes its following space with it
    out.append(text[pos:])
    return "".join(out), anchors


def split_front_matter(source: str, path: Path) -> tuple[dict[str, Any], str, int]:
    """The front matter as a mapping, the body, and the line the body starts on."""
    match = _FRONT.match(source)
    if match is None:
        return {}, source.lstrip("\ufeff"), 1
    try:
        meta = yaml.load(match.group(1), Loader=_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else None
        problem = getattr(exc, "problem", exc)
        raise IngestError(path, f"invalid YAML front matter: {problem}", line) from exc
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise IngestError(path, "the front matter must be a YAML mapping", 2)
    return meta, source[match.end() :], source.count("\n", 0, match.end()) + 1


def _paragraphs(body: str, first_line: int) -> list[tuple[int, str]]:
    """Blocks separated by blank lines, with the line each starts on (lines joined by a space)."""
    blocks: list[tuple[int, str]] = []
    current: list[str] = []
    start = first_line
    for lineno, line in enumerate(body.splitlines(), start=first_line):
        if line.strip():
            if not current:
                start = lineno
            current.append(line.strip())
        elif current:
            blocks.append((start, " ".join(current)))
            current = []
    if current:
        blocks.append((start, " ".join(current)))
    return blocks


def _is_note_start(text: str) -> bool:
    match = _NOTE_LINE.match(text)
    return match is not None and match.group(1) == "1"


def _split_tail(blocks: list[tuple[int, str]]) -> int:
    """Index of the first block after the running text (separator, archival ref or notes)."""
    first_note = None
    for index in range(len(blocks) - 1, -1, -1):
        text = blocks[index][1]
        if _is_note_start(text):
            previous = blocks[index - 1][1] if index else ""
            if (
                text.startswith("_")
                or previous in _SEPARATOR
                or _ARCHIVAL.match(previous)
                or (previous.startswith("_") and previous.rstrip("_ ").endswith("]"))
            ):
                first_note = index
                break
    for index, (_, text) in enumerate(blocks):
        if first_note is not None and index >= first_note - 1:
            previous_is_tail = index == first_note - 1 and (
                text in _SEPARATOR
                or _ARCHIVAL.match(text)
                or (text.startswith("_") and text.rstrip("_ ").endswith("]"))
            )
            return index if previous_is_tail else first_note
        if text in _SEPARATOR or _ARCHIVAL.match(text):
            return index
    return len(blocks)


def _collection(meta: dict[str, Any]) -> CollectionRecord | None:
    """``vol_*`` fields name the printed volume the document belongs to."""
    if meta.get("vol_id") is None:
        return None
    title = str(meta.get("vol_full_title") or meta.get("vol_title") or f"Volume {meta['vol_id']}")
    year = _YEAR.search(str(meta.get("vol_title") or title))
    slug = f"dfat-volume-{slugify(str(meta['vol_id']))}" + (f"-{year.group(1)}" if year else "")
    return CollectionRecord(
        id=slug,
        title=f"Documents on Australian Foreign Policy, {title}",
        publisher="Department of Foreign Affairs and Trade",
    )


def _archival(meta: dict[str, Any], path: Path) -> tuple[list[ArchivalId], list[IdentifierRecord]]:
    """``naa_refs``: series, control symbol, barcode and the printed reference."""
    refs = meta.get("naa_refs") or []
    if not isinstance(refs, list):
        raise IngestError(path, "naa_refs must be a list", 2)
    archival: list[ArchivalId] = []
    identifiers: list[IdentifierRecord] = []
    repository = REPOSITORIES["NAA"]
    for ref in refs:
        if not isinstance(ref, dict):
            raise IngestError(path, "each naa_refs entry must be a mapping", 2)
        series = str(ref.get("naa_series") or "").strip()
        symbol = str(ref.get("naa_control_symbol") or "").strip()
        barcode = str(ref.get("naa_barcode") or "").strip()
        printed = str(ref.get("reference") or "").strip()
        if series:
            archival.append(ArchivalId(scheme="naa_series", value=series, repository=repository))
        if series and symbol:
            archival.append(
                ArchivalId(scheme="naa_item", value=f"{series}, {symbol}", repository=repository)
            )
        if barcode and barcode != "0":
            archival.append(ArchivalId(scheme="naa_barcode", value=barcode, repository=repository))
        match = _ARCHIVAL.match(printed) if printed else None
        if match:
            value = " ".join(match.group("ref").split())
            parts = [p.strip() for p in value.split(",")]
            # the printed reference "A1066, IC45/6/2/1, i" cites series and control symbol
            citation = ", ".join(parts[:2]) if len(parts) >= 2 else value
            identifiers.append(IdentifierRecord(scheme="archival_reference", value=citation))
            archival.append(
                ArchivalId(scheme="printed_reference", value=value, repository=repository)
            )
    return archival, identifiers


def read_markdown(
    source: str,
    path: Path,
    *,
    collection_id: str | None = None,
    default_collection: str | None = None,
) -> tuple[DocumentRecord, CollectionRecord | None]:
    """Build the record of one Markdown document; returns it with the collection it names.

    ``collection_id`` puts the document in that collection whatever the file says;
    ``default_collection`` is used when the file names none.
    """
    meta, body, first_line = split_front_matter(source, path)
    blocks = _paragraphs(body, first_line)
    if not blocks:
        raise IngestError(path, "the document has no text", first_line)
    tail_start = _split_tail(blocks)
    body_blocks, tail = blocks[:tail_start], blocks[tail_start:]
    if not body_blocks:
        raise IngestError(path, "the document has no running text before its notes", first_line)

    transcription: list[str] = []
    notes: list[tuple[int, str, int]] = []  # (number, text, line)
    archival_lines: list[str] = []
    displaced: list[tuple[int, str]] = []
    expected = 1
    seen_separator = False
    for lineno, text in tail:
        if text in _SEPARATOR:
            seen_separator = True
            continue
        archival_match = _ARCHIVAL.match(text)
        if archival_match:
            archival_lines.append(" ".join(archival_match.group("ref").split()))
            continue
        note = _NOTE_LINE.match(text)
        if note and int(note.group(1)) == expected:
            notes.append((expected, _inline(note.group(2)), lineno))
            expected += 1
            continue
        if text.startswith("_") and text.rstrip("_ ").endswith("]") and not notes:
            continue  # a torn copy of the archival reference, repeated in full below
        if notes and not (seen_separator and text.startswith("_") and text.endswith("_")):
            number, previous, line = notes[-1]
            notes[-1] = (number, f"{previous} {_inline(text)}", line)
            continue
        displaced.append((lineno, text))

    builder = TextBuilder()
    classification: list[str] = []
    counter = 0
    heading = parse_dateline(_inline(body_blocks[0][1]))
    for index, (_, raw) in enumerate(body_blocks + displaced):
        text, anchors = _strip_markers(_inline(raw))
        if not text:
            if anchors:
                # a paragraph that is nothing but a marker: the note belongs to the text end
                builder.anchors.setdefault(anchors[0][0], []).append(
                    (builder.length, builder.passages[-1].ref if builder.passages else "p1")
                )
            continue
        kind = "paragraph"
        if index == 0:
            kind = "dateline"
        elif index <= 2 and _CLASSIFICATION.match(text) and not classification:
            kind = "heading"
            classification.append(text)
        elif index == len(body_blocks) - 1 and _SIGNATURE.match(text) and index > 1:
            kind = "signature"
        counter += 1
        builder.add(
            PendingPassage(
                ref=f"p{counter}",
                kind=kind,
                text=text,
                anchors=[(marker, offset) for marker, offset in anchors],
            )
        )
    if displaced:
        transcription.append(
            "The source file prints "
            + ("a passage" if len(displaced) == 1 else f"{len(displaced)} passages")
            + " in italics after the notes, cut from the running text by the web edition; "
            "kept at the end of the text."
        )

    footnotes: list[FootnoteRecord] = []
    for number, text, _line in notes:
        places = builder.anchors.pop(str(number), [])
        offset, ref = places[0] if places else (None, None)
        if len(places) > 1:
            transcription.append(
                f"Marker [{number}] stands {len(places)} times; anchored at the first."
            )
        footnotes.append(
            FootnoteRecord(
                ref=f"fn{number}",
                marker=str(number),
                number=number,
                text=text,
                offset=offset,
                passage_ref=ref,
            )
        )
    orphans = sorted(builder.anchors, key=int)
    if orphans:
        listed = ", ".join(f"[{m}]" for m in orphans)
        transcription.append(f"The source file has no note for marker {listed}.")
    for footnote in footnotes:
        if footnote.offset is None:
            transcription.append(
                f"No marker in the text for note {footnote.marker} of the source file."
            )

    collection = _collection(meta)
    archival_ids, identifiers = _archival(meta, path)
    for value in archival_lines:
        parts = value.split(",")
        if not any(a.scheme == "printed_reference" and a.value == value for a in archival_ids):
            archival_ids.append(ArchivalId(scheme="printed_reference", value=value))
        citation = ", ".join(p.strip() for p in parts[:2])
        if not any(i.value == citation for i in identifiers):
            identifiers.append(IdentifierRecord(scheme="archival_reference", value=citation))
    if meta.get("doc_num") is not None and collection is not None:
        identifiers.append(
            IdentifierRecord(scheme="dfat_document", value=f"{meta['vol_id']}/{meta['doc_num']}")
        )

    title, title_markers = _strip_markers(_inline(str(meta.get("title") or "")))
    title = title or heading.genre or path.stem
    for marker, _ in title_markers:
        for footnote in footnotes:
            if footnote.marker == marker and footnote.offset is None:
                transcription.remove(f"No marker in the text for note {marker} of the source file.")
                transcription.append(f"Note {marker} is marked on the title.")
    raw_date: Any = meta.get("doc_date", meta.get("date"))
    if hasattr(raw_date, "isoformat"):
        raw_date = raw_date.isoformat()
    date = str(raw_date) if raw_date not in (None, "") else heading.date
    number = meta.get("number", meta.get("doc_num"))
    order: Any = meta.get("doc_order")
    stem = path.stem
    if collection is not None and stem[:1].isdecimal():
        doc_id = f"dfat-v{slugify(str(meta['vol_id']))}-{slugify(stem)}"
    else:
        doc_id = slugify(str(meta.get("id") or stem))
    curatorial = [CuratorialNote(kind="transcription", text=t) for t in transcription]
    try:
        record = DocumentRecord(
            id=doc_id,
            collection_id=str(
                collection_id
                or meta.get("collection")
                or (collection.id if collection else None)
                or default_collection
                or ""
            ),
            title=title,
            authors=_as_list(meta.get("authors")),
            recipients=_as_list(meta.get("recipients")),
            date=date,
            source_type=meta.get("source_type", "primary"),
            genre=meta.get("genre") or heading.genre or _genre_from_title(title),
            language=meta.get("language", "en"),
            number=heading.number or (str(number) if number is not None else None),
            provenance=Provenance(
                publisher=collection.publisher if collection else None,
                container_title=collection.title if collection else None,
                archival_ids=archival_ids,
                source_file=path.name,
                order=int(order) if order is not None else None,
                place=heading.place,
                time=heading.time,
                classification=classification[0] if classification else None,
            ),
            notes=curatorial,
            identifiers=identifiers,
            text=builder.text,
            passages=builder.passages,
            footnotes=footnotes,
        )
    except ValidationError as exc:
        raise IngestError(path, _explain(exc)) from exc
    except (TypeError, ValueError) as exc:
        raise IngestError(path, str(exc)) from exc
    return record, collection


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]
