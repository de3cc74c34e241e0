"""Import sources: write their units in savepoints, link, index, commit as one transaction.

This is what ``quellen import`` and ``quellen check`` run over what ``api.ingest.sources``
finds and reads. Every record goes to the one loader. Units are written a batch at a time
inside a SAVEPOINT, so a broken file is reported with its path and line and leaves nothing
behind, while the rest goes on (unless ``strict``). Each batch's documents are linked as
they land; once every file is in come the resolution of references that waited for a
document of the import, inferred links, and (on SQLite) the search index. The whole
import commits at the end (or rolls back for a dry run).
"""

import gc
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, Engine, select
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col

from api.db.engine import begin_write
from api.db.models import Collection, Entity
from api.errors import IngestError
from api.ingest.parallel import read_all
from api.ingest.sources import FolderCollections, Options, Source, Unit, read_units
from api.linking.batch import Linker, LinkReport
from api.records.index import DeferredIndex, index_for
from api.records.record import CollectionRecord, EntityRecord, EventRecord
from api.records.registry import Registry
from api.records.write import (
    Outcome,
    write_collection,
    write_documents,
    write_event_reports,
    write_registry,
)


@dataclass
class Report:
    counts: dict[Outcome, int] = field(default_factory=lambda: dict.fromkeys(Outcome, 0))
    failures: list[IngestError] = field(default_factory=list)
    # what readers had to decide about files they read (also a curatorial note on the
    # document): a marker without a note, notes in two sequences, a shortened id …
    warnings: list[IngestError] = field(default_factory=list)
    documents: int = 0
    bytes: int = 0
    seconds: float = 0.0
    link: LinkReport | None = None
    stopped: bool = False  # strict mode met a failure: nothing was written
    # the finish hook refused the commit (see import_sources): nothing was written
    refused: bool = False

    @property
    def failed(self) -> int:
        return len(self.failures)

    def summary(self) -> str:
        parts = [f"{self.counts[o]} {o.value}" for o in Outcome]
        return ", ".join([*parts, f"{self.failed} failed"])


Progress = Callable[[int, int], None]  # (documents, bytes) done since the last call
# run inside the import's transaction right before it commits; False rolls the import back
Finish = Callable[[Session, "Report"], bool]


@dataclass
class _Applied:
    """What a unit changed, kept aside until the savepoint that wrote it is released."""

    unit: Unit
    outcomes: list[Outcome]
    collections: dict[str, CollectionRecord]
    relink_all: bool
    registry: Registry | None
    new_aliases: bool  # entities with aliases were written: the matcher must be rebuilt


