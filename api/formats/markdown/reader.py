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

    _[AA: A1066, IC45/6/2/1, i]_

The body is read by a CommonMark parser (api/formats/markdown/blocks.py): headings keep their
level, lists their numbers and nesting, tables their cells, emphasis its place as marks.
The notes, in whichever of the series' conventions the document writes them, are found and
matched to their markers by api/formats/markdown/notes.py; archival reference lines of any
repository become provenance (api/formats/archival.py). What the reader makes of the rest:

- the front matter becomes the metadata (``doc_date`` → date, ``doc_num`` → number and a
  ``document_number`` identifier, ``doc_order`` → provenance order, ``naa_refs`` → archival
  ids and identifiers, ``vol_*`` → the collection); ``title``/``date``/``authors``/… are
  taken as they are, so files that are not from DFAT work too;
- the first paragraph, when it reads as a heading line (genre, number, place, date), is
  the ``dateline`` passage; a classification line (``TOP SECRET``) after it is a
  ``heading`` passage and recorded in provenance;
- a paragraph wholly in italics, or wholly in brackets (``[matter omitted]``), is the
  editor's, not the document's: an ``editorial`` passage; one wholly in bold is a heading;
- a name in capitals closing a part (``G.F.PEARCE``) is a ``signature``.

Nothing is dropped for an unusual structure: whatever the reader had to decide is said in a
transcription note on the document and as a warning of the import.
"""

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from api.errors import IngestError
from api.formats.archival import REPOSITORIES, ArchivalLine, read_archival
from api.formats.conventions import ALL, MarkdownConventions
from api.formats.dateline import Dateline, parse_dateline
from api.formats.dateline import genre_from_title as _genre_from_title
from api.formats.markdown.blocks import Block, markers, parse_blocks
from api.formats.markdown.notes import Notes, find_notes
from api.formats.markdown.render import Rendered, render, render_table
from api.formats.validation import explain
from api.records.builder import PendingPassage, TextBuilder
from api.records.record import (
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
_SLUG_GAPS = re.compile(r"[^a-z0-9]+")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_TITLE_MARKER = re.compile(r"\s*\[\^?(\d{1,3})\](?:\(#[^)]*\))?")
_CLASSIFICATION = re.compile(
    r"^(?:(?:MOST |TOP )?SECRET|CONFIDENTIAL|RESTRICTED|PERSONAL|IMMEDIATE|MOST IMMEDIATE|"
    r"PRIORITY|URGENT|CLEAR THE LINE|OFFICIAL|IMPORTANT|AND|&|[ ,.])+$",
    re.IGNORECASE,
)
_SIGNATURE = re.compile(r"^[A-Z][A-Z.' -]{1,40}$")
_CAPITALS = re.compile(r"^[^a-z]*[A-Z][^a-z]*$")
_LETTER = re.compile(r"[^\W_]")
SUFFIXES = (".md", ".markdown")
ID_LENGTH = 200
DATELINE_LENGTH = 200  # a heading line; a longer first paragraph is text that names a date
TELEGRAM_GENRES = {"telegram", "cablegram", "savingram", "teleprinter message"}


def slugify(text: str) -> str:
    """Lower-case ASCII slug: runs of anything else become one hyphen."""
    slug = _SLUG_GAPS.sub("-", text.lower()).strip("-")
    return slug or "document"


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
        line = read_archival(printed, at_reference_place=True) if printed else None
        if line is not None:
            identifiers.append(IdentifierRecord(scheme="archival_reference", value=line.citation))
            archival.append(
                ArchivalId(
                    scheme="printed_reference",
                    value=line.reference,
                    repository=line.repository or repository,
                )
            )
    return archival, identifiers


def _add_archival_lines(
    lines: list[ArchivalLine], archival_ids: list[ArchivalId], identifiers: list[IdentifierRecord]
) -> None:
    """The archival reference lines of the body as provenance, but those the front matter
    already gave."""
    for line in lines:
        if not any(a.value == line.reference for a in archival_ids):
            archival_ids.append(
                ArchivalId(
                    scheme="printed_reference", value=line.reference, repository=line.repository
                )
            )
        if not any(i.value == line.citation for i in identifiers):
            identifiers.append(IdentifierRecord(scheme="archival_reference", value=line.citation))


def _full_id(meta: dict[str, Any], path: Path, collection: CollectionRecord | None) -> str:
    stem = path.stem
    if collection is not None and stem[:1].isdecimal():
        return f"dfat-v{slugify(str(meta['vol_id']))}-{slugify(stem)}"
    return slugify(str(meta.get("id") or stem))


def _document_id(meta: dict[str, Any], path: Path, collection: CollectionRecord | None) -> str:
    """The id a file's name makes; one too long keeps its start and a hash of the whole,
    so the same file gets the same id on every import."""
    full = _full_id(meta, path, collection)
    if len(full) <= ID_LENGTH:
        return full
    digest = hashlib.sha256(full.encode("utf-8")).hexdigest()[:10]
    return f"{full[: ID_LENGTH - 11].rstrip('-')}-{digest}"


@dataclass
class MarkdownDocument:
    """What one file reads as: the record, the collection it names, what to warn about."""

    record: DocumentRecord
    collection: CollectionRecord | None
    warnings: list[str] = field(default_factory=list)


def read_markdown(
    source: str,
    path: Path,
    *,
    collection_id: str | None = None,
    default_collection: str | None = None,
    conventions: MarkdownConventions = ALL,
) -> MarkdownDocument:
    """Build the record of one Markdown document, with the collection it names.

    ``collection_id`` puts the document in that collection whatever the file says;
    ``default_collection`` is used when the file names none; ``conventions``: the note
    conventions its collection declares (api/formats/conventions.py).
    """
    meta, body, first_line = split_front_matter(source, path)
    blocks = [b for b in parse_blocks(body, first_line) if b.kind != "rule"]
    if not blocks:
        raise IngestError(path, "the document has no text", first_line)
    remarks: list[str] = []
    notes = find_notes(blocks, conventions)
    if not notes.body:
        # nothing but what reads as notes: keep it all as text rather than lose it
        notes = Notes(
            body=blocks, runs=[], archival=[], anchored={}, remarks=[], parts=[0] * len(blocks)
        )
        remarks.append("The file holds nothing but numbered lines; they are kept as its text.")

    builder = TextBuilder()
    heading, classification = _assemble(notes, builder)
    footnotes, note_remarks = _footnotes(notes, builder)
    remarks += notes.remarks + note_remarks

    collection = _collection(meta)
    archival_ids, identifiers = _archival(meta, path)
    _add_archival_lines(notes.archival, archival_ids, identifiers)
    if meta.get("doc_num") is not None and collection is not None:
        identifiers.append(
            IdentifierRecord(scheme="dfat_document", value=f"{meta['vol_id']}/{meta['doc_num']}")
        )

    raw_title = str(meta.get("title") or "")
    title = _TITLE_MARKER.sub("", raw_title).strip()
    title = title or heading.genre or path.stem
    for number in _TITLE_MARKER.findall(raw_title):
        unmarked = f"No marker in the text for note {number} of the source file."
        if unmarked in remarks:
            remarks.remove(unmarked)
            remarks.append(f"Note {number} is marked on the title.")
    raw_date: Any = meta.get("doc_date", meta.get("date"))
    if hasattr(raw_date, "isoformat"):
        raw_date = raw_date.isoformat()
    date = str(raw_date) if raw_date not in (None, "") else heading.date
    number = meta.get("number", meta.get("doc_num"))
    order: Any = meta.get("doc_order")
    doc_id = _document_id(meta, path, collection)
    if doc_id != _full_id(meta, path, collection):
        remarks.append(f"The file's name makes an id over {ID_LENGTH} characters; shortened.")
    final_collection = str(
        collection_id
        or meta.get("collection")
        or (collection.id if collection else None)
        or default_collection
        or ""
    )
    if meta.get("doc_num") is not None:
        identifiers.append(
            IdentifierRecord(
                scheme="document_number", value=f"{final_collection}/{meta['doc_num']}"
            )
        )
    genre = meta.get("genre") or heading.genre or _genre_from_title(title)
    printed_number = heading.number or (str(number) if number is not None else None)
    if heading.number is not None and genre in TELEGRAM_GENRES:
        # "our telegram 489" elsewhere in the collection finds it (api/records/filenumbers.py)
        identifiers.append(
            IdentifierRecord(scheme="telegram_number", value=f"{final_collection}/{heading.number}")
        )
    curatorial = [CuratorialNote(kind="transcription", text=t) for t in remarks]
    try:
        record = DocumentRecord(
            id=doc_id,
            collection_id=final_collection,
            title=title,
            authors=_as_list(meta.get("authors")),
            recipients=_as_list(meta.get("recipients")),
            date=date,
            source_type=meta.get("source_type", "primary"),
            genre=genre,
            language=meta.get("language", "en"),
            number=printed_number,
            provenance=Provenance(
                publisher=collection.publisher if collection else None,
                container_title=collection.title if collection else None,
                archival_ids=archival_ids,
                source_file=path.name,
                order=int(order) if order is not None else None,
                place=heading.place,
                time=heading.time,
                classification=classification,
            ),
            notes=curatorial,
            identifiers=identifiers,
            text=builder.text,
            passages=builder.passages,
            footnotes=footnotes,
        )
    except ValidationError as exc:
        raise IngestError(path, explain(exc)) from exc
    except (TypeError, ValueError) as exc:
        raise IngestError(path, str(exc)) from exc
    return MarkdownDocument(record, collection, remarks)


def _note_key(run: int, sequence: int, index: int) -> str:
    return f"{run}.{sequence}.{index}"


def _assemble(notes: Notes, builder: TextBuilder) -> tuple[Dateline, str | None]:
    """Add the body's passages to ``builder``; returns the heading line and classification."""
    key_of = {id(marker): _note_key(*spot) for spot, marker in notes.anchored.items()}
    heading = Dateline()
    classification: str | None = None
    body = notes.body
    for index, block in enumerate(body):
        if block.kind == "table" and block.rows:
            rendered, cells = render_table(block.rows)
            structure: dict[str, Any] = {"table": {"rows": cells, "header_rows": block.header_rows}}
            kind = "table"
        else:
            rendered = render(block.pieces)
            structure = {}
            kind = _kind(block, rendered)
        anchors = [
            (key_of[id(marker)], offset)
            for marker, offset in rendered.anchors
            if id(marker) in key_of
        ]
        if not rendered.text:
            if anchors:  # a paragraph that is nothing but a marker: its note is at the end
                ref = builder.passages[-1].ref if builder.passages else "p1"
                for key, _ in anchors:
                    builder.anchors.setdefault(key, []).append((builder.length, ref))
            continue
        if not builder.passages and kind == "paragraph" and len(rendered.text) <= DATELINE_LENGTH:
            heading = parse_dateline(rendered.text)
            if heading.date or heading.genre:
                kind = "dateline"
            else:
                heading = Dateline()
        elif (
            len(builder.passages) <= 2
            and classification is None
            and kind == "paragraph"
            and _CLASSIFICATION.match(rendered.text)
        ):
            kind = "heading"
            classification = rendered.text
        elif kind == "paragraph" and _CAPITALS.match(rendered.text) and len(rendered.text) <= 120:
            closes_part = index + 1 == len(body) or notes.parts[index + 1] != notes.parts[index]
            is_name = _SIGNATURE.match(rendered.text) is not None
            kind = "signature" if is_name and (closes_part or "." in rendered.text) else "heading"
        if block.kind == "heading":
            structure["level"] = block.level
        if block.kind == "list_item":
            structure["depth"] = block.depth
            structure["label"] = block.label
        if rendered.marks:
            structure["marks"] = rendered.marks
        builder.add(
            PendingPassage(
                ref=f"p{len(builder.passages) + 1}",
                kind=kind,
                text=rendered.text,
                anchors=anchors,
                structure=structure,
            )
        )
    return heading, classification


