"""``quellen import``, ``quellen export`` and ``quellen check``: files in, files out.

Kept apart from api/cli/commands.py so the command module stays a list of commands; the work is
done by api/ingest/ (sources.py, importer.py) and api/export/, which an upload route can
call as well.
"""

import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TransferSpeedColumn,
)

from api.db.engine import make_engine
from api.errors import IngestError
from api.ingest.fidelity import Fidelity
from api.ingest.importer import Report, check_sources, import_sources
from api.ingest.sources import FORMATS, Options, default_readers, discover
from api.settings import get_settings

EXPORT_FORMATS = ("jsonl", "tei")


def _error(message: str) -> None:
    typer.secho(message, fg=typer.colors.RED, err=True)


def _format_option(value: str | None) -> str | None:
    if value is not None and value not in FORMATS:
        raise typer.BadParameter(f"use one of: {', '.join(FORMATS)}")
    return value


class _Bar:
    """A rich progress bar over bytes, with documents read and their rate beside it."""

    def __init__(self, total_bytes: int, label: str, enabled: bool):
        self.console = Console(stderr=True)
        self.enabled = enabled and self.console.is_terminal
        self.started = time.perf_counter()
        self.documents = 0
        self.progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[documents]} documents"),
            DownloadColumn(binary_units=False),
            TransferSpeedColumn(),
            TextColumn("{task.fields[rate]:.0f} documents/s"),
            TimeElapsedColumn(),
            console=self.console,
            disable=not self.enabled,
        )
        self.task: TaskID = self.progress.add_task(label, total=total_bytes, documents=0, rate=0.0)

    def __enter__(self) -> "_Bar":
        self.progress.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.progress.__exit__(exc_type, exc, traceback)

    def advance(self, documents: int, size: int) -> None:
        self.documents += documents
        elapsed = max(time.perf_counter() - self.started, 1e-9)
        self.progress.update(
            self.task, advance=size, documents=self.documents, rate=self.documents / elapsed
        )


def _print_report(report: Report, verb: str) -> None:
    for warning in report.warnings:
        _error(f"warning: {warning}")
    for failure in report.failures:
        _error(f"failed: {failure}")
    megabytes = report.bytes / 1_000_000
    seconds = max(report.seconds, 1e-9)
    typer.echo(
        f"{verb}: {report.summary()} — {report.documents} documents, {megabytes:.1f} MB in "
        f"{report.seconds:.1f} s ({report.documents / seconds:.0f} documents/s, "
        f"{megabytes / seconds:.1f} MB/s)"
    )
    if report.link is not None:
        link = report.link
        typer.echo(
            f"linked: {link.mentions} mentions, {link.detected} detected references, "
            f"{link.resolved} references resolved, {link.inferred} inferred links"
        )


def import_command(
    paths: Annotated[
        list[Path], typer.Argument(help="files or folders (folders are read recursively)")
    ],
    format: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="read every file as text, markdown, tei or jsonl (default: by extension, "
            "then by content)",
            callback=_format_option,
        ),
    ] = None,
    collection: Annotated[
        str | None,
        typer.Option(help="put every document into this collection (created if missing)"),
    ] = None,
    strict: Annotated[
        bool, typer.Option(help="stop at the first broken file and write nothing")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option(help="read, write and link, then roll everything back")
    ] = False,
    progress: Annotated[bool, typer.Option(help="show a progress bar on a terminal")] = True,
    migrate_first: Annotated[
        bool, typer.Option("--migrate/--no-migrate", help="bring the schema to head first")
    ] = True,
    readers: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="processes that read and validate files while the import writes (default: "
            "one per CPU but the writer's; 0 reads them in the importing process)",
        ),
    ] = None,
) -> None:
    """Import documents from files: plain text (+ YAML sidecar), Markdown with front matter,
    TEI P5, or a JSON Lines bundle from `quellen export`.

    Each file is written in its own savepoint: a broken file is reported with its path and
    line and leaves nothing behind, and the rest goes on (unless --strict). Importing the
    same file again changes nothing; a changed file becomes a new revision of its document.
    Cross-references are resolved once the whole batch is in. Exit code 0 when every file
    was imported, 1 when one failed.
    """
    settings = get_settings()
    sources, problems = discover(paths, format)
    options = Options(
        format=format,
        collection=collection,
        strict=strict,
        dry_run=dry_run,
        max_bytes=settings.import_max_bytes,
        readers=default_readers() if readers is None else readers,
    )
    if problems and strict:
        for problem in problems:
            _error(f"failed: {problem}")
        raise typer.Exit(1)
    if migrate_first:
        from api.db.migrations import upgrade

        upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        with _Bar(sum(s.size for s in sources), "importing", progress) as bar:
            report = import_sources(engine, sources, options, progress=bar.advance)
    finally:
        engine.dispose()
    report.failures[:0] = problems
    if report.stopped:
        _print_report(report, "stopped (--strict), nothing written")
    else:
        _print_report(report, "dry run, nothing written" if dry_run else "imported")
    if report.failures:
        raise typer.Exit(1)