class BatchWriter:
    """Writes units into one session inside savepoints.

    Units go in batches, one savepoint per batch: a savepoint costs about a fifth of what
    writing a document does. When a batch fails, its savepoint is rolled back and its units
    are written again one savepoint each, so the broken one is found and reported and the
    others are kept; nothing of a unit that fails is left behind.
    """

    BATCH = 32

    def __init__(self, session: Session, report: Report):
        self.session = session
        self.report = report
        self.changed: list[str] = []
        self.relink_all = False
        self.registries: list[Registry] = []
        self.collections: dict[str, CollectionRecord] = {}
        self.linker = Linker(session)
        self.unlinked: list[str] = []  # written, not linked yet
        self.linked: list[str] = []  # linked with the aliases known now
        self.new_aliases = False

    def link_written(self) -> None:
        """Link what the last batches wrote, unless every document is re-linked at the end.

        Documents linked before new aliases arrived are linked again with them.
        """
        if self.relink_all:
            return
        if self.new_aliases:
            self.linker.forget_aliases()
            self.unlinked[:0] = self.linked
            self.linked = []
            self.new_aliases = False
        if self.unlinked:
            self.linker.documents(self.unlinked, detect=False)
            self.linked.extend(self.unlinked)
            self.unlinked = []

    def link_all(self) -> LinkReport | None:
        """Finish linking: the corpus-wide passes (and every document, after a new registry)."""
        if not (self.changed or self.relink_all):
            return None
        if self.relink_all:
            self.linker.forget_aliases()
            self.linker.report.detected = 0  # the pass over every document counts them all
            self.linker.documents(None)
        else:
            self.link_written()
        return self.linker.finish()

    def write_batch(self, units: list[Unit], strict: bool) -> list[tuple[Unit, Exception]]:
        """Write ``units``; returns the ones that failed, with why (at most one if strict)."""
        if len(units) > 1:
            try:
                with self.session.begin_nested():
                    seen = dict(self.collections)  # shared by the batch, kept if it holds
                    applied = self._apply(units, seen)
            except (IngestError, SQLAlchemyError, ValueError):
                pass  # rolled back: find the broken unit one savepoint at a time
            else:
                for item in applied:
                    self._keep(item)
                return []
        failures: list[tuple[Unit, Exception]] = []
        for unit in units:
            try:
                with self.session.begin_nested():
                    (item,) = self._apply([unit], dict(self.collections))
            except (IngestError, SQLAlchemyError, ValueError) as exc:
                failures.append((unit, exc))
                if strict:
                    break
                continue
            self._keep(item)
        return failures

    def _apply(
        self, units: list[Unit], known_collections: dict[str, CollectionRecord]
    ) -> list[_Applied]:
        """Collections and registries unit by unit, then the documents of all in one go."""
        applied = [self._prepare(unit, known_collections) for unit in units]
        records = [record for unit in units for record in unit.documents]
        outcomes = iter(write_documents(self.session, records))
        for item in applied:
            item.outcomes = [next(outcomes) for _ in item.unit.documents]
        return applied

    def _prepare(self, unit: Unit, known_collections: dict[str, CollectionRecord]) -> _Applied:
        """Write what the unit's documents need: their collections and entities."""
        written: dict[str, CollectionRecord] = {}
        relink = False
        new_aliases = False
        registry = None
        for collection in unit.collections:
            if known_collections.get(collection.id) != collection:
                write_collection(self.session, collection)
                written[collection.id] = known_collections[collection.id] = collection
        if unit.fallback is not None and unit.fallback.id not in known_collections:
            if self.session.get(Collection, unit.fallback.id) is None:
                write_collection(self.session, unit.fallback)
            written[unit.fallback.id] = known_collections[unit.fallback.id] = unit.fallback
        if unit.known:
            ids = {e.id for e in unit.known}
            present = set(
                self.session.execute(
                    select(col(Entity.id)).where(col(Entity.id).in_(ids))
                ).scalars()
            )
            missing = [e for e in unit.known if e.id not in present]
            new_aliases = any(e.aliases for e in missing)
            if missing:
                write_registry(
                    self.session,
                    Registry(
                        entities=[e for e in missing if isinstance(e, EntityRecord)],
                        events=[e for e in missing if isinstance(e, EventRecord)],
                    ),
                )
        if unit.registry is not None and (unit.registry.entities or unit.registry.events):
            counts = write_registry(self.session, unit.registry)
            if counts[Outcome.NEW] or counts[Outcome.UPDATED]:
                listed: list[EntityRecord | EventRecord] = [
                    *unit.registry.entities,
                    *unit.registry.events,
                ]
                relink = any(e.aliases for e in listed)
                new_aliases = new_aliases or relink
            if unit.registry.events:
                registry = unit.registry
        return _Applied(unit, [], written, relink, registry, new_aliases)

    def _keep(self, item: _Applied) -> None:
        self.collections.update(item.collections)
        self.relink_all = self.relink_all or item.relink_all
        self.new_aliases = self.new_aliases or item.new_aliases
        if item.registry is not None:
            self.registries.append(item.registry)
        for document, outcome in zip(item.unit.documents, item.outcomes, strict=True):
            self.report.counts[outcome] += 1
            if outcome is not Outcome.UNCHANGED:
                self.changed.append(document.id)
                self.unlinked.append(document.id)
                self.linker.detected(len(document.detected))


