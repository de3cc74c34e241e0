"""Distributed Text Services 1.0: collections, citation trees and TEI fragments.

Quellen implements **Level 1** of DTS 1.0: every endpoint (entry, collection, navigation,
document) and every valid call, including ``start``/``end`` ranges. How Quellen's model
maps onto DTS:

- the root collection (``@id`` ``quellen``) holds the Quellen collections, each of which
  holds its documents as ``Resource`` members; ``nav=parents`` walks back up;
- a document's citation tree is built from its structure: **sections** (a section's
  heading is the section's own title, and a section ``x.d1`` nests in section ``x``),
  **passages** (``citeType`` = the passage kind: paragraph, heading, list_item, …) and
  **footnotes** (children of the passage that carries their marker; a note printed without
  a marker is a top-level unit after the text). Identifiers are the refs the REST API uses
  (``sec2``, ``sec2.p1``, ``p4``, ``fn1``), so a DTS reference and a REST URL name the same
  thing. A document has one citation tree (the default, without identifier);
- a fragment is the document's TEI export with everything outside the requested units
  pruned away, wrapped in ``dts:wrapper`` inside ``text/body``; the header stays, so the
  fragment still says what it is a part of.

Errors follow the specification's table: a missing ``resource``, ``ref`` together with
``start``/``end``, only one of ``start``/``end``, ``down=0`` without ``ref``, and no
``ref``/``start``/``end``/``down`` at all are 400; an unknown resource, ref, start, end or
tree, a page past the last one and an unavailable ``mediaType`` are 404.
"""

import math
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import quote

from sqlalchemy import case, func, select
from sqlmodel import Session

from api.db.models import Collection, Document, Footnote, Passage
from api.documents.service import require_document
from api.errors import ProblemError

VERSION = "1.0"
CONTEXT_URL = "https://dtsapi.org/context/v1.0.json"
WRAPPER_NS = "https://w3id.org/api/dts#"
ROOT_ID = "quellen"
ROOT_TITLE = "Quellen"
COLLECTION_PAGE_SIZE = 100
NAVIGATION_PAGE_SIZE = 500
TEI = "application/tei+xml"
PLAIN = "text/plain"
MEDIA_TYPES = [TEI, PLAIN]
TITLE_LENGTH = 200

UnitKind = Literal["section", "passage", "footnote"]


class BadRequest(ProblemError):
    def __init__(self, detail: str):
        super().__init__(400, detail)


class Missing(ProblemError):
    def __init__(self, detail: str):
        super().__init__(404, detail)


# -- URI templates ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Endpoints:
    """Absolute URLs of the DTS endpoints, from the request's base URL and root path."""

    base: str

    @property
    def entry(self) -> str:
        return f"{self.base}/dts"

    @property
    def collection(self) -> str:
        return f"{self.base}/dts/collection"

    @property
    def navigation(self) -> str:
        return f"{self.base}/dts/navigation"

    @property
    def document(self) -> str:
        return f"{self.base}/dts/document"

    def collection_template(self, identifier: str | None = None, *, pages: bool = True) -> str:
        more = "page,nav" if pages else "nav"
        if identifier is None:
            return f"{self.collection}{{?id,{more}}}"
        return f"{self.collection}?id={quote(identifier, safe='')}{{&{more}}}"

    def navigation_template(self, resource: str | None = None) -> str:
        if resource is None:
            return f"{self.navigation}{{?resource,ref,start,end,down,tree,page}}"
        rest = "{&ref,start,end,down,tree,page}"
        return f"{self.navigation}?resource={quote(resource, safe='')}{rest}"

    def document_template(self, resource: str | None = None) -> str:
        if resource is None:
            return f"{self.document}{{?resource,ref,start,end,tree,mediaType}}"
        rest = "{&ref,start,end,tree,mediaType}"
        return f"{self.document}?resource={quote(resource, safe='')}{rest}"


