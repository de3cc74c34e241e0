"""Rebuild the search index from the tables (``quellen reindex``).

The folded text is recomputed from the printed text first, so a change to the folding
rules reaches every row; then the engine's index is rebuilt from it.
"""

from sqlalchemy import Engine, select, update

from api.db.engine import session_scope
from api.db.models import Footnote, Passage
from api.records.normalize import fold
from api.search.backends import backend_for

BATCH = 2000


def reindex(engine: Engine) -> dict[str, int]:
    counts: dict[str, int] = {}
    with session_scope(engine) as session:
        for model, name in ((Passage, "passages"), (Footnote, "footnotes")):
            changed = 0
            last = 0
            while True:
                rows = session.execute(
                    select(model.id, model.text, model.norm_text)  # type: ignore[call-overload]
                    .where(model.id > last)
                    .order_by(model.id)
                    .limit(BATCH)
                ).all()
                if not rows:
                    break
                for row in rows:
                    folded = fold(row.text)
                    if folded != row.norm_text:
                        session.execute(
                            update(model).where(model.id == row.id).values(norm_text=folded)
                        )
                        changed += 1
                last = rows[-1].id
            counts[f"{name}_refolded"] = changed
        backend_for(engine).reindex(session.connection())
    return counts