def _failure(exc: Exception, unit: Unit) -> IngestError:
    if isinstance(exc, IngestError):
        return IngestError(exc.path or unit.path, exc.message, exc.line or unit.line)
    orig = getattr(exc, "orig", None) or exc
    message = " ".join(str(orig).split())[:300]
    return IngestError(unit.path, f"the database refused it: {message}", unit.line)


def _begin(session: Session) -> None:
    """Open the import's one transaction as a write (``api.db.engine.begin_write``).

    Explicitly, also because pysqlite on its own would begin a transaction only before a
    data-changing statement, so a SAVEPOINT issued first would open (and its RELEASE commit)
    a transaction of its own: the batch would no longer commit or roll back as one.
    """
    begin_write(session)


# SQLite settings for the import's connection, restored when it ends (see _import_connection)
_SQLITE_IMPORT_PRAGMAS = {"temp_store": "2", "cache_size": str(-64 * 1024)}  # memory; 64 MiB


@contextmanager
def _import_connection(engine: Engine) -> Iterator[Connection]:
    """The connection an import runs on; on SQLite, set up for savepoints.

    Inside a savepoint SQLite copies every page it is about to change to a sub-journal,
    which by default is a temporary file, and it writes a page out of a full cache only
    after journalling it there. With the sub-journal in memory and a cache that holds what
    a batch touches, the savepoints that keep a broken file from leaving anything behind
    cost next to nothing; with the defaults they made the DFAT volume's writing 1.5-2 times
    slower (measured with bare sqlite3 on the importer's own rows). The connection goes
    back to the pool with its settings as they were: a server's connections keep the
    small defaults.
    """
    with engine.connect() as connection:
        if connection.dialect.name != "sqlite":
            yield connection
            return
        # set outside any transaction (temp_store cannot change inside one), on the driver's
        # connection, which has none open until SQLAlchemy begins one (see api.db.engine)
        raw = connection.connection.driver_connection
        assert raw is not None
        before = {
            name: str(raw.execute(f"PRAGMA {name}").fetchone()[0])
            for name in _SQLITE_IMPORT_PRAGMAS
        }
        _pragmas(raw, _SQLITE_IMPORT_PRAGMAS)
        try:
            yield connection
        finally:
            if connection.in_transaction():
                connection.rollback()
            _pragmas(raw, before)


def _pragmas(raw: sqlite3.Connection, values: dict[str, str]) -> None:
    for name, value in values.items():
        raw.execute(f"PRAGMA {name} = {int(value)}")


def import_sources(
    engine: Engine,
    sources: Sequence[Source],
    options: Options,
    progress: Progress | None = None,
    finish: Finish | None = None,
) -> Report:
    """Read, write and link ``sources`` in one transaction of savepoints (see ``BatchWriter``).

    The search index is filled once, after the last file (``SearchBackend.deferred``).

    ``finish`` runs in that transaction right before it commits (not for a dry run or a
    strict stop, which roll back): what it writes commits with the import or not at all.
    When it answers False the import is rolled back and ``report.refused`` is set. An
    import job marks itself done there, on the condition that it still holds its lease,
    so the documents and the job's end land together, and a job another worker took over
    meanwhile writes nothing (``api.imports.runner``).
    """
    report = Report()
    started = time.perf_counter()
    with (
        _settled_heap(),
        _import_connection(engine) as connection,
        Session(bind=connection, autoflush=False) as session,
    ):
        _begin(session)
        with index_for(engine).deferred(session.connection()) as index:
            _write_and_link(session, sources, options, progress, report, index)
        if report.stopped or options.dry_run:
            session.rollback()
        else:
            report.seconds = time.perf_counter() - started  # for the hook's report
            if finish is not None and not finish(session, report):
                report.refused = True
                session.rollback()
            else:
                session.commit()
    report.seconds = time.perf_counter() - started
    return report


