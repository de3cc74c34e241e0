"""Edit one passage's text and carry every offset along.

Footnote anchors, page breaks, mentions, reference anchors and emphasis inside the edited
passage are moved through a character diff of the old and new text (an anchor inside
deleted text moves to the edit's start; a mention or an emphasis whose words the edit
changed is dropped); a table's cells are read again from its text. Everything
after the passage shifts by the change in length. The result is a new record that the one
loader validates and writes.
"""

from difflib import SequenceMatcher

from api.records.record import DocumentRecord


class OffsetMap:
    """Maps offsets in an old string to offsets in its edited version."""

    def __init__(self, old: str, new: str):
        self._ops = SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
        self._new_len = len(new)

    def __call__(self, offset: int, *, right: bool = False) -> int:
        """``right``: where text was inserted at ``offset``, land after it (a span's start)
        rather than before it (a marker after a word, a span's end)."""
        for tag, i1, i2, j1, j2 in self._ops:
            if tag == "insert" and offset == i1:
                return j2 if right else j1
            if i1 <= offset < i2:
                return j1 + (offset - i1) if tag == "equal" else j1
        return self._new_len


def replace_passage_text(record: DocumentRecord, ref: str, new_text: str) -> DocumentRecord:
    data = record.model_dump()
    passages = data["passages"]
    index = next((i for i, p in enumerate(passages) if p["ref"] == ref), None)
    if index is None:
        raise KeyError(ref)
    old_text: str = passages[index]["text"]
    mapping = OffsetMap(old_text, new_text)
    old_start: int = passages[index]["start"]
    old_end: int = passages[index]["end"]
    delta = len(new_text) - len(old_text)

    def move(offset: int) -> int:
        if offset < old_start:
            return offset
        if offset > old_end:
            return offset + delta
        return old_start + mapping(offset - old_start)

    for note in data["footnotes"]:
        if note["offset"] is not None:
            note["offset"] = move(note["offset"])
    for page in data["pages"]:
        page["offset"] = move(page["offset"])
    kept_mentions = []
    for mention in data["mentions"]:
        if mention["container"] == "passage" and mention["ref"] == ref:
            start, end = mapping(mention["start"], right=True), mapping(mention["end"])
            if new_text[start:end] != mention["surface"]:
                continue
            mention["start"], mention["end"] = start, end
        kept_mentions.append(mention)
    data["mentions"] = kept_mentions
    for xref in data["cross_references"]:
        if xref["container"] == "passage" and xref["ref"] == ref and xref["start"] is not None:
            xref["start"], xref["end"] = mapping(xref["start"], right=True), mapping(xref["end"])
    passage = passages[index]
    marks = []
    for mark in passage["marks"]:
        start, end = mapping(mark["start"], right=True), mapping(mark["end"])
        if new_text[start:end] == old_text[mark["start"] : mark["end"]]:
            marks.append({**mark, "start": start, "end": end})
    passage["marks"] = marks
    if passage["table"] is not None:
        # a table's text is its cells, a tab between cells and a line between rows
        passage["table"]["rows"] = [line.split("\t") for line in new_text.split("\n")]
    passage["text"] = new_text
    passage["end"] = old_start + len(new_text)
    for later in passages[index + 1 :]:
        later["start"] += delta
        later["end"] += delta
    data["text"] = record.text[:old_start] + new_text + record.text[old_end:]
    return DocumentRecord(**data)