def entry_point(endpoints: Endpoints) -> dict[str, Any]:
    return {
        "@context": CONTEXT_URL,
        "@id": endpoints.entry,
        "@type": "EntryPoint",
        "dtsVersion": VERSION,
        "collection": endpoints.collection_template(),
        "navigation": endpoints.navigation_template(),
        "document": endpoints.document_template(),
    }


# -- parameters ------------------------------------------------------------------------


def parse_int(name: str, value: str | None, *, minimum: int) -> int | None:
    """A query parameter that must be an integer: 400 (not 422) as DTS clients expect."""
    if value is None:
        return None
    text = value.strip()
    if not text.lstrip("-").isdigit() or len(text) > 9:
        raise BadRequest(f"Query parameter {name!r} must be an integer, not {value!r}.")
    number = int(text)
    if number < minimum:
        raise BadRequest(f"Query parameter {name!r} must be {minimum} or more, not {number}.")
    return number


def check_reference_parameters(ref: str | None, start: str | None, end: str | None) -> None:
    if ref is not None and (start is not None or end is not None):
        raise BadRequest("`ref` cannot be combined with `start` or `end`.")
    if (start is None) != (end is None):
        raise BadRequest("`start` and `end` go together: give both or neither.")


# -- collections -----------------------------------------------------------------------


def _pagination(url: str, page: int, last: int) -> dict[str, Any]:
    def at(n: int) -> str:
        return f"{url}&page={n}" if "?" in url else f"{url}?page={n}"

    view: dict[str, Any] = {
        "@id": at(page),
        "@type": "Pagination",
        "first": at(1),
        "last": at(last),
    }
    if page > 1:
        view["previous"] = at(page - 1)
    if page < last:
        view["next"] = at(page + 1)
    return view


def _page_bounds(total: int, page: int | None, size: int) -> tuple[int, int, int]:
    """(offset, page, last page); 404 for a page past the last."""
    last = max(1, math.ceil(total / size))
    number = page or 1
    if number > last:
        raise Missing(f"There is no page {number}: the last page is {last}.")
    return (number - 1) * size, number, last


def _document_metadata(row: Any) -> dict[str, Any]:
    lang = row.language
    metadata: dict[str, Any] = {
        "title": [{"lang": lang, "value": row.title}],
        "language": [lang],
        "identifier": [row.id],
    }
    if row.authors:
        metadata["creator"] = list(row.authors)
    if row.date:
        metadata["date"] = row.date
    if row.genre:
        metadata["type"] = [row.genre]
    publisher = (row.provenance or {}).get("publisher")
    if publisher:
        metadata["publisher"] = [publisher]
    container = (row.provenance or {}).get("container_title")
    if container:
        metadata["isPartOf"] = [container]
    rights = (row.provenance or {}).get("rights")
    if rights:
        metadata["rights"] = [rights]
    return metadata


_DOCUMENT_COLUMNS = (
    Document.id,
    Document.collection_id,
    Document.title,
    Document.authors,
    Document.date,
    Document.genre,
    Document.language,
    Document.provenance,
)


def _resource(row: Any, endpoints: Endpoints, *, parents: int = 1) -> dict[str, Any]:
    return {
        "@id": row.id,
        "@type": "Resource",
        "title": row.title,
        "totalParents": parents,
        "totalChildren": 0,
        "dublinCore": _document_metadata(row),
        "collection": endpoints.collection_template(row.id, pages=False),
        "navigation": endpoints.navigation_template(row.id),
        "document": endpoints.document_template(row.id),
        "download": f"{endpoints.document}?resource={quote(row.id, safe='')}",
        "mediaTypes": list(MEDIA_TYPES),
    }


def _collection_member(row: Any, endpoints: Endpoints) -> dict[str, Any]:
    member: dict[str, Any] = {
        "@id": row.id,
        "@type": "Collection",
        "title": row.title,
        "totalParents": 1,
        "totalChildren": row.documents,
        "collection": endpoints.collection_template(row.id),
    }
    if row.description:
        member["description"] = row.description
    if row.publisher:
        member["dublinCore"] = {"publisher": [row.publisher]}
    return member


