"""A small network drawn on the server as SVG: a centre, its neighbours on rings around it.

The entity page draws the documents around an entity with it (``api.graph.service.
build_graph``, depth 1); a document or event page may draw its own neighbourhood the same
way. Drawn here rather than by a script in the browser because every page works without
JavaScript, and with geometry and presentation attributes rather than ``style`` because
the site's Content-Security-Policy allows no inline style.

The picture is for the eye: the ``<svg>`` is ``aria-hidden`` and its links are out of the
tab order (``tabindex="-1"``), so that a screen reader or a keyboard meets each neighbour
once, in the list of ``GraphView.neighbours`` the page prints beside it.
"""

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from markupsafe import Markup, escape

from api.graph.schemas import Graph, GraphNode

CENTRE_RADIUS = 14
LABEL_CHARS = 26
CHAR_WIDTH = 6.6  # an estimate of a 12px label's average advance, to frame the drawing
MAX_RING = 150  # the first ring's radius with many neighbours; fewer sit closer
PADDING = 8


@dataclass(frozen=True, slots=True)
class Placed:
    """A node where it is drawn, with its link and the weight of its strongest edge."""

    node: GraphNode
    href: str | None
    x: float
    y: float
    radius: float
    weight: float


@dataclass(frozen=True, slots=True)
class Link:
    """An edge between two placed nodes."""

    source: Placed
    target: Placed
    kind: str
    weight: float


@dataclass(frozen=True, slots=True)
class GraphView:
    """A graph laid out: the centre, the other nodes (strongest first) and the edges."""

    centre: Placed
    neighbours: list[Placed]
    links: list[Link]
    truncated: bool
    box: tuple[float, float, float, float]  # min x, min y, width, height of the drawing


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1].rstrip() + "…"


def layout(graph: Graph, href: Callable[[GraphNode], str]) -> GraphView:
    """Place the centre at the origin and each depth on its own ring, strongest edges
    first from the top, clockwise; ``href(node)`` is the page each node links to. A ring
    with few nodes is drawn smaller, and the drawing is framed to what it holds."""
    by_id = {node.id: node for node in graph.nodes}
    strongest: dict[str, float] = {}
    for edge in graph.edges:
        for end in (edge.source, edge.target):
            strongest[end] = max(strongest.get(end, 0.0), edge.weight)
    heaviest = max(strongest.values(), default=1.0) or 1.0
    deepest = max((node.depth for node in graph.nodes), default=0) or 1
    crowd = max(sum(1 for node in graph.nodes if node.depth == 1), 1)
    ring = min(MAX_RING, 70 + 8 * crowd) / deepest
    cx, cy = 0.0, 0.0
    centre_node = by_id[graph.center]
    centre = Placed(centre_node, None, cx, cy, CENTRE_RADIUS, heaviest)
    placed: dict[str, Placed] = {centre_node.id: centre}
    for depth in range(1, deepest + 1):
        level = [node for node in graph.nodes if node.depth == depth]
        level.sort(key=lambda node: (-strongest.get(node.id, 0.0), node.label.casefold()))
        for index, node in enumerate(level):
            angle = -math.pi / 2 + 2 * math.pi * index / max(len(level), 1)
            weight = strongest.get(node.id, 0.0)
            placed[node.id] = Placed(
                node,
                href(node),
                cx + ring * depth * math.cos(angle),
                cy + ring * depth * math.sin(angle),
                5 + 6 * math.sqrt(weight / heaviest),
                weight,
            )
    links = [
        Link(placed[edge.source], placed[edge.target], edge.kind, edge.weight)
        for edge in graph.edges
        if edge.source in placed and edge.target in placed
    ]
    neighbours = [p for node_id, p in placed.items() if node_id != centre_node.id]
    return GraphView(centre, neighbours, links, graph.truncated, _box(placed.values(), centre))


