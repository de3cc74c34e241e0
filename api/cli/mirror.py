"""``quellen mirror``: keep a database a copy of another Quellen's, by following its change feed.

The source's feed (``GET /v1/changes``, IIIF Change Discovery 1.0) lists what changed, in
commit order. A run walks it the way the specification's processing algorithm does — from
the ``last`` page back through ``prev``, newest change first — down to the change it
mirrored last time (``--since``), and keeps the newest activity of each resource. Then it
makes each resource what it is at the source *now*:

1. it fetches the resource's lines of the Quellen bundle (``Accept: application/x-ndjson``,
   what the activity's ``seeAlso`` names). 200: the resource is there; 404: it is gone;
   410 (a document): it was deleted and is kept as a tombstone, whose last content is the
   ``before`` of its delete revision (``/v1/documents/{id}/revisions``, public as every read);
2. it deletes locally what is gone (entities and events, and documents deleted for good),
   through the curation services, so mentions and reports go with them as at the source;
3. it imports everything else as one bundle, with the importer ``quellen import`` runs
   (api/ingest/importer.py): registry first, documents after, event reports last;
4. it restores documents that are back at the source, and deletes (as tombstones) those
   deleted there.

Applying the newest state once per resource, rather than each activity in turn, is what the
specification recommends (3.5.2) and what makes the order safe: a document fetched now may
mention an entity made after it, which the same import brings. The newest change read is
printed, and written to ``--state`` when given, so the next run starts there; a run that
fails writes nothing there and can simply be run again (an import of what is already there
changes nothing). Local writes note their own changes, so a mirror has a feed of its own.
"""

import json
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import httpx
import typer
from sqlalchemy import Engine, select
from sqlmodel import Session, col

from api.db.engine import make_engine, session_scope
from api.db.keys import Principal
from api.db.models import Document, Entity
from api.formats.jsonl.writer import FORMAT, VERSION, line
from api.ingest.importer import Report, import_sources
from api.ingest.sources import Options, discover
from api.records.record import CollectionRecord, DocumentRecord
from api.settings import get_settings

KINDS = ("documents", "entities", "events")
NDJSON = "application/x-ndjson"
FEED_TYPES = "application/ld+json, application/json;q=0.9"
# who the mirror's own revisions say wrote them
MIRROR = Principal(name="quellen-mirror", scope="admin")


class MirrorError(Exception):
    """What stops a run, said in one line."""


@dataclass
class MirrorReport:
    source: str
    since: int
    until: int = 0  # the newest change read: the next run's --since
    activities: int = 0  # activities after ``since``
    resources: int = 0  # the resources they name
    imported: Report | None = None
    deleted: int = 0  # entities, events and documents gone at the source, removed here
    tombstoned: int = 0  # documents deleted at the source, kept as tombstones here
    restored: int = 0

    def summary(self) -> str:
        if self.until == self.since:
            return f"nothing changed at {self.source} after change {self.since}"
        counts = self.imported.summary() if self.imported is not None else "none"
        return (
            f"mirrored changes {self.since + 1}–{self.until} of {self.source}: "
            f"{self.activities} activities on {self.resources} resources; documents "
            f"imported: {counts}; "
            f"{self.deleted} deleted, {self.tombstoned} deleted as tombstones, "
            f"{self.restored} restored"
        )


@dataclass
class _Fetched:
    """The resources as the source has them now, sorted by what is to be done with them."""

    folder: Path
    collections: dict[str, str] = field(default_factory=dict)  # id → bundle line
    registry: set[str] = field(default_factory=set)  # entity and event ids in the bundle
    live: list[str] = field(default_factory=list)  # documents there at the source
    gone: list[tuple[str, str]] = field(default_factory=list)  # 404 at the source
    tombstones: list[str] = field(default_factory=list)  # documents 410 at the source
    sections: dict[str, Any] = field(default_factory=dict)  # entity/event/document → file

    def write(self, kind: str, text: str) -> None:
        handle = self.sections.get(kind)
        if handle is None:
            path = self.folder / f"{kind}.jsonl"
            handle = self.sections[kind] = path.open("w", encoding="utf-8", newline="\n")
        handle.write(text)

    def close(self) -> None:
        for handle in self.sections.values():
            handle.close()


