"""What a TEI file's ``teiHeader`` says about the document: the record's metadata.

Titles, authors (or editors), recipients (``correspDesc``), identifiers (``idno``), the
collection (``seriesStmt``), provenance (``sourceDesc``, or what ``publicationStmt`` and a
link in the source description give), curatorial notes (``notesStmt``), the created
date, language, and the source type and genre Quellen's exporter writes as keywords
(``textClass``). Headers written elsewhere carry far less; whatever they lack is left
for the reader to decide from the text (api/formats/tei/reader.py).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from api.formats.markdown.reader import slugify
from api.formats.tei.targets import URL
from api.formats.tei.tree import (
    QUELLEN,
    XML_LANG,
    Element,
    child,
    children,
    find,
    local,
    plain,
)
from api.records.dates import parse_edtf
from api.records.record import (
    ArchivalId,
    CollectionRecord,
    CuratorialNote,
    IdentifierRecord,
    Provenance,
)

PROVENANCE_BIBL = "quellen-provenance"
_SCOPES = {"volume": "volume", "page": "pages", "first-page": "first_page"}
_BIBL_NOTES = ("rights", "source_file", "order", "classification")
_CURATORIAL_NOTES = ("reliability", "editorial", "context", "transcription")


@dataclass
class Header:
    """The header's metadata; None where it says nothing and the reader decides."""

    title: str
    authors: list[str]
    recipients: list[str]
    identifiers: list[IdentifierRecord]
    number: str | None
    notes: list[CuratorialNote]
    language: str
    source_type: str | None
    genre: str | None
    collection: CollectionRecord | None


def quellen_id(header: Element) -> str | None:
    """The Quellen id the exporter wrote (``publicationStmt/idno[@type="quellen"]``)."""
    publication = find(header, "fileDesc", "publicationStmt")
    holders = children(publication, "idno") if publication is not None else []
    return next((plain(i) for i in holders if i.get("type") == QUELLEN), None)


def read_header(
    header: Element, root: Element, text: Element, path: Path, tei_keys: Iterable[str]
) -> Header:
    """The metadata of the header (``root`` and ``text`` may carry the language).

    ``tei_keys`` are what other TEI files use to point at this one (file name, ids), kept
    as ``tei`` identifiers.
    """
    title_stmt = find(header, "fileDesc", "titleStmt")
    titles = children(title_stmt, "title") if title_stmt is not None else []
    title_element = next((t for t in titles if t.get("type") == "complete"), None)
    if title_element is None and titles:
        title_element = titles[0]
    title = plain(title_element) if title_element is not None else path.stem
    people = [plain(a) for a in children(title_stmt, "author")] if title_stmt is not None else []
    if not people and title_stmt is not None:
        people = [plain(e) for e in children(title_stmt, "editor")]
    recipients = []
    correspondence = find(header, "profileDesc", "correspDesc")
    if correspondence is not None:
        for action in children(correspondence, "correspAction"):
            if action.get("type") == "received":
                recipients += [plain(n) for n in action if local(n) in ("persName", "name")]
    identifiers, number = _identifiers(header, tei_keys)
    notes = []
    notes_stmt = find(header, "fileDesc", "notesStmt")
    if notes_stmt is not None:
        for note in children(notes_stmt, "note"):
            if note.get("type") in _CURATORIAL_NOTES:
                notes.append(CuratorialNote(kind=note.get("type"), text=plain(note)))
    language = None
    lang_usage = find(header, "profileDesc", "langUsage")
    if lang_usage is not None:
        first = child(lang_usage, "language")
        language = first.get("ident") if first is not None else None
    return Header(
        title=title,
        authors=people,
        recipients=recipients,
        identifiers=identifiers,
        number=number,
        notes=notes,
        language=language or root.get(XML_LANG) or text.get(XML_LANG) or "en",
        source_type=_keyword(header, "source_type"),
        genre=_keyword(header, "genre"),
        collection=_collection(header),
    )


def _identifiers(
    header: Element, tei_keys: Iterable[str]
) -> tuple[list[IdentifierRecord], str | None]:
    """The ``idno``s of ``publicationStmt`` and ``tei_keys``, each once; and the number."""
    publication = find(header, "fileDesc", "publicationStmt")
    identifiers: list[IdentifierRecord] = []
    number = None
    if publication is not None:
        for idno in children(publication, "idno"):
            scheme = idno.get("type") or "idno"
            if scheme == QUELLEN:
                continue
            if scheme == "number":
                number = plain(idno)
                continue
            identifiers.append(IdentifierRecord(scheme=scheme[:50], value=plain(idno)[:500]))
    identifiers += [IdentifierRecord(scheme="tei", value=k[:500]) for k in tei_keys]
    unique: dict[tuple[str, str], IdentifierRecord] = {}
    for identifier in identifiers:
        unique.setdefault((identifier.scheme, identifier.value), identifier)
    return list(unique.values()), number