def _live() -> Any:
    return Document.deleted_at.is_(None)  # type: ignore[union-attr]


def _collection_columns() -> tuple[Any, ...]:
    documents = (
        select(func.count())
        .where(Document.collection_id == Collection.id, _live())
        .correlate(Collection)
        .scalar_subquery()
    )
    return (
        Collection.id,
        Collection.title,
        Collection.description,
        Collection.publisher,
        documents.label("documents"),
    )


def _collections(session: Session, *, offset: int, limit: int) -> list[Any]:
    query = select(*_collection_columns()).order_by(Collection.id)
    return list(session.execute(query.offset(offset).limit(limit)).all())


def collection(
    session: Session,
    endpoints: Endpoints,
    *,
    identifier: str | None,
    page: int | None,
    nav: str,
    page_url: str,
) -> dict[str, Any]:
    """The Collection endpoint: the root, a Quellen collection, or a document as Resource."""
    if nav not in ("children", "parents"):
        raise BadRequest(f"`nav` is children or parents, not {nav!r}.")
    head = {"@context": CONTEXT_URL, "dtsVersion": VERSION}
    total_collections = session.execute(select(func.count()).select_from(Collection)).scalar_one()
    if identifier is None or identifier == ROOT_ID:
        body: dict[str, Any] = {
            **head,
            "@id": ROOT_ID,
            "@type": "Collection",
            "title": ROOT_TITLE,
            "description": "Every collection of curated historical sources in this Quellen.",
            "totalParents": 0,
            "totalChildren": total_collections,
            "collection": endpoints.collection_template(),
        }
        if nav == "parents":
            body["member"] = []
            return body
        offset, number, last = _page_bounds(total_collections, page, COLLECTION_PAGE_SIZE)
        rows = _collections(session, offset=offset, limit=COLLECTION_PAGE_SIZE)
        body["member"] = [_collection_member(r, endpoints) for r in rows]
        if last > 1 or page is not None:
            body["view"] = _pagination(page_url, number, last)
        return body
    found = session.execute(
        select(Collection.id, Collection.title, Collection.description, Collection.publisher).where(
            Collection.id == identifier
        )
    ).first()
    if found is not None:
        count = session.execute(
            select(func.count()).where(Document.collection_id == identifier, _live())
        ).scalar_one()
        body = {
            **head,
            "@id": found.id,
            "@type": "Collection",
            "title": found.title,
            "totalParents": 1,
            "totalChildren": count,
            "collection": endpoints.collection_template(found.id),
        }
        if found.description:
            body["description"] = found.description
        if found.publisher:
            body["dublinCore"] = {"publisher": [found.publisher]}
        if nav == "parents":
            body["member"] = [_root_member(endpoints, total_collections)]
            return body
        offset, number, last = _page_bounds(count, page, COLLECTION_PAGE_SIZE)
        rows = session.execute(
            select(*_DOCUMENT_COLUMNS)
            .where(Document.collection_id == identifier, _live())
            .order_by(Document.id)
            .offset(offset)
            .limit(COLLECTION_PAGE_SIZE)
        ).all()
        body["member"] = [_resource(r, endpoints) for r in rows]
        if last > 1 or page is not None:
            body["view"] = _pagination(page_url, number, last)
        return body
    row = session.execute(
        select(*_DOCUMENT_COLUMNS).where(Document.id == identifier, _live())
    ).first()
    if row is None:
        raise Missing(f"No collection or resource with id {identifier!r}.")
    if page is not None and page > 1:
        raise Missing(f"There is no page {page}: a resource has one page.")
    body = {**head, **_resource(row, endpoints)}
    body["citationTrees"] = [citation_tree(build_tree(session, row.id))]
    if nav == "parents":
        parent = session.execute(
            select(*_collection_columns()).where(Collection.id == row.collection_id)
        ).first()
        body["member"] = [_collection_member(parent, endpoints)] if parent is not None else []
    return body


