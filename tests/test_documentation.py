"""Every setting is documented in the README, so operators never meet a hidden one."""

import re

from api.settings import PROJECT_ROOT, Settings


def test_every_setting_is_in_the_readme_table() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `(QUELLEN_[A-Z_]+)` \|", readme, flags=re.MULTILINE))
    expected = {f"QUELLEN_{name.upper()}" for name in Settings.model_fields}
    assert expected - documented == set(), "settings missing from the README table"
    assert documented - expected == set(), "README documents settings that do not exist"


def test_every_setting_has_a_description() -> None:
    for name, field in Settings.model_fields.items():
        assert field.description, name
