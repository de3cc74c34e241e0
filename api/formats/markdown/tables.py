"""Tables as HTML-to-Markdown converters write them, made into tables CommonMark reads.

The harvested editions write a table without outer pipes (``a| b`` over ``---|---``); in
that dialect a row that begins with ``|`` has an empty first cell, a cell holding a line
break goes on over the next line, the header may have fewer cells than the rule under it,
and ``---`` lines part rows. GFM drops a leading pipe and refuses a header that does not
match its rule, so such a table would come out as a paragraph of pipes.
"""

import re

# a table's rule without outer pipes, ---|--- (with a leading pipe it is GFM as written)
_DIALECT_RULE = re.compile(r"^ {0,3}:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)+\|?\s*$")
_LONE_RULE = re.compile(r"^-{3,}$")


def repair_tables(body: str) -> str:
    """Every table of the dialect in ``body`` rewritten as a GFM table.

    A line with no ``|`` carries on the cell before it, or begins the row after it. The
    rewritten table takes no more lines than the original (blank lines make up the rest),
    so the lines of everything after it stay where they were.
    """
    lines_in = body.split("\n")
    out: list[str] = []
    index = 0
    while index < len(lines_in):
        rule = _DIALECT_RULE.match(lines_in[index])
        if rule is None:
            out.append(lines_in[index])
            index += 1
            continue
        head_start = index
        while head_start > 0 and lines_in[head_start - 1].strip() and len(out) > 0:
            head_start -= 1
            out.pop()
        end = index + 1
        while end < len(lines_in) and lines_in[end].strip():
            end += 1
        head = _table_rows(lines_in[head_start:index])
        rows = _table_rows(
            [line for line in lines_in[index + 1 : end] if not _DIALECT_RULE.match(line)]
        )
        if not head:
            head, rows = [[""] * len(rule.group().split("|"))], rows
        width = max(len(row) for row in [*head, *rows, rule.group().split("|")])
        table = [head[0], *head[1:], *rows]
        rebuilt = [_gfm_row(table[0], width), "|" + "---|" * width]
        rebuilt += [_gfm_row(row, width) for row in table[1:]]
        rebuilt += [""] * max(0, end - head_start - len(rebuilt))
        out.extend(rebuilt)
        index = end
    return "\n".join(out)


def _table_rows(raw: list[str]) -> list[list[str]]:
    rows: list[list[str]] = []
    waiting: str | None = None  # a line with no pipe that begins the next row's first cell
    for number, line in enumerate(raw):
        text = line.strip()
        if not text or _LONE_RULE.match(text):
            continue
        if "|" not in text:
            following = raw[number + 1].strip() if number + 1 < len(raw) else ""
            if rows and ("|" not in following or not following):
                rows[-1][-1] = f"{rows[-1][-1].rstrip()}<br>{text}"
            else:
                waiting = text if waiting is None else f"{waiting}<br>{text}"
            continue
        cells = [cell.strip() for cell in text.split("|")]
        if waiting is not None:
            cells[0] = f"{waiting}<br>{cells[0]}" if cells[0] else waiting
            waiting = None
        rows.append(cells)
    if waiting is not None:
        rows.append([waiting])
    return rows


def _gfm_row(cells: list[str], width: int) -> str:
    padded = [*cells, *[""] * (width - len(cells))]
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in padded) + " |"