def _root_member(endpoints: Endpoints, total: int) -> dict[str, Any]:
    return {
        "@id": ROOT_ID,
        "@type": "Collection",
        "title": ROOT_TITLE,
        "totalParents": 0,
        "totalChildren": total,
        "collection": endpoints.collection_template(ROOT_ID),
    }


# -- citation trees --------------------------------------------------------------------


@dataclass(eq=False, slots=True)
class Unit:
    """A node of a document's citation tree."""

    identifier: str
    kind: UnitKind
    cite_type: str
    ref: str  # the section, passage or footnote ref it stands for
    title: str | None = None
    parent: "Unit | None" = None
    children: list["Unit"] = field(default_factory=list)
    level: int = 1
    position: int = 0  # index in document (pre-order) order
    last: int = 0  # position of the last unit of its subtree


@dataclass(slots=True)
class Tree:
    document_id: str
    language: str
    roots: list[Unit]
    order: list[Unit]  # pre-order, depth first: the document order of DTS
    by_id: dict[str, Unit]

    def find(self, identifier: str, name: str = "ref") -> Unit:
        unit = self.by_id.get(identifier)
        if unit is None:
            raise Missing(
                f"No citable unit {identifier!r} ({name}) in the citation tree of "
                f"{self.document_id!r}."
            )
        return unit


def _section_parent(section: str, known: list[str]) -> str | None:
    candidates = [s for s in known if s != section and section.startswith(s + ".")]
    return max(candidates, key=len) if candidates else None


def build_tree(session: Session, document_id: str) -> Tree:
    """The citation tree of a document: sections → passages → footnotes, in reading order."""
    language = session.execute(
        select(Document.language).where(Document.id == document_id)
    ).scalar_one()
    passages = session.execute(
        select(
            Passage.ref,
            Passage.kind,
            Passage.section_ref,
            func.substr(
                case((Passage.kind == "heading", Passage.text), else_=""), 1, TITLE_LENGTH
            ).label("title"),
        )
        .where(Passage.document_id == document_id)
        .order_by(Passage.seq)
    ).all()
    notes = session.execute(
        select(Footnote.ref, Footnote.marker, Passage.ref.label("passage_ref"))  # type: ignore[attr-defined]
        .outerjoin(Passage, Passage.id == Footnote.passage_id)  # type: ignore[arg-type]
        .where(Footnote.document_id == document_id)
        .order_by(Footnote.number)
    ).all()
    sections_seen: list[str] = []
    for p in passages:
        if p.section_ref is not None and p.section_ref not in sections_seen:
            sections_seen.append(p.section_ref)
    roots: list[Unit] = []
    sections: dict[str, Unit] = {}
    holders: dict[str, Unit] = {}  # passage ref -> unit its notes hang under

    def attach(unit: Unit, parent: Unit | None) -> None:
        unit.parent = parent
        (parent.children if parent is not None else roots).append(unit)

    def section_unit(ref: str) -> Unit:
        unit = sections.get(ref)
        if unit is None:
            parent_ref = _section_parent(ref, sections_seen)
            parent = section_unit(parent_ref) if parent_ref is not None else None
            unit = Unit(identifier=ref, kind="section", cite_type="section", ref=ref)
            sections[ref] = unit
            attach(unit, parent)
        return unit

    for p in passages:
        container = section_unit(p.section_ref) if p.section_ref is not None else None
        if container is not None and p.ref == p.section_ref and p.kind == "heading":
            container.title = container.title or (p.title or None)
            holders[p.ref] = container
            continue
        unit = Unit(identifier=p.ref, kind="passage", cite_type=p.kind, ref=p.ref)
        attach(unit, container)
        holders[p.ref] = unit
    taken = {u.identifier for u in [*sections.values(), *holders.values()]}
    for note in notes:
        identifier = note.ref if note.ref not in taken else f"note:{note.ref}"
        taken.add(identifier)
        unit = Unit(
            identifier=identifier,
            kind="footnote",
            cite_type="footnote",
            ref=note.ref,
            title=f"Note {note.marker}",
        )
        attach(unit, holders.get(note.passage_ref) if note.passage_ref else None)
    order: list[Unit] = []

    def walk(units: list[Unit], level: int) -> None:
        for unit in units:
            unit.level = level
            unit.position = len(order)
            order.append(unit)
            walk(unit.children, level + 1)
            unit.last = len(order) - 1

    walk(roots, 1)
    return Tree(
        document_id=document_id,
        language=language,
        roots=roots,
        order=order,
        by_id={u.identifier: u for u in order},
    )