def export_command(
    path: Annotated[
        Path,
        typer.Argument(
            help="jsonl: the bundle file to write ('-' for standard output); tei: the folder "
            "to write one file per document into"
        ),
    ],
    format: Annotated[str, typer.Option("--format", help="jsonl or tei")] = "jsonl",
    collection: Annotated[
        str | None, typer.Option(help="export only this collection (default: everything)")
    ] = None,
) -> None:
    """Export the database as a JSON Lines bundle (lossless) or as TEI P5 files.

    The bundle holds collections, entities, events and documents with everything a record
    can say; importing it into an empty database and exporting again gives the same bytes.
    TEI writes FOLDER/<collection>/<document>.xml: header from the metadata, divisions and
    paragraphs, notes where their markers stand, page breaks, curated mentions and
    cross-references; `quellen import` reads it back.
    """
    from sqlmodel import Session

    from api.db.models import Collection
    from api.formats.jsonl.writer import write_bundle
    from api.formats.tei.writer import write_tei_folder

    if format not in EXPORT_FORMATS:
        raise typer.BadParameter(f"use one of: {', '.join(EXPORT_FORMATS)}", param_hint="--format")
    engine = make_engine(get_settings().database_url)
    try:
        with Session(engine) as session:
            if collection is not None and session.get(Collection, collection) is None:
                _error(f"no collection {collection!r}")
                raise typer.Exit(1)
            if format == "jsonl":
                if str(path) == "-":
                    count = write_bundle(session, sys.stdout, collection)
                else:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    with path.open("w", encoding="utf-8", newline="\n") as out:
                        count = write_bundle(session, out, collection)
            else:
                count = write_tei_folder(session, path, collection)
    finally:
        engine.dispose()
    if str(path) != "-":
        typer.echo(f"exported {count} documents as {format} to {path}")


def check_command(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="files or folders to validate (default: the seed corpus, data/)"),
    ] = None,
    format: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="read every file as text, markdown, tei or jsonl",
            callback=_format_option,
        ),
    ] = None,
    collection: Annotated[
        str | None, typer.Option(help="as for import: the collection files without one go to")
    ] = None,
    data_dir: Annotated[
        Path | None, typer.Option(help="seed corpus folder (default: QUELLEN_DATA_DIR)")
    ] = None,
    report: Annotated[
        bool,
        typer.Option(
            "--report",
            help="also print how faithfully Markdown files read: markers, notes anchored, "
            "remnants of markup, headings and tables (api/ingest/fidelity.py)",
        ),
    ] = False,
) -> None:
    """Validate files without loading them: every file is read by its reader and its record
    checked (offsets, refs, dates, notes); problems are listed with path and line.

    Without PATHS, validates the seed corpus in data/ (or --data-dir) as `quellen seed`
    would load it. Exit code 0 when everything is valid, 1 otherwise. With --report, the
    fidelity figures of the Markdown files follow.
    """
    settings = get_settings()
    if not paths:
        from api.ingest.seed import read_seed_corpus

        folder = data_dir or settings.data_dir
        try:
            corpus = read_seed_corpus(folder)
        except IngestError as exc:
            _error(f"invalid: {exc}")
            raise typer.Exit(1) from None
        typer.echo(
            f"{folder}: {len(corpus.collections)} collections, {len(corpus.documents)} "
            "documents, all valid"
        )
        return
    sources, problems = discover(paths, format)
    options = Options(format=format, collection=collection, max_bytes=settings.import_max_bytes)
    fidelity = Fidelity() if report else None
    with _Bar(sum(s.size for s in sources), "checking", True) as bar:
        checked = check_sources(
            sources,
            options,
            progress=bar.advance,
            observe=fidelity.add if fidelity is not None else None,
        )
    checked.failures[:0] = problems
    for warning in checked.warnings:
        _error(f"warning: {warning}")
    for failure in checked.failures:
        _error(f"invalid: {failure}")
    if fidelity is not None:
        for line in fidelity.lines():
            typer.echo(line)
    if checked.failures:
        typer.echo(f"{len(checked.failures)} problems in {len(sources)} files")
        raise typer.Exit(1)
    typer.echo(f"{len(sources)} files, {checked.documents} documents, all valid")