def _edtf_or_none(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip()
    for candidate in (value, value[:10]):
        try:
            parse_edtf(candidate)
        except ValueError:
            continue
        return candidate
    return None


def created_date(header: Element) -> str | None:
    """The date the document was created, as EDTF; a publication date if that is all."""
    candidates: list[Element] = []
    for holder in (
        find(header, "fileDesc", "publicationStmt"),
        find(header, "fileDesc", "sourceDesc"),
        find(header, "profileDesc", "creation"),
    ):
        if holder is not None:
            candidates += [d for d in holder.iter() if local(d) == "date"]
    created = [d for d in candidates if d.get("type") == "created"]
    others = [
        d for d in candidates if d.get("type") in (None, "publication", "published", "origin")
    ]
    for element in created + others:
        for value in (element.get("when"), element.get("notBefore"), plain(element)):
            date = _edtf_or_none(value)
            if date:
                return date
    return None


def _keyword(header: Element, kind: str) -> str | None:
    text_class = find(header, "profileDesc", "textClass")
    if text_class is None:
        return None
    for keywords in children(text_class, "keywords"):
        if keywords.get("scheme") == f"#{QUELLEN}":
            for term in children(keywords, "term"):
                if term.get("type") == kind:
                    return plain(term) or None
    return None


def provenance(header: Element, path: Path) -> Provenance:
    """Where the source comes from: the exporter's provenance ``bibl`` read back field by
    field, or else the publisher, licence and link a header from elsewhere gives."""
    source = find(header, "fileDesc", "sourceDesc")
    publication = find(header, "fileDesc", "publicationStmt")
    fields: dict[str, Any] = {"archival_ids": []}
    bibl = None
    if source is not None:
        bibl = next((b for b in children(source, "bibl") if b.get("type") == PROVENANCE_BIBL), None)
    if bibl is not None:
        for part in bibl:
            name, value = local(part), plain(part)
            if name == "publisher":
                fields["publisher"] = value
            elif name == "title":
                fields["container_title"] = value
            elif name == "biblScope":
                key = _SCOPES.get(part.get("unit") or "")
                if key:
                    fields[key] = value
            elif name == "idno":
                fields["archival_ids"].append(
                    ArchivalId(
                        scheme=part.get("type") or "archival",
                        value=value,
                        repository=part.get("source"),
                    )
                )
            elif name == "ref":
                fields["url"] = part.get("target")
            elif name == "date" and part.get("type") == "accessed":
                fields["accessed"] = value
            elif name == "placeName":
                fields["place"] = value
            elif name == "time":
                fields["time"] = value
            elif name == "note" and part.get("type") in _BIBL_NOTES:
                fields[part.get("type")] = int(value) if part.get("type") == "order" else value
        return Provenance(**fields)
    if publication is not None:
        publisher = child(publication, "publisher")
        if publisher is not None:
            fields["publisher"] = plain(publisher)
        licence = find(publication, "availability", "licence")
        if licence is not None:
            fields["rights"] = plain(licence) or licence.get("target")
    if source is not None:
        link = next((r for r in source.iter() if local(r) == "ref" and r.get("target")), None)
        if link is not None and URL.match(link.get("target")):
            fields["url"] = link.get("target")
    fields["source_file"] = path.name
    return Provenance(**fields)


def _collection(header: Element) -> CollectionRecord | None:
    series = find(header, "fileDesc", "seriesStmt")
    if series is None:
        return None
    idno = next((i for i in children(series, "idno") if i.get("type") == QUELLEN), None)
    title = child(series, "title")
    if idno is None and title is None:
        return None
    title_text = plain(title) if title is not None else plain(idno)
    notes = find(header, "fileDesc", "notesStmt")
    description = None
    if notes is not None:
        description = next(
            (
                plain(n)
                for n in children(notes, "note")
                if n.get("type") == "collection-description"
            ),
            None,
        )
    publisher = None
    for resp in children(series, "respStmt"):
        role, name = child(resp, "resp"), child(resp, "name")
        if role is not None and name is not None and plain(role) == "publisher":
            publisher = plain(name)
    return CollectionRecord(
        id=plain(idno) if idno is not None else slugify(title_text),
        title=title_text,
        description=description,
        publisher=publisher,
    )
