"""The DTS Navigation endpoint and the citation tree it walks.

A document's citation tree is built from its structure: **sections** (a section's heading
is the section's own title, and a section ``x.d1`` nests in section ``x``), **passages**
(``citeType`` = the passage kind: paragraph, heading, list_item, …) and **footnotes**
(children of the passage that carries their marker; a note printed without a marker is a
top-level unit after the text). Identifiers are the refs the REST API uses (``sec2``,
``sec2.p1``, ``p4``, ``fn1``), so a DTS reference and a REST URL name the same thing. A
document has one citation tree (the default, without identifier).

The tree lives here because navigation is what walks it; the collection endpoint shows
its structure (``citation_tree``) and the document endpoint resolves refs and ranges in it
(``build_tree``, ``unit_range``).
"""

import math
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import quote

from sqlalchemy import case, func, select
from sqlmodel import Session, col

from api.db.models import Document, Footnote, Passage
from api.dts.common import (
    CONTEXT_URL,
    MEDIA_TYPES,
    VERSION,
    BadRequest,
    Endpoints,
    Missing,
    check_reference_parameters,
    check_tree,
    page_bounds,
    pagination,
    require_resource,
)

NAVIGATION_PAGE_SIZE = 500
TITLE_LENGTH = 200

UnitKind = Literal["section", "passage", "footnote"]


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
    language: str = session.execute(
        select(col(Document.language)).where(col(Document.id) == document_id)
    ).scalar_one()
    passages = session.execute(
        select(
            col(Passage.ref),
            col(Passage.kind),
            col(Passage.section_ref),
            func.substr(
                case((col(Passage.kind) == "heading", col(Passage.text)), else_=""),
                1,
                TITLE_LENGTH,
            ).label("title"),
        )
        .where(col(Passage.document_id) == document_id)
        .order_by(col(Passage.seq))
    ).all()
    notes = session.execute(
        select(col(Footnote.ref), col(Footnote.marker), col(Passage.ref).label("passage_ref"))
        .outerjoin(Passage, col(Passage.id) == col(Footnote.passage_id))
        .where(col(Footnote.document_id) == document_id)
        .order_by(col(Footnote.number))
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


def unit_range(tree: Tree, start: str, end: str) -> tuple[Unit, Unit]:
    """The first and last unit of a ``start``/``end`` range: 404 unknown, 400 reversed."""
    first, last = tree.find(start, "start"), tree.find(end, "end")
    if first.position > last.position:
        raise BadRequest(f"`start` ({start}) comes after `end` ({end}) in the document.")
    return first, last


# -- the endpoint ----------------------------------------------------------------------


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
    row = require_resource(session, resource)
    check_reference_parameters(ref, start, end)
    ranged = start is not None and end is not None
    if down is None and ref is None and not ranged:
        raise BadRequest("Give `ref`, `start` and `end`, or `down` (the root has no unit).")
    if down == 0 and ref is None:
        raise BadRequest("`down=0` asks for the siblings of `ref`, so it needs `ref`.")
    if down is not None and down < -1:
        raise BadRequest(f"`down` is -1 (to the bottom) or 0 or more, not {down}.")
    check_tree(tree_name, row.id)
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
        first, last = unit_range(tree, start, end)
        body["start"] = citable_unit(first, tree, base)
        body["end"] = citable_unit(last, tree, base)
        if down is not None:
            depth = math.inf if down == -1 else max(first.level, last.level) + down
            members = [u for u in tree.order[first.position : last.last + 1] if u.level <= depth]
    else:
        depth = math.inf if down == -1 else (down or 0)
        members = [u for u in tree.order if u.level <= depth]
    if members is not None:
        offset, number, last_page = page_bounds(len(members), page, NAVIGATION_PAGE_SIZE)
        chosen = members[offset : offset + NAVIGATION_PAGE_SIZE]
        body["member"] = [citable_unit(u, tree, base) for u in chosen]
        if last_page > 1 or page is not None:
            body["view"] = pagination(page_url, number, last_page)
    elif page is not None and page > 1:
        raise Missing(f"There is no page {page}: this answer has no members.")
    return body