def _structure(units: list[Unit]) -> list[dict[str, Any]]:
    """The CiteStructure of sibling units: each citeType once, with what it can hold."""
    groups: dict[str, list[Unit]] = {}
    for unit in units:
        groups.setdefault(unit.cite_type, []).append(unit)
    structure = []
    for cite_type, group in groups.items():
        entry: dict[str, Any] = {"@type": "CiteStructure", "citeType": cite_type}
        children = [child for unit in group for child in unit.children]
        if children:
            entry["citeStructure"] = _structure(children)
        structure.append(entry)
    return structure


def citation_tree(tree: Tree) -> dict[str, Any]:
    return {
        "@type": "CitationTree",
        "citeStructure": _structure(tree.roots),
        "description": "Sections, their passages, and the footnotes anchored in each passage.",
    }


def citable_unit(unit: Unit, tree: Tree, base: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "identifier": unit.identifier,
        "@type": "CitableUnit",
        "level": unit.level,
        "parent": unit.parent.identifier if unit.parent is not None else None,
        "citeType": unit.cite_type,
    }
    document = f"{base}/v1/documents/{quote(tree.document_id, safe='')}"
    if unit.kind == "passage":
        body["@id"] = f"{document}/passages/{quote(unit.ref, safe='')}"
    elif unit.kind == "footnote":
        body["@id"] = f"{document}/footnotes/{quote(unit.ref, safe='')}"
    if unit.title:
        body["dublinCore"] = {"title": [{"lang": tree.language, "value": unit.title}]}
    return body


# -- navigation ------------------------------------------------------------------------


def _require_resource(session: Session, resource: str | None) -> Any:
    if resource is None:
        raise BadRequest("The `resource` parameter is required.")
    row = session.execute(
        select(*_DOCUMENT_COLUMNS).where(Document.id == resource, _live())
    ).first()
    if row is None:
        raise Missing(f"No resource with id {resource!r}.")
    return row


def _check_tree(tree_name: str | None, document_id: str) -> None:
    if tree_name is not None:
        raise Missing(
            f"Resource {document_id!r} has one citation tree, the default; there is no tree "
            f"{tree_name!r} (leave `tree` out)."
        )


def _range(tree: Tree, start: str, end: str) -> tuple[Unit, Unit]:
    first, last = tree.find(start, "start"), tree.find(end, "end")
    if first.position > last.position:
        raise BadRequest(f"`start` ({start}) comes after `end` ({end}) in the document.")
    return first, last


