"""The text both engines index, and the tokens both engines are asked for.

Folding happens here, in Python, one code point at a time: lower-cased, diacritics removed,
everything that is not a letter or digit turned into a space. The result has exactly the
length of the original, so a token found at offset 811 of the folded text stands at offset
811 of the passage as printed; highlighting needs no second tokenizer. Because SQLite and
PostgreSQL index this folded text with their plainest tokenizers (``unicode61``, ``simple``),
they split it into the same tokens and a query means the same on both.
"""

import re
import unicodedata
from functools import lru_cache

TOKEN = re.compile(r"[^\W_]+")


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    if char.isascii():
        return char.lower() if char.isalnum() else " "
    base = unicodedata.normalize("NFKD", char)
    stripped = "".join(c for c in base if not unicodedata.combining(c)).lower()
    if len(stripped) == 1 and stripped.isalnum():
        return stripped
    low = char.lower()
    if len(low) == 1 and low.isalnum():
        return low
    return " "


class _FoldTable(dict[int, str]):
    """``str.translate`` table that folds each code point on first sight, then remembers it.

    Translating is a C loop; calling ``_fold_char`` per character from a Python generator
    cost an import of a printed volume more time than writing it to the database.
    """

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold_char(chr(code))
        return folded


FOLD_TABLE = _FoldTable()
# ASCII text, the bulk of most corpora, folds byte for byte through a 256-byte table: twice
# as fast as the general table, which needs a dict look-up per character
_ASCII_TABLE = bytes(ord(_fold_char(chr(code))) if code < 128 else 32 for code in range(256))


def fold(text: str) -> str:
    """Same-length search form of ``text``."""
    if text.isascii():
        return text.encode("ascii").translate(_ASCII_TABLE).decode("ascii")
    return text.translate(FOLD_TABLE)


def tokens(text: str) -> list[str]:
    return TOKEN.findall(fold(text))
