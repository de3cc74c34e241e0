"""Parts of a document's TEI export, as DTS serves them: pruned, then wrapped.

The fragment is cut from the full export (``api.formats.tei.writer``) rather than written apart,
so a section served by DTS is exactly that section of the document's TEI: same elements,
same ``xml:id``s, same notes where their markers stand. The header and the ``standOff``
(the entities that mentions point at) stay, so the fragment still resolves its ``@ref``s;
the ``text/body`` keeps only the requested units — with the divisions around them — inside
``<dts:wrapper xmlns:dts="https://w3id.org/api/dts#">``, as DTS 1.0 asks for a chunk.
"""

from collections.abc import Collection
from typing import Any

from lxml import etree

from api.formats.tei.markup import XML_NS, T, serialize

WRAPPER_NS = "https://w3id.org/api/dts#"
XML_ID = f"{{{XML_NS}}}id"
_BLOCKS = {"head", "p", "item", "quote", "byline", "signed", "dateline", "ab"}
_CONTAINERS = {"div", "list"}


def _local(element: Any) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _block_ref(element: Any) -> str | None:
    """The passage ref a block stands for: its xml:id, or its division's for a heading."""
    own: str | None = element.get(XML_ID)
    if own is not None:
        return own
    parent = element.getparent()
    if _local(element) == "head" and parent is not None and _local(parent) == "div":
        division: str | None = parent.get(XML_ID)
        return division
    return None


def _prune(container: Any, passages: Collection[str]) -> bool:
    """Keep the blocks whose refs are in ``passages``; True when anything is left."""
    kept_any = False
    children = list(container)
    keep: list[bool] = []
    for child in children:
        name = _local(child)
        if name in _CONTAINERS:
            keep.append(_prune(child, passages))
        elif name in _BLOCKS:
            keep.append(_block_ref(child) in passages)
        else:
            keep.append(False)  # page breaks between blocks: decided below
    for index, child in enumerate(children):
        if _local(child) == "pb":
            # a page break standing between blocks stays when the block after it does
            following = next(
                (keep[i] for i in range(index + 1, len(children)) if _local(children[i]) != "pb"),
                False,
            )
            keep[index] = following
    for child, kept in zip(children, keep, strict=True):
        if kept:
            kept_any = True
        else:
            _remove(child)
    return kept_any


def _remove(element: Any) -> None:
    """Remove an element (and its tail, which between blocks is indentation only)."""
    parent = element.getparent()
    if parent is not None:
        parent.remove(element)


def fragment(full: bytes, *, passages: Collection[str], notes: Collection[str]) -> bytes:
    """The TEI of the given passage refs (with their divisions) and of notes served alone.

    ``notes`` are footnote refs asked for without the passage that carries their marker
    (a ``ref`` that is a footnote, or a range that starts inside one): they are served as
    the ``note`` elements themselves.
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False)
    root = etree.fromstring(full, parser)
    body = root.find(f"{T}text/{T}body")
    standalone = [
        note
        for note in root.iter(f"{T}note")
        if note.get(XML_ID) in notes and _enclosing_block(note) not in passages
    ]
    standalone = [_detached(note) for note in standalone]
    _prune(body, passages)
    wrapper = etree.Element(f"{{{WRAPPER_NS}}}wrapper", nsmap={"dts": WRAPPER_NS})
    wrapper.text = body.text
    for child in list(body):
        wrapper.append(child)
    wrapper.extend(standalone)
    body.text = None
    body.append(wrapper)
    return serialize(root)


def _enclosing_block(note: Any) -> str | None:
    parent = note.getparent()
    while parent is not None and _local(parent) not in _BLOCKS:
        parent = parent.getparent()
    return _block_ref(parent) if parent is not None else None


def _detached(note: Any) -> Any:
    """A copy of a note without the text that follows it in its passage."""
    # the tail is the passage's text after the note: serialized with it, the copy would not
    # parse back (text after the root element)
    return etree.fromstring(etree.tostring(note, with_tail=False))


def plain_text(full: bytes, *, passages: Collection[str], notes: Collection[str]) -> str:
    """The text of the selected passages (blank line between them) and of lone notes."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.fromstring(full, parser)
    pieces: list[str] = []
    for element in root.find(f"{T}text/{T}body").iter():
        if _local(element) in _BLOCKS and _block_ref(element) in passages:
            pieces.append(_text_without_notes(element))
    for note in root.iter(f"{T}note"):
        if note.get(XML_ID) in notes and _enclosing_block(note) not in passages:
            pieces.append("".join(note.itertext()))
    return "\n\n".join(pieces)


def _text_without_notes(element: Any) -> str:
    parts: list[str] = [element.text or ""]
    for child in element:
        if _local(child) != "note":
            parts.append(_text_without_notes(child))
        parts.append(child.tail or "")
    return "".join(parts)
