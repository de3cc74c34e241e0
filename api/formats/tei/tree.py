"""Finding one's way in a parsed TEI file: elements by local name, and their text.

The TEI reader's modules (header, body, entities, targets) all ask the same questions of
lxml elements — which children carry this TEI name, what text stands below this element,
is whitespace kept here — and must answer them alike, or a title read from the header and
the same words read from the body would differ by a space.

lxml ships no type information, so an element is ``Element`` (``Any``): the alias names
what an argument is without pretending the checker can follow it.
"""

import re
from typing import Any, TypeAlias

Element: TypeAlias = Any

XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SUFFIXES = (".xml", ".tei")
QUELLEN = "quellen"  # @type of idno and keywords the exporter writes
WHITESPACE = re.compile(r"[ \t\r\n]+")  # XML's whitespace (not Unicode's)


def local(element: Element) -> str | None:
    """The element's name without its namespace; None for what is not an element."""
    tag = element.tag
    if not isinstance(tag, str):
        return None  # comments, processing instructions, unresolved entities
    return tag.rsplit("}", 1)[-1]


def children(element: Element, name: str) -> list[Element]:
    return [child for child in element if local(child) == name]


def child(element: Element, name: str) -> Element | None:
    for candidate in element:
        if local(candidate) == name:
            return candidate
    return None


def find(element: Element, *path: str) -> Element | None:
    """The first element down ``path`` (local names, one per level), or None."""
    current = element
    for name in path:
        if current is None:
            return None
        current = child(current, name)
    return current


def preserved(element: Element) -> bool:
    """Whether ``xml:space="preserve"`` holds for ``element`` (its own or inherited)."""
    for node in (element, *element.iterancestors()):
        space = node.get(XML_SPACE)
        if space is not None:
            return bool(space == "preserve")
    return False


def plain(element: Element) -> str:
    """All text below ``element``, notes left out; whitespace collapsed unless preserved."""
    parts: list[str] = []

    def walk(node: Element) -> None:
        name = local(node)
        if name == "note" and node is not element:
            return
        if name is not None and node.text:
            parts.append(node.text)
        for below in node:
            if local(below) in ("lb",):
                parts.append(" ")
            walk(below)
            if below.tail:
                parts.append(below.tail)

    walk(element)
    if preserved(element):
        return "".join(parts)
    return WHITESPACE.sub(" ", "".join(parts)).strip()
