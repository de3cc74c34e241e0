"""The write benchmarks' building blocks (not the benchmarks: nothing here is timed)."""

from pathlib import Path

import pytest

from api.formats.markdown.reader import read_markdown
from bench.harness import percentile, write_section
from bench.patch_latency import spread
from bench.scaled_corpus import build, copy_text, ordered_files
from bench.soak import Sample, parse_mix, summarize

DOCUMENT = """\
---
doc_date: '1945-02-01'
doc_num: {num}
doc_order: {num}
title: Cranborne to Commonwealth Government
vol_full_title: 'Volume {vol}: 1945'
vol_id: {vol}
vol_title: 'Volume {vol}: 1945'
---

Cablegram D193 LONDON, 1 February 1945, 7.30 p.m.

The Foreign Secretary obtained from Marshal Stalin a personal assurance.[1]

 _

1 A note on the assurance.

_[AA: A1066, IC45/6/2/1, i]_
"""


def _corpus(root: Path) -> Path:
    """Two small volumes in the sample corpus's layout: 3 documents and 1."""
    for vol, count, folder in ((8, 3, "dfat-volume-8-1945"), (1, 1, "dfat-more/volume-1-x")):
        path = root / folder
        path.mkdir(parents=True)
        for num in range(1, count + 1):
            (path / f"{num}-document.md").write_text(DOCUMENT.format(num=num, vol=vol))
    return root


def test_a_copy_changes_only_the_volume_id() -> None:
    source = DOCUMENT.format(num=22, vol=8)
    assert copy_text(source, 1) == source
    copied = copy_text(source, 3)
    assert "vol_id: 8r3\n" in copied
    assert copied.replace("vol_id: 8r3", "vol_id: 8") == source


def test_the_scaled_corpus_mixes_volumes_and_keeps_ids_unique(tmp_path: Path) -> None:
    folder = build(10, out=tmp_path / "out", corpus=_corpus(tmp_path / "corpus"))
    files = sorted(folder.rglob("*.md"))
    assert len(files) == 10
    # the volumes are taken in turn, then again as copies
    assert sorted(p.parent.name for p in files)[:4] == [
        "01-dfat-volume-8-1945",
        "01-dfat-volume-8-1945",
        "01-dfat-volume-8-1945",
        "01-volume-1-x",
    ]
    read = [read_markdown(p.read_text(), p) for p in files]
    ids = {doc.record.id for doc in read}
    assert len(ids) == 10
    collections = {doc.record.collection_id for doc in read}
    assert "dfat-volume-8r2-1945" in collections and "dfat-volume-1r3-1945" in collections
    assert "dfat-v8r3-1-document" in ids
    # reused while the sources are unchanged
    assert build(10, out=tmp_path / "out", corpus=tmp_path / "corpus") == folder
    # a smaller corpus is the start of a larger one
    smaller = build(6, out=tmp_path / "out", corpus=tmp_path / "corpus")
    assert [p.relative_to(smaller) for p in ordered_files(smaller)] == [
        p.relative_to(folder) for p in ordered_files(folder)[:6]
    ]


def test_percentile_is_a_latency_some_request_had() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile([3.0], 95) == 3.0


def test_spread_takes_items_evenly() -> None:
    items = [str(i) for i in range(100)]
    assert spread(items, 4) == ["0", "25", "50", "75"]
    assert spread(items[:3], 10) == ["0", "1", "2"]


def test_soak_counts_lost_races_apart_from_errors() -> None:
    samples = [
        Sample("soak", "write", "PATCH document", 200, 10.0),
        Sample("soak", "write", "PATCH document", 412, 12.0),
        Sample("soak", "write", "PATCH document", 500, 30.0, "boom"),
        Sample("soak", "write", "PATCH document", None, 60.0, "disconnected"),
        Sample("soak", "read", "document", 404, 1.0, "gone"),
    ]
    summary = summarize(samples, 1.0)
    write = summary["write"]
    assert write["requests"] == 4
    assert (write["server_errors"], write["transport_errors"], write["lost_races"]) == (1, 1, 1)
    assert write["transport"] == {"disconnected": 1}
    assert summary["read"]["other_4xx"] == 1
    assert summary["all"]["requests"] == 5


def test_mix_takes_three_weights() -> None:
    assert parse_mix("60,25,15") == {"read": 60.0, "search": 25.0, "write": 15.0}
    with pytest.raises(Exception, match="three weights"):
        parse_mix("60,40")


def test_a_section_is_replaced_and_the_others_kept(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\n## A\n\nold\n\n## Soak\n\nold soak\n\n## C\n\nc\n")
    write_section("## Soak", "## Soak\n\nnew soak\n", doc)
    assert doc.read_text() == "# Benchmarks\n\n## A\n\nold\n\n## Soak\n\nnew soak\n\n## C\n\nc\n"
    write_section("## D", "## D\n\nd\n", doc)
    assert doc.read_text().endswith("## C\n\nc\n\n## D\n\nd\n")
