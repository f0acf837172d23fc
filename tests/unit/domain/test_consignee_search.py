"""The pre-review narrows the exports that may name a consignee in the store, by a part of the
name that every spelling equal to it (spaces and case aside) holds as it is: the narrowing never
loses an export that names the consignee."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from reetrace.domain.prereview import name_key, searchable_part
from reetrace.ledger.canonical import canonical_bytes

NAMES = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=40
) | st.sampled_from(["Bench Magnets GmbH", "德国磁材有限公司", "ООО Ромашка", "Straße AG", 'A "quoted" \\ name'])


def _respelled(name: str, data: st.DataObject) -> str:
    """The same name by `name_key`: its words spaced anew, its ASCII letters in another case."""
    words = name.split()
    gaps = [data.draw(st.sampled_from([" ", "  ", "\t", "\u3000"])) for _ in words]
    text = "".join(w + g for w, g in zip(words, gaps, strict=True))
    flip = data.draw(st.booleans())
    return "".join(c.swapcase() if flip and c.isascii() and c.isalpha() else c for c in text)


def _ascii_lower(text: str) -> str:
    return re.sub(r"[A-Z]", lambda m: m.group(0).lower(), text)


@given(NAMES, st.data())
def test_every_equal_spelling_holds_the_searched_part(name, data):
    spelling = _respelled(name, data)
    assert name_key(spelling) == name_key(name)
    part = searchable_part(name)
    body = canonical_bytes({"type": "export", "consignee": spelling}).decode("utf-8")
    assert _ascii_lower(part) in _ascii_lower(body)  # what LIKE finds, case aside for ASCII letters


def test_the_part_is_the_longest_plain_run():
    assert searchable_part("Bench Magnets GmbH") == "Magnets"
    assert searchable_part("德国磁材有限公司") == "德国磁材有限公司"
    assert searchable_part("ООО Ромашка") == ""  # cased letters outside ASCII: no narrowing
    assert searchable_part('A "quoted" name') == "quoted"
