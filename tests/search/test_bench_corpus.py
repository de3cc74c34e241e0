"""The search benchmark's building blocks (not the benchmark: nothing here is timed)."""

from pathlib import Path

from api.records.normalize import fold
from bench.search_corpus import Family, generate
from bench.search_latency import HEADING, percentile, write_section


def _family() -> Family:
    family = Family("seed", "Test", "primary", ["letter"])
    family.add_document(
        "A letter",
        "1945-02-04",
        ["The war is over. The Allies met at Yalta.", "Repatriation began at once."],
        ["A note on Yalta."],
    )
    return family


def test_generated_rows_are_what_the_loader_would_write() -> None:
    docs = list(generate([_family()], 25, seed=7))
    assert sum(len(d.passages) for d in docs) == 25
    ids = [p["id"] for d in docs for p in d.passages]
    assert ids == list(range(1, 26))
    for doc in docs:
        text = doc.row["text"]
        for passage in doc.passages:
            assert text[passage["start_offset"] : passage["end_offset"]] == passage["text"]
            assert passage["norm_text"] == fold(passage["text"])
            assert passage["document_id"] == doc.row["id"]
        for note in doc.notes:
            assert note["norm_text"] == fold(note["text"])
            assert note["passage_id"] in {p["id"] for p in doc.passages}
    assert [len(d.passages) for d in generate([_family()], 25, seed=7)] == [
        len(d.passages) for d in docs
    ], "the same seed makes the same corpus"


def test_percentile_is_a_latency_that_happened() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 95) == 95.0
    assert percentile([3.0], 95) == 3.0


def test_only_the_search_section_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "benchmarks.md"
    path.write_text("# Benchmarks\n\n## Read throughput\n\nkept\n\n## Search latency\n\nold\n")
    write_section(path, f"{HEADING}\n\nnew figures\n")
    text = path.read_text()
    assert "## Read throughput\n\nkept" in text and "new figures" in text and "old" not in text
    write_section(path, f"{HEADING}\n\nnewer\n")
    assert path.read_text().count(HEADING) == 1