def _label(placed: Placed, centre: Placed) -> tuple[float, float, str, str]:
    """Where a node's label goes: outside its ring, away from the centre (x, y, anchor)."""
    text = _short(placed.node.label)
    if placed is centre:
        return placed.x, placed.y + placed.radius + 16, "middle", text
    dx, dy = placed.x - centre.x, placed.y - centre.y
    distance = math.hypot(dx, dy) or 1.0
    ux, uy = dx / distance, dy / distance
    x = placed.x + ux * (placed.radius + 5)
    y = placed.y + uy * (placed.radius + 5) + 4
    anchor = "start" if ux > 0.3 else "end" if ux < -0.3 else "middle"
    if anchor == "middle":
        y += 8 if uy > 0 else -4
    return x, y, anchor, text


def _box(nodes: Iterable[Placed], centre: Placed) -> tuple[float, float, float, float]:
    """The rectangle that holds every node and label, so the drawing has no empty margin."""
    xs: list[float] = []
    ys: list[float] = []
    for placed in nodes:
        xs += [placed.x - placed.radius, placed.x + placed.radius]
        ys += [placed.y - placed.radius, placed.y + placed.radius]
        x, y, anchor, text = _label(placed, centre)
        width = len(text) * CHAR_WIDTH
        left = {"start": x, "end": x - width, "middle": x - width / 2}[anchor]
        xs += [left, left + width]
        ys += [y - 12, y + 4]
    low_x, low_y = min(xs) - PADDING, min(ys) - PADDING
    return low_x, low_y, max(xs) + PADDING - low_x, max(ys) + PADDING - low_y


def _node(placed: Placed, centre: Placed) -> str:
    node = placed.node
    classes = f"graph-node graph-node--{escape(node.kind)} graph-node--{escape(node.type)}"
    if placed is centre:
        classes += " graph-node--centre"
    tx, ty, anchor, text = _label(placed, centre)
    fill = "#f6e7da" if node.kind == "document" else "#dce6f8"
    body = (
        f"<title>{escape(node.label)}</title>"
        f'<circle class="graph-dot" cx="{placed.x:.1f}" cy="{placed.y:.1f}" '
        f'r="{placed.radius:.1f}" fill="{fill}" stroke="#1d1d1f" stroke-width="1.5"/>'
        f'<text class="graph-label" x="{tx:.1f}" y="{ty:.1f}" text-anchor="{anchor}" '
        f'font-size="{13 if placed is centre else 12}" fill="#1d1d1f">{escape(text)}</text>'
    )
    data = f'data-node="{escape(node.id)}"'
    if placed.href is None:
        return f'<g class="{classes}" {data}>{body}</g>'
    return f'<a class="{classes}" href="{escape(placed.href)}" tabindex="-1" {data}>{body}</a>'


def graph_svg(view: GraphView, *, css_class: str = "graph") -> Markup:
    """The SVG of ``view``: edges under nodes, every text escaped here."""
    heaviest = max((link.weight for link in view.links), default=1.0) or 1.0
    x, y, width, height = view.box
    parts = [
        f'<svg class="{escape(css_class)}" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="{x:.0f} {y:.0f} {width:.0f} {height:.0f}" width="{width:.0f}" '
        f'height="{height:.0f}" aria-hidden="true" focusable="false">'
    ]
    for link in view.links:
        parts.append(
            f'<line class="graph-edge graph-edge--{escape(link.kind)}" '
            f'x1="{link.source.x:.1f}" y1="{link.source.y:.1f}" '
            f'x2="{link.target.x:.1f}" y2="{link.target.y:.1f}" stroke="#8a8578" '
            f'stroke-width="{1 + 4 * link.weight / heaviest:.1f}"/>'
        )
    for placed in view.neighbours:
        parts.append(_node(placed, view.centre))
    parts.append(_node(view.centre, view.centre))
    parts.append("</svg>")
    return Markup("".join(parts))
