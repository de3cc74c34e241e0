"""A corpus of N real documents, made from the sample DFAT volumes by copying them.

The issue's figures are for the 28 DFAT volumes (10,880 documents); the sample corpus in
``../shared/corpus`` holds six of them (2,425 documents). This module makes a corpus of any
size from those six: the documents are taken in turn from each volume (so a corpus of 500
has the same mix of volumes, note conventions and lengths as one of 10,000), and when the
six are used up they are taken again as *copies*. A copy changes one line of the front
matter, ``vol_id: 8`` → ``vol_id: 8r2``, which is all the importer derives ids from
(api/formats/markdown/reader.py): the collection becomes ``dfat-volume-8r2-1945``, the document
``dfat-v8r2-22-cranborne-to-commonwealth-government``, its identifiers
``dfat_document 8r2/22`` and ``document_number dfat-volume-8r2-1945/22``. Text, notes,
dates and archival references stay as printed, so a copy links, indexes and cross-references
(file numbers, "Document 117" within its volume) like the original. Copy 1 is the original.

The files are written to ``bench/results/scaled-corpus/N/<copy>-<volume>/`` (one folder per
collection, as ``quellen import`` expects) and reused while the sample corpus is unchanged.

The entity registry is not part of the corpus: a database gets it from the seed corpus
(``data/registry``, loaded by ``quellen seed`` or ``quellen serve``), as a deployment has
it; see ``load_registry`` in bench/harness.py.

    python -m bench.scaled_corpus 10880            # prints the folder
    quellen seed && quellen import "$(python -m bench.scaled_corpus 10880)"
"""

import argparse
import hashlib
import json
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
OUT = ROOT / "bench" / "results" / "scaled-corpus"
ISSUE_SIZE = 10_880  # the 28 DFAT volumes of issue 14

_VOL_ID = re.compile(r"^vol_id:[ \t]*(.+?)[ \t]*$", re.MULTILINE)
_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)


def volumes(corpus: Path = CORPUS) -> list[Path]:
    """The Markdown volumes of the sample corpus, in a fixed order."""
    found = sorted(corpus.glob("dfat-volume-*")) + sorted((corpus / "dfat-more").glob("volume-*"))
    found = [f for f in found if f.is_dir() and any(f.glob("*.md"))]
    if not found:
        raise SystemExit(f"no DFAT volumes under {corpus}")
    return found


def _order(folders: list[Path]) -> list[tuple[Path, Path]]:
    """(volume, file) for every document, taken from the volumes in turn."""
    files = [sorted(f.glob("*.md")) for f in folders]
    mixed = []
    for index in range(max(len(f) for f in files)):
        for folder, listed in zip(folders, files, strict=True):
            if index < len(listed):
                mixed.append((folder, listed[index]))
    return mixed


def _fingerprint(folders: list[Path]) -> str:
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(folder.glob("*.md")):
            stat = path.stat()
            digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def copy_text(source: str, copy: int) -> str:
    """The file as copy ``copy`` (1: unchanged): its ``vol_id`` gets the suffix ``r<copy>``."""
    if copy == 1:
        return source
    front = _FRONT_MATTER.match(source)
    if front is None or not _VOL_ID.search(front.group(0)):
        raise ValueError("a DFAT file without vol_id in its front matter")
    head = _VOL_ID.sub(
        lambda m: f"vol_id: {m.group(1).strip(chr(39) + chr(34))}r{copy}", front.group(0), 1
    )
    return head + source[front.end() :]


def build(size: int, out: Path = OUT, corpus: Path = CORPUS) -> Path:
    """The folder of a corpus of ``size`` documents (made, or reused when current)."""
    if size < 1:
        raise ValueError("size must be at least 1")
    folders = volumes(corpus)
    order = _order(folders)
    target = out / str(size)
    manifest = target / ".manifest.json"  # dot files are skipped by the importer
    fingerprint = _fingerprint(folders)
    if manifest.exists():
        try:
            made = json.loads(manifest.read_text())
            if made.get("fingerprint") == fingerprint and len(made.get("files", ())) == size:
                return target
        except ValueError:
            pass
    if target.exists():
        shutil.rmtree(target)
    counts: dict[str, int] = {}
    files = []
    for index in range(size):
        folder, path = order[index % len(order)]
        copy = index // len(order) + 1
        collection = f"{copy:02d}-{folder.name}"
        destination = target / collection / path.name
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text(copy_text(path.read_text(encoding="utf-8"), copy), "utf-8")
        counts[collection] = counts.get(collection, 0) + 1
        files.append(f"{collection}/{path.name}")
    manifest.write_text(
        json.dumps(
            {
                "documents": size,
                "fingerprint": fingerprint,
                "sources": [str(f) for f in folders],
                "folders": counts,
                "files": files,  # in the order taken: a smaller corpus is a prefix
            },
            indent=1,
        )
    )
    return target


def ordered_files(folder: Path) -> list[Path]:
    """The files of a corpus ``build`` made, in the order they were taken: the first k of
    any size are the corpus of size k."""
    made = json.loads((folder / ".manifest.json").read_text())
    return [folder / name for name in made["files"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", type=int, nargs="?", default=ISSUE_SIZE, help="documents")
    parser.add_argument("--out", type=Path, default=OUT, help="parent folder of the corpora")
    args = parser.parse_args()
    print(build(args.size, args.out))


if __name__ == "__main__":
    main()