class _Source:
    """The source API over one HTTP client."""

    def __init__(self, client: httpx.Client, url: str, key: str | None):
        self.client = client
        self.base = url.rstrip("/")
        self.headers = {"Authorization": f"Bearer {key}"} if key else {}

    def get(self, url: str, accept: str) -> httpx.Response:
        try:
            return self.client.get(
                url, headers={**self.headers, "Accept": accept}, follow_redirects=True
            )
        except httpx.HTTPError as exc:
            raise MirrorError(f"cannot read {url}: {exc}") from exc

    def json(self, url: str, accept: str = "application/json") -> dict[str, Any]:
        response = self.get(url, accept)
        if response.status_code != 200:
            raise MirrorError(f"{url} answered {response.status_code}: {_detail(response)}")
        try:
            body = response.json()
        except ValueError as exc:
            raise MirrorError(f"{url} did not answer JSON") from exc
        if not isinstance(body, dict):
            raise MirrorError(f"{url} did not answer a JSON object")
        return body

    def resource(self, kind: str, resource_id: str) -> str:
        return f"{self.base}/v1/{kind}/{resource_id}"


def _detail(response: httpx.Response) -> str:
    try:
        return str(response.json().get("detail", response.text[:200]))
    except (ValueError, AttributeError):
        return response.text[:200]


def _resource_of(url: str) -> tuple[str, str]:
    """``…/v1/documents/{id}`` → (documents, id): the feed names resources by URL."""
    parts = urlsplit(url).path.rstrip("/").split("/")
    if len(parts) < 3 or parts[-3] != "v1" or parts[-2] not in KINDS or not parts[-1]:
        raise MirrorError(f"the feed names a resource this mirror does not know: {url}")
    return parts[-2], parts[-1]


def follow(source: _Source, since: int) -> tuple[dict[tuple[str, str], str], int, int]:
    """The newest activity type of each resource changed after ``since``, the newest
    change's number, and how many activities there were: the specification's page
    algorithm, walking from ``last`` back through ``prev``."""
    collection = source.json(f"{source.base}/v1/changes", FEED_TYPES)
    if collection.get("type") != "OrderedCollection" or "last" not in collection:
        raise MirrorError(f"{source.base}/v1/changes is not a change feed (OrderedCollection)")
    touched: dict[tuple[str, str], str] = {}
    newest: int | None = None
    activities = 0
    url: str | None = collection["last"]["id"]
    while url is not None:
        page = source.json(url, FEED_TYPES)
        items = page.get("orderedItems")
        start = page.get("startIndex")
        if page.get("type") != "OrderedCollectionPage" or not isinstance(items, list):
            raise MirrorError(f"{url} is not a page of the change feed")
        if not isinstance(start, int):
            raise MirrorError(f"{url} has no startIndex: changes cannot be numbered")
        if newest is None:
            newest = start + len(items)
            if newest < since:
                raise MirrorError(
                    f"the source's feed ends at change {newest}, before --since {since}: "
                    "is it the source this database was mirrored from?"
                )
        for position in range(len(items) - 1, -1, -1):
            if start + position + 1 <= since:
                return touched, newest, activities
            item = items[position]
            try:
                resource, what = _resource_of(item["object"]["id"]), str(item["type"])
            except (KeyError, TypeError) as exc:
                raise MirrorError(f"{url}: activity {start + position + 1} is malformed") from exc
            activities += 1
            touched.setdefault(resource, what)
        url = (page.get("prev") or {}).get("id")
    return touched, newest or 0, activities


def _fetch(source: _Source, touched: dict[tuple[str, str], str], fetched: _Fetched) -> None:
    """Each resource's bundle lines, or what its status says (404 gone, 410 a tombstone)."""
    for kind, resource_id in touched:
        url = source.resource(kind, resource_id)
        response = source.get(url, NDJSON)
        if response.status_code == 404:
            fetched.gone.append((kind, resource_id))
            continue
        if response.status_code == 410 and kind == "documents":
            fetched.tombstones.append(resource_id)
            continue
        if response.status_code != 200 or not response.headers.get("content-type", "").startswith(
            NDJSON
        ):
            raise MirrorError(f"{url} answered {response.status_code}: {_detail(response)}")
        # split at "\n" only: a line's JSON may hold U+2028 and its kin unescaped
        for raw in response.text.split("\n"):
            if not raw.strip():
                continue
            text = raw + "\n"
            try:
                data = json.loads(text)
            except ValueError as exc:
                raise MirrorError(f"{url} sent a line that is not JSON: {exc}") from exc
            what = data.get("type") if isinstance(data, dict) else None
            if what == "bundle":
                if data.get("format") != FORMAT:
                    raise MirrorError(f"{url} is not a {FORMAT}")
            elif what == "collection":
                fetched.collections[data["id"]] = text
            elif what in ("entity", "event", "document"):
                fetched.write(what, text)
                if what == "document":
                    fetched.live.append(data["id"])
                else:
                    fetched.registry.add(data["id"])
            else:
                raise MirrorError(f"{url}: unknown bundle line {what!r}")


