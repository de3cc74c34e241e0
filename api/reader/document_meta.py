"""What the reading view says about a document besides its text: dates and source types in
words, provenance and identifiers as rows, the one-sentence description, and the Highwire
Press ``citation_*`` tags that Zotero's "Embedded Metadata" translator reads.

Kept apart from the route (``api.reader.document``) because it is pure: metadata in,
strings out, no session and no request, so each rule is tested without a database.
"""

import re
from dataclasses import dataclass
from typing import Any

from api.documents.schemas import DocumentPublic
from api.formats.dateline import MONTHS
from api.texts.schemas import PageMarkerPublic, PassagePublic

SOURCE_TYPES = {
    "primary": "Primary source",
    "secondary": "Secondary source",
    "tertiary": "Tertiary source",
}
NOTE_KINDS = {
    "reliability": "Reliability",
    "editorial": "Editorial note",
    "context": "Context",
    "transcription": "Transcription",
}
_DAY = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_ACRONYMS = {"url": "URL", "doi": "DOI", "isbn": "ISBN", "issn": "ISSN", "id": "ID"}
# provenance keys shown in this order, with these labels; others follow, named from the key
_PROVENANCE = {
    "container_title": "Printed in",
    "volume": "Volume",
    "pages": "Pages",
    "publisher": "Publisher",
    "place": "Place",
    "url": "Online at",
    "accessed": "Accessed",
    "rights": "Rights",
}
_NOT_SHOWN = {"archival_ids", "source_file", "first_page"}  # shown otherwise, or internal


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the metadata list: a label, a value and, for a web address, its link."""

    label: str
    value: str
    href: str | None = None


def label_for(key: str) -> str:
    """``file_number`` → "File number", ``url`` → "URL"."""
    words = [_ACRONYMS.get(w, w) for w in key.replace("-", "_").split("_") if w]
    text = " ".join(words)
    return text[:1].upper() + text[1:] if text else key


def web_link(value: Any) -> str | None:
    """``value`` when it is an http(s) address, the only kind a page links to (a
    ``javascript:`` URL in curated data must not become a link)."""
    if isinstance(value, str) and re.match(r"^https?://[^\s]+$", value.strip(), re.I):
        return value.strip()
    return None


def _day(text: str) -> str:
    match = _DAY.match(text)
    if match is None:
        return text
    year, month, day = match.groups()
    if month is None or not 1 <= int(month) <= 12:
        return year
    if day is None:
        return f"{MONTHS[int(month) - 1]} {year}"
    return f"{int(day)} {MONTHS[int(month) - 1]} {year}"


def human_date(edtf: str | None) -> str | None:
    """An EDTF date as a reader writes it: ``1944-09-24`` → 24 September 1944, ``1945-02``
    → February 1945, ``1945~`` → circa 1945, ``1945-02-04/1945-02-11`` → 4 February 1945 –
    11 February 1945; anything else as curated."""
    if not edtf:
        return None
    text = edtf.strip()
    if "/" in text:
        start, _, end = text.partition("/")
        return f"{human_date(start) or '…'} – {human_date(end) or '…'}"
    circa = text.endswith(("~", "%"))
    uncertain = text.endswith(("?", "%"))
    shown = _day(text.rstrip("~?%"))
    if circa:
        shown = f"circa {shown}"
    if uncertain:
        shown = f"{shown} (uncertain)"
    return shown


def highwire_date(edtf: str | None) -> str | None:
    """The date as Highwire tags write it, ``YYYY/MM/DD`` (or ``YYYY/MM``, ``YYYY``); the
    start of an interval."""
    if not edtf:
        return None
    match = _DAY.match(edtf.strip().split("/")[0].rstrip("~?%"))
    if match is None:
        return None
    return "/".join(part for part in match.groups() if part)


def page_range(
    metadata: DocumentPublic, passages: list[PassagePublic], pages: list[PageMarkerPublic]
) -> tuple[str | None, str | None]:
    """First and last printed page: the curated page range (``1253–1254``) if there is
    one, else the page the first passage starts on (or ``first_page``) and the last page
    break."""
    printed = metadata.provenance.get("pages")
    if isinstance(printed, str | int) and str(printed).strip():
        parts = [p.strip() for p in re.split(r"[–—-]", str(printed)) if p.strip()]
        if parts:
            return parts[0], parts[-1] if len(parts) > 1 else None
    first = metadata.provenance.get("first_page") or next(
        (p.page for p in passages if p.page), None
    )
    last = pages[-1].n if pages else None
    return (str(first) if first else None), (last if last != first else None)


def provenance_rows(metadata: DocumentPublic) -> list[Row]:
    """Where the document comes from, as label and value rows: the printed series, volume,
    pages, publisher, web address, rights, then the archival ids and any other key."""
    provenance = metadata.provenance
    rows: list[Row] = []
    for key, label in _PROVENANCE.items():
        value = provenance.get(key)
        if value in (None, "", []):
            continue
        rows.append(Row(label, str(value), web_link(value) if key == "url" else None))
    for archival in provenance.get("archival_ids") or []:
        if not isinstance(archival, dict) or not archival.get("value"):
            continue
        value = str(archival["value"])
        if archival.get("repository"):
            value = f"{value} ({archival['repository']})"
        rows.append(Row(label_for(str(archival.get("scheme") or "archival_id")), value))
    for key, value in provenance.items():
        if key in _PROVENANCE or key in _NOT_SHOWN or value in (None, "", []):
            continue
        if isinstance(value, str | int | float):
            rows.append(Row(label_for(key), str(value), web_link(value)))
    return rows


def identifier_rows(metadata: DocumentPublic) -> list[Row]:
    """The identifiers the source is cited by (file numbers, telegram numbers, URLs), but
    for those the provenance rows show already (an archival id, with its repository)."""
    archival = {
        (a.get("scheme"), a.get("value"))
        for a in metadata.provenance.get("archival_ids") or []
        if isinstance(a, dict)
    }
    return [
        Row(label_for(i.get("scheme", "identifier")), i["value"], web_link(i["value"]))
        for i in metadata.identifiers
        if i.get("value") and (i.get("scheme"), i["value"]) not in archival
    ]


def own_number(metadata: DocumentPublic) -> str | None:
    """The source's own number, unless an identifier row already says it (a telegram's
    number is also its ``telegram_number``)."""
    if metadata.number and all(i.get("value") != metadata.number for i in metadata.identifiers):
        return metadata.number
    return None


def _names(names: list[str]) -> str:
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def description(metadata: DocumentPublic, collection_title: str | None) -> str:
    """One sentence for ``<meta name="description">``: what kind of source, by and to whom,
    when, and where it is printed or kept."""
    kind = SOURCE_TYPES[metadata.source_type]
    words = [f"{kind}{f' ({metadata.genre})' if metadata.genre else ''}"]
    if metadata.authors:
        words.append(f"by {_names(metadata.authors)}")
    if metadata.recipients:
        words.append(f"to {_names(metadata.recipients)}")
    sentence = " ".join(words)
    sentence += f", {human_date(metadata.date) or 'undated'}"
    container = metadata.provenance.get("container_title") or collection_title
    if container:
        sentence += f", in {container}"
    return sentence + "."


def container_title(metadata: DocumentPublic, collection_title: str | None) -> str | None:
    """The printed volume the document is in, else the collection it belongs to."""
    container = metadata.provenance.get("container_title")
    return str(container) if container else collection_title


def highwire_tags(
    metadata: DocumentPublic,
    *,
    url: str,
    collection_title: str | None,
    collection_publisher: str | None,
    first_page: str | None,
    last_page: str | None,
) -> list[tuple[str, str]]:
    """``citation_*`` meta tags (name, content) for reference managers.

    Zotero's Embedded Metadata translator maps them to an item: ``citation_book_title``
    makes it a book section in the printed volume (``citation_inbook_title`` is its newer
    spelling, read by other tools), one ``citation_author`` per author, the date as
    ``YYYY/MM/DD``, first and last page joined into the page range. No
    ``citation_pdf_url``: there is no PDF.
    """
    tags: list[tuple[str, str]] = [("citation_title", metadata.title)]
    tags += [("citation_author", author) for author in metadata.authors]
    date = highwire_date(metadata.date)
    if date:
        tags += [("citation_date", date), ("citation_publication_date", date)]
    publisher = metadata.provenance.get("publisher") or collection_publisher
    if publisher:
        tags.append(("citation_publisher", str(publisher)))
    container = container_title(metadata, collection_title)
    if container:
        tags += [("citation_book_title", container), ("citation_inbook_title", container)]
    if metadata.provenance.get("volume"):
        tags.append(("citation_volume", str(metadata.provenance["volume"])))
    if first_page:
        tags.append(("citation_firstpage", first_page))
    if last_page:
        tags.append(("citation_lastpage", last_page))
    tags += [
        ("citation_language", metadata.language),
        ("citation_public_url", url),
        ("citation_abstract_html_url", url),
    ]
    return tags
