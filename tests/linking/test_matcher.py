"""The alias matcher: word boundaries, case rules, longest match, exact offsets."""

from api.linking.matcher import AliasMatcher

ALIASES = [
    ("Stalin", "stalin", False),
    ("Joseph Stalin", "stalin", False),
    ("Marshal Stalin", "stalin", False),
    ("Germany", "germany", False),
    ("Nazi Germany", "germany", False),
    ("USSR", "ussr", True),
    ("USA", "usa", True),
    ("UN", "un", True),
    ("Yalta", "yalta", False),
    ("Yalta Conference", "yalta-conference", False),
    ("Großbritannien", "gb", False),
]


def find(text: str) -> list[tuple[str, str]]:
    return [(m.surface, m.entity_id) for m in AliasMatcher(ALIASES).find(text)]


def test_longest_match_wins() -> None:
    assert find("Joseph Stalin met Nazi Germany at the Yalta conference.") == [
        ("Joseph Stalin", "stalin"),
        ("Nazi Germany", "germany"),
        ("Yalta conference", "yalta-conference"),
    ]


def test_word_boundaries() -> None:
    assert find("Stalinist Stalingrad; Stalin’s army; USSR-USA") == [
        ("Stalin", "stalin"),
        ("USSR", "ussr"),
        ("USA", "usa"),
    ]
    assert find("ReStalin and Stalin_x") == []


def test_case_rules_per_alias() -> None:
    assert find("the UN and un-American and ussr") == [("UN", "un")]
    assert find("STALIN and stalin") == [("STALIN", "stalin"), ("stalin", "stalin")]


def test_offsets_are_exact_code_points() -> None:
    text = "“Großbritannien” – and İstanbul, then Stalin."
    for match in AliasMatcher(ALIASES).find(text):
        assert text[match.start : match.end] == match.surface
    assert find(text) == [("Großbritannien", "gb"), ("Stalin", "stalin")]


def test_empty_matcher_finds_nothing() -> None:
    assert AliasMatcher([]).find("Stalin") == []
