"""The DTS Document endpoint: the TEI (or plain text) of a document or of some of its units.

A fragment is the document's TEI export with everything outside the requested units pruned
away, wrapped in ``dts:wrapper`` inside ``text/body``; the header stays, so the fragment
still says what it is a part of. Which units a ``ref`` or a ``start``/``end`` range names
comes from the citation tree of api/dts/navigation.py; the TEI itself from api/formats/tei.
"""

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session, col

from api.db.models import Document
from api.documents.service import require_document
from api.dts.common import PLAIN, check_reference_parameters, check_tree, require_resource
from api.dts.navigation import Unit, build_tree, unit_range


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
    row = require_resource(session, resource)
    check_reference_parameters(ref, start, end)
    if ref is None and start is None:
        # `tree` without a ref or a range has no effect (DTS 1.0, Document endpoint)
        return Selection(row.id, row.title, row.collection_id, None, None, None, None)
    check_tree(tree_name, row.id)
    require_document(session, row.id)
    tree = build_tree(session, row.id)
    if ref is not None:
        unit = tree.find(ref)
        units = tree.order[unit.position : unit.last + 1]
    else:
        assert start is not None and end is not None
        first, last = unit_range(tree, start, end)
        units = tree.order[first.position : last.last + 1]
    return Selection(row.id, row.title, row.collection_id, units, ref, start, end)


def document_body(session: Session, selection: Selection, media_type: str) -> bytes:
    """The TEI (or plain text) of the whole document or of the selected units."""
    from api.formats.tei import fragments as tei_fragments
    from api.formats.tei import writer as tei

    if selection.units is None and media_type == PLAIN:
        text = session.execute(
            select(col(Document.text)).where(col(Document.id) == selection.document_id)
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
