"""Where a TEI ``ref``, ``ptr`` or ``relation`` points, as a cross-reference's target.

Two kinds of target meet here. Quellen's own export writes ``quellen:document:ID`` or
``quellen:SCHEME:VALUE`` with ``#p:REF``/``#fn:REF`` (``encode_target``), so that a
target reads back exactly as it was stored. Files from elsewhere point the way TEI
editions do: ``#id`` in the same file, ``../chapter-7#fn67`` in a sibling file, or a URL;
those are turned into targets that the linker resolves once the whole batch is loaded
(scheme ``tei``: file names and the ``xml:id`` of divisions are identifiers).
"""

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from pydantic import ValidationError

from api.errors import IngestError
from api.formats.tei.tree import SUFFIXES, Element, child, children, plain
from api.formats.validation import explain
from api.records.record import RELATIONS, CrossReferenceRecord, TargetRecord

TARGET_PREFIX = "quellen:"
URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_RANGE = re.compile(r"^#?range\(\s*#?([^,\s)]+)")
_FOOTNOTE_FRAGMENT = re.compile(r"^fn\d+[a-z]?$")


def encode_target(target: TargetRecord) -> str:
    """``quellen:document:ID`` or ``quellen:SCHEME:VALUE``, with ``#p:REF`` or ``#fn:REF``.

    The exporter writes cross-reference targets this way so that they read back exactly.
    """
    if target.document is not None:
        head = f"{TARGET_PREFIX}document:{quote(target.document, safe='')}"
    else:
        scheme, value = quote(target.scheme or "", safe=""), quote(target.value or "", safe="")
        head = f"{TARGET_PREFIX}{scheme}:{value}"
    if target.footnote is not None:
        return f"{head}#fn:{quote(target.footnote, safe='')}"
    if target.passage is not None:
        return f"{head}#p:{quote(target.passage, safe='')}"
    return head


def decode_target(value: str, label: str | None) -> TargetRecord | None:
    """The inverse of ``encode_target``; None when ``value`` is not one of ours."""
    if not value.startswith(TARGET_PREFIX):
        return None
    body, _, fragment = value[len(TARGET_PREFIX) :].partition("#")
    scheme, _, identifier = body.partition(":")
    fields: dict[str, Any] = {"label": label}
    if fragment.startswith("fn:"):
        fields["footnote"] = unquote(fragment[3:])
    elif fragment.startswith("p:"):
        fields["passage"] = unquote(fragment[2:])
    if scheme == "document":
        fields["document"] = unquote(identifier)
    else:
        fields["scheme"], fields["value"] = unquote(scheme), unquote(identifier)
    return TargetRecord(**fields)


def cross_reference(
    container: str,
    ref: str,
    start: int | None,
    end: int | None,
    element: Element,
    *,
    document: str,
    note_ids: Mapping[str, str],
    passage_ids: Mapping[str, str],
) -> CrossReferenceRecord | None:
    """The cross-reference a ``ref``/``ptr`` in the text makes; None if it points nowhere.

    ``note_ids`` and ``passage_ids`` map the file's ``xml:id``s to the footnote and passage
    refs they ended up in, so ``#id`` can point at this document's own note or passage.
    """
    raw = (element.get("target") or "").split()
    if not raw:
        return None
    target = raw[0]
    relation = element.get("type") if element.get("type") in RELATIONS else None
    if relation is None:
        relation = "cites" if container == "footnote" else "see_also"
    ours = decode_target(target, element.get("n"))
    if ours is not None:
        return CrossReferenceRecord(
            container=container, ref=ref, start=start, end=end, relation=relation, target=ours
        )
    label = plain(element) or None
    range_match = _RANGE.match(target)
    if range_match:
        target = "#" + range_match.group(1)
    if URL.match(target):
        destination = TargetRecord(scheme="url", value=target[:500], label=label)
    elif target.startswith("#"):
        key = target[1:]
        if key in note_ids:
            destination = TargetRecord(document=document, footnote=note_ids[key])
        elif key in passage_ids:
            destination = TargetRecord(document=document, passage=passage_ids[key])
        else:
            destination = TargetRecord(scheme="tei", value=f"{document}#{key}"[:500])
        destination.label = label
    else:
        file_part, _, fragment = target.partition("#")
        stem = file_part.rstrip("/").rsplit("/", 1)[-1]
        for suffix in SUFFIXES:
            if stem.endswith(suffix):
                stem = stem[: -len(suffix)]
        if not stem:
            return None
        footnote = passage = None
        if fragment and _FOOTNOTE_FRAGMENT.match(fragment):
            # history.state.gov: chapter-7#fn67 is the note chapter-7fn67 of the book
            footnote = f"{stem}{fragment}"
        elif fragment:
            passage = fragment
        destination = TargetRecord(
            scheme="tei", value=stem[:500], footnote=footnote, passage=passage, label=label
        )
    return CrossReferenceRecord(
        container=container, ref=ref, start=start, end=end, relation=relation, target=destination
    )


def relations(root: Element, path: Path) -> list[CrossReferenceRecord]:
    """``standOff/listRelation/relation``: cross-references that have no span in the text."""
    found: list[CrossReferenceRecord] = []
    stand_off = child(root, "standOff")
    if stand_off is None:
        return found
    for holder in children(stand_off, "listRelation"):
        for relation in children(holder, "relation"):
            target = decode_target(relation.get("passive") or "", relation.get("n"))
            name = relation.get("name")
            if target is None or name not in RELATIONS:
                continue
            active = (relation.get("active") or "").lstrip("#") or None
            container = relation.get("type") if active else "document"
            if container not in ("passage", "footnote", "document"):
                continue
            try:
                found.append(
                    CrossReferenceRecord(
                        container=container, ref=active, relation=name, target=target
                    )
                )
            except ValidationError as exc:
                raise IngestError(path, f"relation: {explain(exc)}", relation.sourceline) from exc
    return found