def _tombstone(source: _Source, document_id: str) -> DocumentRecord:
    """A deleted document as it was when deleted: the ``before`` of its last delete."""
    url: str | None = f"{source.resource('documents', document_id)}/revisions?limit=200"
    found: dict[str, Any] | None = None
    while url is not None:
        page = source.json(url)
        for revision in page.get("items", []):
            if revision.get("operation") == "delete" and revision.get("before"):
                found = revision["before"]
        url = page.get("next")
    if found is None:
        raise MirrorError(f"the deleted document {document_id!r} has no delete revision to copy")
    return DocumentRecord.model_validate(found)


def _delete_gone(engine: Engine, gone: list[tuple[str, str]]) -> int:
    """Remove here what is gone at the source, as its curation would have."""
    from api.curation.revisions import ANY_VERSION
    from api.curation.service import documents, registry

    deleted = 0
    for kind, resource_id in gone:
        with session_scope(engine) as session:
            if kind == "documents":
                if session.get(Document, resource_id) is None:
                    continue
                documents.delete_document(
                    session, MIRROR, resource_id, if_match=ANY_VERSION, hard=True, base=""
                )
            else:
                entity = session.get(Entity, resource_id)
                if entity is None or (entity.type == "event") != (kind == "events"):
                    continue
                remove = registry.delete_event if kind == "events" else registry.delete_entity
                remove(session, MIRROR, resource_id, if_match=ANY_VERSION, base="")
            deleted += 1
    return deleted


def _known_entities(engine: Engine, fetched: _Fetched, wanted: set[str]) -> set[str]:
    with Session(engine) as session:
        present = session.scalars(select(col(Entity.id)).where(col(Entity.id).in_(wanted)))
        return set(present) | (wanted & fetched.registry)


def _add_tombstones(engine: Engine, source: _Source, fetched: _Fetched) -> None:
    """The tombstones' last content, into the bundle: a mention of an entity deleted since
    went with the entity at the source, so it is left out here too."""
    for document_id in fetched.tombstones:
        record = _tombstone(source, document_id)
        wanted = {m.entity_id for m in record.mentions}
        if wanted:
            known = _known_entities(engine, fetched, wanted)
            kept = [m for m in record.mentions if m.entity_id in known]
            record = record.model_copy(update={"mentions": kept})
        if record.collection_id not in fetched.collections:
            shown = source.json(f"{source.base}/v1/collections/{record.collection_id}")
            collection = CollectionRecord(
                id=shown["id"],
                title=shown["title"],
                description=shown.get("description"),
                publisher=shown.get("publisher"),
            )
            fetched.collections[collection.id] = line("collection", collection)
        fetched.write("document", line("document", record))


def _bundle(fetched: _Fetched) -> Path | None:
    """One bundle of everything fetched, in the export's order of kinds; None: empty."""
    fetched.close()
    if not fetched.sections:
        return None
    path = fetched.folder / "mirror.jsonl"
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write(line("bundle", {"format": FORMAT, "version": VERSION}))
        out.writelines(fetched.collections.values())
        for kind in ("entity", "event", "document"):
            section = fetched.folder / f"{kind}.jsonl"
            if section.exists():
                with section.open(encoding="utf-8") as lines:
                    for text in lines:
                        out.write(text)
    return path


def _import(engine: Engine, path: Path) -> Report:
    sources, problems = discover([path], "jsonl")
    if problems:
        raise MirrorError(f"the fetched bundle cannot be read: {problems[0]}")
    size = path.stat().st_size
    options = Options(format="jsonl", max_bytes=max(Options.max_bytes, size + 1))
    report = import_sources(engine, sources, options)
    if report.failures:
        listed = "; ".join(str(failure) for failure in report.failures[:3])
        raise MirrorError(f"the import of what changed failed: {listed}")
    return report


