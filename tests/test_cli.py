"""The ``quellen`` command line: import, export and check, with help, summaries and exit codes."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli.commands import app
from api.settings import get_settings
from tests.ingest.test_markdown import BODY, FRONT

runner = CliRunner()


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    monkeypatch.setenv("QUELLEN_DATABASE_URL", url)
    monkeypatch.setenv("QUELLEN_LOAD_SEED", "false")
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


@pytest.mark.parametrize("command", ["import", "export", "check"])
def test_every_command_explains_itself(command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.output and len(result.output) > 300


def test_check_without_paths_validates_the_seed_corpus() -> None:
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 0, result.output
    assert "all valid" in result.output


def test_check_reports_problems_with_path_and_line(tmp_path: Path) -> None:
    (tmp_path / "ok.md").write_text(FRONT + BODY, encoding="utf-8")
    (tmp_path / "broken.xml").write_text("<TEI>\n<text>\n</TEI>\n", encoding="utf-8")
    result = runner.invoke(app, ["check", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{tmp_path / 'broken.xml'}:3:" in result.output
    good = runner.invoke(app, ["check", str(tmp_path / "ok.md")])
    assert good.exit_code == 0 and "1 documents, all valid" in good.output


def test_import_summary_exit_codes_and_export(database: str, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "22-cranborne.md").write_text(FRONT + BODY, encoding="utf-8")
    result = runner.invoke(app, ["import", str(folder)])
    assert result.exit_code == 0, result.output
    assert "1 new, 0 updated, 0 unchanged, 0 failed" in result.output
    again = runner.invoke(app, ["import", str(folder)])
    assert "0 new, 0 updated, 1 unchanged, 0 failed" in again.output
    (folder / "bad.xml").write_text("<TEI>", encoding="utf-8")
    failed = runner.invoke(app, ["import", str(folder)])
    assert failed.exit_code == 1 and "1 failed" in failed.output
    bundle = tmp_path / "out.jsonl"
    exported = runner.invoke(app, ["export", "--format", "jsonl", str(bundle)])
    assert exported.exit_code == 0 and bundle.read_text(encoding="utf-8").count("\n") >= 3
    tei = runner.invoke(
        app,
        ["export", "--format", "tei", "--collection", "dfat-volume-8-1945", str(tmp_path / "t")],
    )
    assert tei.exit_code == 0, tei.output
    assert len(list((tmp_path / "t" / "dfat-volume-8-1945").glob("*.xml"))) == 1
    missing = runner.invoke(app, ["export", "--collection", "nope", str(tmp_path / "x.jsonl")])
    assert missing.exit_code == 1


@pytest.mark.parametrize("readers", ["0", "2"])
def test_import_with_and_without_reading_processes(
    database: str, tmp_path: Path, readers: str
) -> None:
    """Enough files for reading processes; the summary is the same however they are read."""
    for n in range(1, 41):
        text = FRONT.replace("doc_num: 22", f"doc_num: {n}") + BODY
        (tmp_path / f"{n}-cranborne.md").write_text(text, encoding="utf-8")
    (tmp_path / "zz-broken.md").write_text("---\ntitle: [\n---\n\nText.\n", encoding="utf-8")
    result = runner.invoke(app, ["import", "--readers", readers, "--no-progress", str(tmp_path)])
    assert result.exit_code == 1, result.output
    assert "40 new, 0 updated, 0 unchanged, 1 failed" in result.output
    assert f"{tmp_path / 'zz-broken.md'}:3: invalid YAML front matter" in result.output


def test_check_report_prints_fidelity_figures_and_warnings(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(
        "---\ntitle: A\n---\n\nText [1] and [2].\n\n## Heading\n\n| a | b |\n|---|---|\n"
        "| 1 | 2 |\n\n _\n\n1 The note.\n\n_\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["check", "--report", str(tmp_path)])
    assert result.exit_code == 0, result.output
    lines = dict(line.split(None, 1) for line in result.stdout.splitlines() if "  " in line)
    assert lines["files"].strip() == "1" and lines["refused"].strip() == "0"
    assert lines["marker-note"].split()[-1] == "1"  # [1] has its note, [2] none
    assert lines["headings"].startswith("1 read of 1")
    assert lines["tables"].startswith("1 read of 1")
    assert "warning:" in result.output and "no note for marker [2]" in result.output


def test_seed_migrates_an_empty_database_first(database: str) -> None:
    result = runner.invoke(app, ["seed"])
    assert result.exit_code == 0, result.output
    assert "seed corpus from" in result.output and "4 new" in result.output