def navigation(
    session: Session,
    endpoints: Endpoints,
    *,
    resource: str | None,
    ref: str | None,
    start: str | None,
    end: str | None,
    down: int | None,
    tree_name: str | None,
    page: int | None,
    url: str,
    page_url: str,
) -> dict[str, Any]:
    """The Navigation endpoint, following the specification's table for ref/start/end/down."""
    row = _require_resource(session, resource)
    check_reference_parameters(ref, start, end)
    ranged = start is not None and end is not None
    if down is None and ref is None and not ranged:
        raise BadRequest("Give `ref`, `start` and `end`, or `down` (the root has no unit).")
    if down == 0 and ref is None:
        raise BadRequest("`down=0` asks for the siblings of `ref`, so it needs `ref`.")
    if down is not None and down < -1:
        raise BadRequest(f"`down` is -1 (to the bottom) or 0 or more, not {down}.")
    _check_tree(tree_name, row.id)
    tree = build_tree(session, row.id)
    base = endpoints.base
    resource_body = {
        "@id": row.id,
        "@type": "Resource",
        "title": row.title,
        "totalParents": 1,
        "totalChildren": 0,
        "collection": endpoints.collection_template(row.id, pages=False),
        "navigation": endpoints.navigation_template(row.id),
        "document": endpoints.document_template(row.id),
        "mediaTypes": list(MEDIA_TYPES),
        "citationTrees": [citation_tree(tree)],
    }
    body: dict[str, Any] = {
        "@context": CONTEXT_URL,
        "dtsVersion": VERSION,
        "@type": "Navigation",
        "@id": url,
        "resource": resource_body,
    }
    members: list[Unit] | None = None
    if ref is not None:
        unit = tree.find(ref)
        body["ref"] = citable_unit(unit, tree, base)
        if down == 0:
            members = unit.parent.children if unit.parent is not None else tree.roots
        elif down is not None:
            depth = math.inf if down == -1 else unit.level + down
            members = [u for u in tree.order[unit.position : unit.last + 1] if u.level <= depth]
    elif start is not None and end is not None:
        first, last = _range(tree, start, end)
        body["start"] = citable_unit(first, tree, base)
        body["end"] = citable_unit(last, tree, base)
        if down is not None:
            depth = math.inf if down == -1 else max(first.level, last.level) + down
            members = [u for u in tree.order[first.position : last.last + 1] if u.level <= depth]
    else:
        depth = math.inf if down == -1 else (down or 0)
        members = [u for u in tree.order if u.level <= depth]
    if members is not None:
        offset, number, last_page = _page_bounds(len(members), page, NAVIGATION_PAGE_SIZE)
        chosen = members[offset : offset + NAVIGATION_PAGE_SIZE]
        body["member"] = [citable_unit(u, tree, base) for u in chosen]
        if last_page > 1 or page is not None:
            body["view"] = _pagination(page_url, number, last_page)
    elif page is not None and page > 1:
        raise Missing(f"There is no page {page}: this answer has no members.")
    return body


# -- document --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Selection:
    """What a Document request asks for: the whole document, or units of its tree."""

    document_id: str
    title: str
    collection_id: str
    units: list[Unit] | None  # None: the whole document
    ref: str | None
    start: str | None
    end: str | None


def select_units(
    session: Session,
    *,
    resource: str | None,
    ref: str | None,
    start: str | None,
    end: str | None,
    tree_name: str | None,
) -> Selection:
    """Resolve the Document endpoint's parameters to the units to return (or 400/404)."""
    row = _require_resource(session, resource)
    check_reference_parameters(ref, start, end)
    if ref is None and start is None:
        # `tree` without a ref or a range has no effect (DTS 1.0, Document endpoint)
        return Selection(row.id, row.title, row.collection_id, None, None, None, None)
    _check_tree(tree_name, row.id)
    require_document(session, row.id)
    tree = build_tree(session, row.id)
    if ref is not None:
        unit = tree.find(ref)
        units = tree.order[unit.position : unit.last + 1]
    else:
        assert start is not None and end is not None
        first, last = _range(tree, start, end)
        units = tree.order[first.position : last.last + 1]
    return Selection(row.id, row.title, row.collection_id, units, ref, start, end)


def document_body(session: Session, selection: Selection, media_type: str) -> bytes:
    """The TEI (or plain text) of the whole document or of the selected units."""
    from api.formats.tei import fragments as tei_fragments
    from api.formats.tei import writer as tei

    if selection.units is None and media_type == PLAIN:
        text = session.execute(
            select(Document.text).where(Document.id == selection.document_id)
        ).scalar_one()
        return str(text).encode("utf-8")
    full = tei.document_tei(session, selection.document_id)
    if selection.units is None:
        return full
    passages = {u.ref for u in selection.units if u.kind != "footnote"}
    notes = {u.ref for u in selection.units if u.kind == "footnote"}
    if media_type == PLAIN:
        return tei_fragments.plain_text(full, passages=passages, notes=notes).encode("utf-8")
    return tei_fragments.fragment(full, passages=passages, notes=notes)