def _settle(engine: Engine, fetched: _Fetched) -> tuple[int, int]:
    """Restore what is back at the source; delete (keeping a tombstone) what it deleted."""
    from api.curation.revisions import ANY_VERSION
    from api.curation.service import documents

    restored = tombstoned = 0
    for document_id, live in _states(fetched):
        with session_scope(engine) as session:
            document = session.get(Document, document_id)
            if document is None or (document.deleted_at is None) == live:
                continue
            if live:
                documents.restore_document(session, MIRROR, document_id, base="")
                restored += 1
            else:
                documents.delete_document(
                    session, MIRROR, document_id, if_match=ANY_VERSION, hard=False, base=""
                )
                tombstoned += 1
    return restored, tombstoned


def _states(fetched: _Fetched) -> Iterator[tuple[str, bool]]:
    yield from ((document_id, True) for document_id in fetched.live)
    yield from ((document_id, False) for document_id in fetched.tombstones)


def mirror(
    engine: Engine,
    source_url: str,
    *,
    since: int = 0,
    client: httpx.Client,
    key: str | None = None,
) -> MirrorReport:
    """Bring the database behind ``engine`` up to the source's change ``until`` (see the
    module's docstring); ``client`` makes the requests (a timeout, a transport)."""
    source = _Source(client, source_url, key)
    report = MirrorReport(source=source.base, since=since)
    touched, report.until, report.activities = follow(source, since)
    report.resources = len(touched)
    if not touched:
        report.until = max(report.until, since)
        return report
    with tempfile.TemporaryDirectory(prefix="quellen-mirror-") as folder:
        fetched = _Fetched(Path(folder))
        try:
            _fetch(source, touched, fetched)
            report.deleted = _delete_gone(engine, fetched.gone)
            _add_tombstones(engine, source, fetched)
        finally:
            fetched.close()
        bundle = _bundle(fetched)
        if bundle is not None:
            report.imported = _import(engine, bundle)
    report.restored, report.tombstoned = _settle(engine, fetched)
    return report


def _read_state(path: Path, source: str) -> int:
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise MirrorError(f"cannot read the state file {path}: {exc}") from exc
    if state.get("source") != source.rstrip("/"):
        raise MirrorError(
            f"the state file {path} is for {state.get('source')!r}, not {source!r}: "
            "give --since, or another --state"
        )
    return int(state["seq"])


def mirror_command(
    source: Annotated[
        str,
        typer.Argument(help="the Quellen API to copy, e.g. https://quellen.example.org/"),
    ],
    since: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="the last change already mirrored: changes after it are applied (default: "
            "the one --state remembers, else 0, which copies everything)",
        ),
    ] = None,
    state: Annotated[
        Path | None,
        typer.Option(
            help="a file remembering the last change mirrored: read when --since is not "
            "given, written after a run that succeeded"
        ),
    ] = None,
    key: Annotated[
        str | None,
        typer.Option(
            envvar="QUELLEN_MIRROR_KEY",
            help="an API key of the source, if its reads need one (QUELLEN_REQUIRE_READ_KEY)",
        ),
    ] = None,
    timeout: Annotated[float, typer.Option(min=1, help="seconds to wait for each answer")] = 60,
    migrate_first: Annotated[
        bool, typer.Option("--migrate/--no-migrate", help="bring the schema to head first")
    ] = True,
) -> None:
    """Copy another Quellen's documents, entities and events into this database by following
    its change feed (GET /v1/changes), from --since on.

    Each changed resource is fetched as it is now, as Quellen bundle lines, and imported
    as `quellen import` would; what the source deleted is deleted here (a deleted document
    stays a tombstone, as there). Prints the last change mirrored; run again with --since
    that number (or the same --state file) to bring over what changed since. `quellen
    export` of the two databases then gives the same bytes. Exit code 0 on success, 1 when
    the source could not be read or what it sent could not be imported (nothing is
    remembered then: run it again).
    """
    settings = get_settings()
    try:
        start = since
        if start is None:
            start = _read_state(state, source) if state is not None and state.exists() else 0
        if migrate_first:
            from api.db.migrations import upgrade

            upgrade(settings.database_url)
        engine = make_engine(settings.database_url)
        try:
            with httpx.Client(timeout=timeout) as client:
                report = mirror(engine, source, since=start, client=client, key=key)
        finally:
            engine.dispose()
    except MirrorError as exc:
        typer.secho(f"mirror stopped: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    typer.echo(report.summary())
    if state is not None:
        state.parent.mkdir(parents=True, exist_ok=True)
        state.write_text(
            json.dumps({"source": report.source, "seq": report.until}) + "\n", encoding="utf-8"
        )
    typer.echo(f"last change mirrored: {report.until} (next time: --since {report.until})")
