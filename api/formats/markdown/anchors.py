"""Which marker each note belongs to, once the notes and the body's parts are known.

Notes are matched to the markers of their own part — the body between the previous notes
and them — and, where several sequences follow one body, to the runs of markers that
restart at 1 in that body, in order (``_align``). A marker left over (text the edition
moved after the notes) takes a note of its number that has none.
"""

from api.formats.markdown.blocks import Block, Marker, Piece
from api.formats.markdown.notelines import Note, NoteRun


def _marker_runs(markers: list[Marker]) -> list[list[Marker]]:
    """Markers split where their numbering goes back (a new sequence, or a marker out of
    order: ``_align`` gives such runs to one sequence again)."""
    runs: list[list[Marker]] = []
    for marker in markers:
        if not runs or marker.number <= runs[-1][-1].number:
            runs.append([])
        runs[-1].append(marker)
    return runs


def marker_runs_of(numbers: list[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for number in numbers:
        if not runs or number <= runs[-1][-1]:
            runs.append([])
        runs[-1].append(number)
    return runs


def pair(
    body: list[Block], parts: list[int], runs: list[NoteRun]
) -> tuple[dict[tuple[int, int, int], Marker], list[str]]:
    """Anchor each note at the marker of its number in its own part."""
    anchored: dict[tuple[int, int, int], Marker] = {}
    remarks: list[str] = []
    zones: list[list[Marker]] = [[] for _ in range(len(runs) + 1)]
    for block, part in zip(body, parts, strict=True):
        pieces: list[Piece] = list(block.pieces)
        for row in block.rows or []:
            for cell in row:
                pieces.extend(cell)
        zones[part].extend(p for p in pieces if isinstance(p, Marker))
    leftovers: list[Marker] = []
    for run_index, run in enumerate(runs):
        marker_runs = _marker_runs(zones[run_index])
        assignment = _align(marker_runs, run.sequences)
        for sequence_index, sequence in enumerate(run.sequences):
            mine = [
                m for i, r in enumerate(marker_runs) if assignment[i] == sequence_index for m in r
            ]
            used: set[int] = set()
            for note_index, note in enumerate(sequence):
                for marker in mine:
                    if marker.number == note.number and id(marker) not in used:
                        anchored[(run_index, sequence_index, note_index)] = marker
                        used.add(id(marker))
                        break
            leftovers.extend(m for m in mine if id(m) not in used)
        leftovers.extend(m for i, r in enumerate(marker_runs) if assignment[i] is None for m in r)
    leftovers.extend(zones[len(runs)])
    # a marker left over (cut from its part by the harvest, after the notes) takes a note
    # of its number that has none, nearest first
    taken = {id(m) for m in anchored.values()}
    for marker in leftovers:
        if id(marker) in taken:
            continue
        for run_index in range(len(runs) - 1, -1, -1):
            run = runs[run_index]
            spot = next(
                (
                    (run_index, s, n)
                    for s, sequence in enumerate(run.sequences)
                    for n, note in enumerate(sequence)
                    if note.number == marker.number and (run_index, s, n) not in anchored
                ),
                None,
            )
            if spot is not None:
                anchored[spot] = marker
                taken.add(id(marker))
                remarks.append(
                    f"Marker {marker.raw} on line {marker.line} stands outside the part whose "
                    f"notes include {marker.number} (text moved by the edition); note "
                    f"{marker.number} is anchored there."
                )
                break
    return anchored, remarks


def _align(marker_runs: list[list[Marker]], sequences: list[list[Note]]) -> list[int | None]:
    """Give each run of markers to one note sequence, in order, matching the most numbers.

    Usually there are as many runs as sequences and they pair in order; a sequence whose
    markers were lost gets none, and runs that restart without a sequence of their own
    (a marker repeated) join the sequence before them.
    """
    if not sequences:
        return [None] * len(marker_runs)
    numbers = [{note.number for note in sequence} for sequence in sequences]
    runs = [{marker.number for marker in run} for run in marker_runs]
    # best[i][j]: best score giving runs[:i] to sequences[:j+1] with run i-1 in sequence j
    size = len(sequences)
    best: list[list[tuple[int, list[int]]]] = [[(0, [])] * size]
    for run in runs:
        row: list[tuple[int, list[int]]] = []
        for j in range(size):
            choices = [best[-1][k] for k in range(j + 1)]
            score, path = max(choices, key=lambda c: c[0])
            row.append((score + len(run & numbers[j]), [*path, j]))
        best.append(row)
    _score, path = max(best[-1], key=lambda c: c[0])
    return [j for j in path]
