"""Company forms by kind: a stock corporation (AG, SA, PLC, JSC), a limited-liability company
(GmbH, OOO, SARL, Ltd), a partnership (KG, LP, LLP). Two names giving forms of different kinds
can be different entities (Deutsche Bank AG, Deutsche Bank GmbH); forms that say little of the
kind (Co., Inc., Corporation, Company, Co., Ltd. as Asian firms translate any form) agree with
any. rigour knows the forms' spellings; which kind each is, it does not say consistently.
"""

from __future__ import annotations

from functools import lru_cache

from rigour.names import normalize_name
from rigour.text.translit import ascii_text

STOCK, LIMITED, PARTNERSHIP = "stock", "limited", "partnership"

_KINDS = {
    STOCK: [
        "ag",
        "aktiengesellschaft",
        "sa",
        "s a",
        "spa",
        "s p a",
        "sas",
        "s a s",
        "nv",
        "n v",
        "plc",
        "public limited company",
        "jsc",
        "pjsc",
        "ojsc",
        "cjsc",
        "oao",
        "pao",
        "zao",
        "ao",
        "oaa",
        "joint stock company",
        "public joint stock company",
        "open joint stock company",
        "closed joint stock company",
        "kk",
        "k k",
        "kabushiki kaisha",
        "ab",
        "publ",
        "asa",
        "as",
        "bhd",
        "berhad",
        "tbk",
        "pt tbk",
        "sa de cv",
        "s a de c v",
        "sab de cv",
        "se",
        "kgaa",
    ],
    LIMITED: [
        "gmbh",
        "gesellschaft mit beschrankter haftung",
        "ooo",
        "llc",
        "l l c",
        "limited liability company",
        "sarl",
        "s a r l",
        "srl",
        "s r l",
        "sp z o o",
        "spolka z ograniczona odpowiedzialnoscia",
        "bv",
        "b v",
        "ltda",
        "tov",
        "too",
        "eood",
        "ood",
        "doo",
        "d o o",
        "sro",
        "s r o",
        "kft",
        "oy",
        "aps",
        "sdn bhd",
        "sendirian berhad",
        "pte ltd",
        "private limited",
        "pvt ltd",
        "private ltd",
        "gk",
        "godo kaisha",
        "fze",
        "fzco",
        "fz llc",
        "fzc",
        "ug",
        "limitada",
    ],
    PARTNERSHIP: [
        "kg",
        "gmbh co kg",
        "gmbh and co kg",
        "gmbh & co kg",
        "ohg",
        "lp",
        "llp",
        "l p",
        "l l p",
        "limited partnership",
        "limited liability partnership",
        "partnership",
        "snc",
        "scs",
    ],
}
_FORMS = {form: kind for kind, forms in _KINDS.items() for form in forms}
_LONGEST = max(len(f.split()) for f in _FORMS)
# words of company forms that say little of the kind, or are part of a form above
FORM_WORDS = frozenset(w for f in _FORMS for w in f.split()) | {
    "co",
    "company",
    "corp",
    "corporation",
    "inc",
    "incorporated",
    "ltd",
    "limited",
    "pvt",
    "private",
    "&",
    "and",
}


def _tokens(name: str) -> list[str]:
    return (normalize_name(ascii_text(name.replace("&", " & "))) or "").replace(".", " ").split()


@lru_cache(maxsize=65_536)
def legal_kind(name: str) -> str | None:
    """The kind of company form a name gives at its end (or start: OOO Rosneft), if it says one."""
    tokens = _tokens(name)
    for width in range(min(_LONGEST, len(tokens) - 1), 0, -1):
        for span in (tokens[-width:], tokens[:width]):
            kind = _FORMS.get(" ".join(span)) or _FORMS.get(" ".join(t for t in span if t != "&"))
            if kind:
                return kind
    return None


def kinds_differ(a: str, b: str) -> bool:
    ka, kb = legal_kind(a), legal_kind(b)
    return ka is not None and kb is not None and ka != kb
