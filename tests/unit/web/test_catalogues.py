"""The pages' message catalogues: every string the code and templates mark is in the template
catalogue, every catalogue translates all of it, and the compiled `.mo` files are up to date."""

from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir, extract_python
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

import reetrace.web
from reetrace.web.i18n import Formats, translations

WEB = Path(reetrace.web.__file__).parent
LOCALE = WEB / "locale"
PRINTABLE = WEB.parent / "certificates" / "printable.py"
CATALOGUES = ("zh_Hans", "en")


def _ids(catalog) -> set[str]:
    return {m.id for m in catalog if m.id}


def _extracted() -> set[str]:
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    keywords = {**DEFAULT_KEYWORDS, "t": None}
    found = extract_from_dir(
        str(WEB), method_map, {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}, keywords=keywords
    )
    with PRINTABLE.open("rb") as source:  # the printable certificate, said in the reader's language
        printed = [(m, None) for _, _, m, _ in extract_python(source, keywords, [], {})]
    return {message for _, _, message, _, _ in found if isinstance(message, str)} | {
        message for message, _ in printed if isinstance(message, str)
    }


def test_every_marked_string_is_in_the_template_catalogue():
    with (LOCALE / "messages.pot").open("rb") as f:
        template = _ids(read_po(f))
    extracted = _extracted()
    assert extracted - template == set(), "run pybabel extract/update/compile (see reetrace.web.i18n)"
    assert template - extracted == set(), "the catalogue holds strings no page uses any more"


@pytest.mark.parametrize("language", CATALOGUES)
def test_each_catalogue_translates_everything_and_is_compiled(language):
    folder = LOCALE / language / "LC_MESSAGES"
    with (LOCALE / "messages.pot").open("rb") as f:
        template = _ids(read_po(f))
    with (folder / "messages.po").open("rb") as f:
        catalog = read_po(f)
    assert _ids(catalog) == template
    untranslated = [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]
    assert untranslated == []
    with (folder / "messages.mo").open("rb") as f:
        compiled = read_mo(f)
    assert {m.id: m.string for m in compiled if m.id} == {m.id: m.string for m in catalog if m.id}


def test_chinese_is_chinese_and_english_is_english():
    assert translations("zh-Hans").gettext("Dashboard") == "总览"
    assert translations("en").gettext("Dashboard") == "Dashboard"
    assert translations("zh-Hans").gettext("National overview %(year)s") % {"year": 2025} == "2025 年全国总览"


def test_numbers_and_dates_follow_the_language():
    from datetime import date

    zh, en = Formats("zh-Hans"), Formats("en")
    assert zh.tonnes(1234.56) == "1,234.6 t" and en.number(1234567) == "1,234,567"
    assert zh.date(date(2025, 3, 4)) == "2025年3月4日" and en.date(date(2025, 3, 4)) == "4 Mar 2025"
    assert zh.year_month("2025-03") == "2025年3月" and en.year_month("2025-03") == "Mar 2025"
    assert zh.moment("2025-09-20T08:06:05+00:00").endswith("16:06:05")  # shown in China Standard Time