@contextmanager
def _settled_heap() -> Iterator[None]:
    """Keep the collector off the objects that were there before the import began.

    An import makes a few objects per word it reads; each full collection would also walk
    every module, schema and compiled statement the process holds (half of the time the
    Markdown reader takes, measured on DFAT volume 8), so those are frozen for the import.
    The youngest generation is collected every 10,000 allocations rather than 700: as
    often, the reader spent 5-10% of its time collecting, and cycles are still freed. The
    reading processes inherit both settings; both are restored after.
    """
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(thresholds[0], 10_000), *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


# bytes of files written between two rounds of search indexing (SearchBackend.deferred)
INDEX_EVERY = 512 * 1024


def _write_and_link(
    session: Session,
    sources: Sequence[Source],
    options: Options,
    progress: Progress | None,
    report: Report,
    index: DeferredIndex,
) -> None:
    """Write units a batch at a time; after each, link what it wrote.

    Linking a batch as it lands, rather than the whole import at the end, does that work
    while the reading processes are still reading; so does indexing it for search, a
    half a megabyte at a time (``INDEX_EVERY``).
    """
    writer = BatchWriter(session, report)
    batch: list[Unit] = []
    folders: FolderCollections = {}
    unindexed = 0

    def flush() -> None:
        nonlocal unindexed
        if not batch:
            return
        failed = writer.write_batch(batch, options.strict)
        report.failures.extend(_failure(exc, unit) for unit, exc in failed)
        for unit in batch:
            report.warnings.extend(IngestError(unit.path, w) for w in unit.warnings)
            report.documents += len(unit.documents)
            report.bytes += unit.size
            unindexed += unit.size
            if progress is not None:
                progress(len(unit.documents), unit.size)
        batch.clear()
        writer.link_written()
        if unindexed >= INDEX_EVERY:
            index.catch_up()
            unindexed = 0

    units = read_all(sources, options, folders)
    for item in units:
        if isinstance(item, IngestError):
            flush()
            report.failures.append(item)
        else:
            batch.append(item)
            if len(batch) >= writer.BATCH:
                flush()
        if options.strict and report.failures:
            units.close()  # stops the reading processes
            break
    if not (options.strict and report.failures):
        flush()
    if options.strict and report.failures:
        report.stopped = True
        return
    try:
        with session.begin_nested():
            for registry in writer.registries:
                write_event_reports(session, registry)
    except (IngestError, SQLAlchemyError) as exc:
        report.failures.append(_failure(exc, Unit(sources[0].path if sources else Path("."), 0)))
    report.link = writer.link_all()


def check_sources(
    sources: Sequence[Source],
    options: Options,
    progress: Progress | None = None,
    observe: Callable[[Source, Unit | IngestError], None] | None = None,
) -> Report:
    """Read and validate every source without a database: what ``quellen check`` runs.

    ``observe`` sees every unit read (or error), with its source: the fidelity report.
    """
    report = Report()
    started = time.perf_counter()
    ids: dict[str, Path] = {}
    folders: FolderCollections = {}
    for source in sources:
        for item in read_units(source, options, folders):
            if observe is not None:
                observe(source, item)
            if isinstance(item, IngestError):
                report.failures.append(item)
                done_docs, done_bytes = 0, 0
            else:
                for record in item.documents:
                    if record.id in ids and ids[record.id] != item.path:
                        report.failures.append(
                            IngestError(
                                item.path,
                                f"document id {record.id!r} is also used by {ids[record.id]}",
                                item.line,
                            )
                        )
                    ids[record.id] = item.path
                done_docs, done_bytes = len(item.documents), item.size
                report.warnings.extend(IngestError(item.path, w) for w in item.warnings)
            report.documents += done_docs
            report.bytes += done_bytes
            if progress is not None:
                progress(done_docs, done_bytes)
    report.seconds = time.perf_counter() - started
    return report
