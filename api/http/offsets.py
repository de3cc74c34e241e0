"""``?offsets=``: the unit every offset of a response counts in, declared once for the routes
that serve offsets (the conversion itself: ``api.records.offsets``)."""

from typing import Annotated

from fastapi import Query

from api.records.offsets import OffsetUnit

Offsets = Annotated[
    OffsetUnit,
    Query(
        description="the unit every offset and length in the response counts in (`start`, "
        "`end`, `passage_start`, `passage_end`, marks, match and snippet spans, a text's "
        "`length`): `codepoints` (default: Unicode code points, as Python counts) or `utf16` "
        "(UTF-16 code units, as JavaScript counts, so that `text.slice(start, end)` is the "
        "span)",
    ),
]