def _kind(block: Block, rendered: Rendered) -> str:
    if block.kind == "heading":
        return "heading"
    if block.kind == "list_item":
        return "quotation" if block.quoted else "list_item"
    if block.kind == "quotation":
        return "quotation"
    text = rendered.text
    if _wholly(rendered, "italic") or (text.startswith("[") and text.endswith("]")):
        return "editorial"
    if _wholly(rendered, "bold") and len(text) <= 200 and not text.endswith("."):
        return "heading"
    return "paragraph"


def _wholly(rendered: Rendered, mark: str) -> bool:
    """The mark covers every letter of the text (punctuation and markers may stand outside)."""
    text = rendered.text
    position = 0
    covered = False
    for span in rendered.marks:  # merged runs, in order
        if span["type"] != mark:
            continue
        start, end = int(span["start"]), int(span["end"])
        if _LETTER.search(text, position, start):
            return False
        position = max(position, end)
        covered = True
    return covered and _LETTER.search(text, position) is None


def _footnotes(notes: Notes, builder: TextBuilder) -> tuple[list[FootnoteRecord], list[str]]:
    """The notes in printed order, numbered through the document, anchored where they can be."""
    footnotes: list[FootnoteRecord] = []
    remarks: list[str] = []
    printed_numbers = set()
    sequences = 0
    for run_index, run in enumerate(notes.runs):
        for sequence_index, sequence in enumerate(run.sequences):
            sequences += 1
            for note_index, note in enumerate(sequence):
                printed_numbers.add(note.number)
                number = len(footnotes) + 1
                key = _note_key(run_index, sequence_index, note_index)
                places = builder.anchors.pop(key, [])
                offset, ref = places[0] if places else (None, None)
                text = render(note.pieces).text or "(empty note)"
                if note_index == 0 and note.number != 1:
                    remarks.append(
                        f"The notes begin at {note.number} (line {note.line}), not at 1; kept "
                        f"as printed, as note fn{number}."
                    )
                elif note_index and note.number != sequence[note_index - 1].number + 1:
                    previous = sequence[note_index - 1].number
                    remarks.append(
                        f"Note {note.number} (line {note.line}) follows note {previous} where "
                        f"{previous + 1} was due; kept as printed, as note fn{number}."
                    )
                if offset is None:
                    remarks.append(
                        f"No marker in the text for note {note.number} of the source file."
                    )
                footnotes.append(
                    FootnoteRecord(
                        ref=f"fn{number}",
                        marker=str(note.number),
                        number=number,
                        text=text,
                        offset=offset,
                        passage_ref=ref,
                    )
                )
    if sequences > 1:
        remarks.append(
            f"The notes are printed in {sequences} sequences, each numbered from 1; each is "
            "anchored to the markers of its own part."
        )
    anchored = {id(m) for m in notes.anchored.values()}
    for block in notes.body:
        pieces = list(block.pieces)
        for row in block.rows or []:
            for cell in row:
                pieces.extend(cell)
        for marker in markers(pieces):
            if id(marker) in anchored:
                continue
            if marker.number in printed_numbers:
                remarks.append(
                    f"Marker {marker.raw} on line {marker.line} has no note of its own in its "
                    f"part (note {marker.number} is anchored elsewhere); left out of the text."
                )
            else:
                remarks.append(
                    f"The source file has no note for marker {marker.raw} (line "
                    f"{marker.line}); the marker is left out of the text."
                )
    return footnotes, remarks


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]
