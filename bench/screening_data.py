"""The labelled screening set: a seeded generator of listed entities and (query, entity, label)
pairs, merged with the hand-made cases of `data/screening_hand.json`.

    python bench/screening_data.py   # writes data/screening_entities.ftm.jsonl, data/screening_pairs.jsonl

The vocabularies (`screening_words.py`) are the generator's own, written as such firms write
their names, not read from reetrace: trade names are built from characters with the readings
firms use (晟 is sheng), places include county-level magnet hubs, English forms vary as they do
in real lists (Co., Ltd. / Company Limited / Joint Stock Co., Ltd.; upper case as on the US
Entity List; the place in brackets). Hard negatives are other firms one would confuse: the same
city and trade with a trade name sharing a character or one character longer, the same trade
name in another city, a foreign name two letters away, a person with the same family name and
one given character different, or another family name sharing its first letters.
"""

from __future__ import annotations

import json
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from opencc import OpenCC
from pypinyin import Style, lazy_pinyin
from pypinyin.contrib.tone_convert import to_tone
from rapidfuzz.distance import OSA

from screening_words import (
    FIRST,
    FOREIGN_END,
    FOREIGN_FORMS,
    FOREIGN_INDUSTRY,
    FOREIGN_START,
    FORMS,
    GIVEN,
    INDUSTRY,
    KEYBOARD,
    LAST,
    PLACES,
    SURNAMES,
    TRADE,
)

SEED = 20261128
DATA = Path(__file__).parent / "data"
_t2 = OpenCC("s2t")


def plain(reading: str) -> str:
    return "".join(c for c in reading if c.isalpha())


def toned(reading: str) -> str:
    return "".join(to_tone(s) for s in re.findall(r"[a-z]+[1-5]", reading))


def traditional(text: str) -> str:
    return _t2.convert(text)


def typo(
    rng: random.Random, text: str, *, from_second: bool = False, odds: tuple[float, float, float] = (0.4, 0.65, 0.85)
) -> str:
    """One keyboard slip at a letter (not the first, `from_second`): a neighbouring key, a letter
    left out, doubled or swapped, by the cumulative `odds` of the first three."""
    positions = [i for i, c in enumerate(text) if c.isalpha() and c.isascii() and (i > 0 or not from_second)]
    if not positions:
        return text
    neighbour, dropped, doubled = odds
    for _ in range(20):
        i = rng.choice(positions)
        c, kind = text[i], rng.random()
        row = next((r for r in KEYBOARD if c.lower() in r), None)
        if kind < neighbour and row:
            j = row.index(c.lower())
            n = row[j - 1] if j and (j == len(row) - 1 or rng.random() < 0.5) else row[(j + 1) % len(row)]
            out = text[:i] + (n.upper() if c.isupper() else n) + text[i + 1 :]
        elif kind < dropped:
            out = text[:i] + text[i + 1 :]
        elif kind < doubled:
            out = text[:i] + c + text[i:]
        elif i + 1 < len(text) and text[i + 1].isalpha():
            out = text[:i] + text[i + 1] + c + text[i + 2 :]
        else:
            continue
        if out.lower() != text.lower():
            return out
    return text[:-1]


@dataclass(frozen=True)
class Firm:
    place: tuple[str, str, str]
    trade: str  # Chinese characters
    industry: tuple[str, list[str]]
    form: tuple[str, list[str]]

    def readings(self) -> list[str]:
        return [TRADE[c] for c in self.trade]

    def trade_en(self) -> str:
        return "".join(plain(r) for r in self.readings()).capitalize()

    def chinese(self, place: bool = True, form: bool = True) -> str:
        return (self.place[0] if place else "") + self.trade + self.industry[0] + (self.form[0] if form else "")

    def english(self, rng: random.Random, place: bool = True, form: bool = True, brackets: bool = False) -> str:
        industry, suffix = rng.choice(self.industry[1]), rng.choice(self.form[1])
        if self.place[0] == "香港":
            words = [f"{self.trade_en()} (HK)" if brackets else f"Hong Kong {self.trade_en()}", industry]
        elif brackets:
            words = [f"{self.trade_en()} ({self.place[1]})" if place else self.trade_en(), industry]
        else:
            words = ([self.place[1]] if place else []) + [self.trade_en(), industry]
        return " ".join(words + ([suffix] if form else []))

    def pinyin(self, rng: random.Random, form: bool) -> str:
        """Pinyin of the Chinese name as people type it: words, syllables, run together, tones."""
        rest = self.industry[0] + (self.form[0] if form else "")
        style = rng.choice(["words", "syllables", "joined", "marks", "numbers"])
        trade = self.readings()
        if style == "marks":
            place = "".join(lazy_pinyin(self.place[0], style=Style.TONE))
            return " ".join(
                [
                    place.capitalize(),
                    "".join(toned(r) for r in trade).capitalize(),
                    "".join(lazy_pinyin(rest, style=Style.TONE)),
                ]
            )
        if style == "numbers":
            return " ".join(
                [
                    "".join(lazy_pinyin(self.place[0], style=Style.TONE3)),
                    "".join(trade),
                    " ".join(lazy_pinyin(rest, style=Style.TONE3)),
                ]
            )
        place = "".join(lazy_pinyin(self.place[0])) if style == "joined" else self.place[1].replace("'", "").lower()
        if style == "syllables":
            return " ".join([*lazy_pinyin(self.place[0]), *(plain(r) for r in trade), *lazy_pinyin(rest)])
        if style == "joined":
            text = place + "".join(plain(r) for r in trade) + "".join(lazy_pinyin(rest))
            return text.upper() if rng.random() < 0.3 else text
        words = [
            place.capitalize(),
            "".join(plain(r) for r in trade).capitalize(),
            "".join(lazy_pinyin(self.industry[0])).capitalize(),
        ]
        if form:
            words += [w.capitalize() for w in lazy_pinyin(self.form[0])]
        return " ".join(words)


def entity(entity_id: str, schema: str, names: list[str], country: str, **more: list[str]) -> dict:
    properties = {"name": names[:1], **({"alias": names[1:]} if names[1:] else {}), "country": [country], **more}
    return {"id": entity_id, "schema": schema, "properties": properties}


def pair(query: str, entity_id: str, match: bool, category: str) -> dict:
    return {"query": query, "entity": entity_id, "label": "match" if match else "non-match", "category": category}


def hand_cases() -> tuple[list[dict], list[dict]]:
    doc = json.loads((DATA / "screening_hand.json").read_text(encoding="utf-8"))
    return doc["entities"], [{**p, "category": "hand"} for p in doc["pairs"]]


class Generator:
    """Firms, foreign companies and persons, each with its listing and its labelled queries."""

    def __init__(self, seed: int = SEED):
        self.rng = random.Random(seed)
        self.trades: set[str] = set()  # Pinyin of every trade name in use, so no two are read alike
        self.stems: set[str] = set()

    # --- Chinese firms ---------------------------------------------------------------------

    def trade(self, share: str = "", length: int = 2) -> str:
        """A new trade name (its reading unused); sharing a character of `share` if given."""
        chars = list(TRADE)
        for _ in range(1000):
            if share:
                keep = self.rng.randrange(len(share))
                name = "".join(share[i] if i == keep else self.rng.choice(chars) for i in range(len(share)))
            else:
                name = "".join(self.rng.sample(chars, length))
            reading = "".join(plain(TRADE[c]) for c in name)
            if reading not in self.trades:
                self.trades.add(reading)
                return name
        raise RuntimeError("trade names exhausted")

    def firm(self) -> Firm:
        rng = self.rng
        if rng.random() < 0.06:
            trade_words = rng.choice(["国际贸易", "贸易", "进出口", "供应链管理"])
            industry = next(i for i in INDUSTRY if i[0] == trade_words)
            return Firm(("香港", "Hong Kong", "hk"), self.trade(), industry, FORMS[0])
        return Firm(
            rng.choice(PLACES),
            self.trade(length=3 if rng.random() < 0.1 else 2),
            rng.choice(INDUSTRY),
            rng.choice(FORMS),
        )

    def listing(self, firm: Firm) -> list[str]:
        rng = self.rng
        english = firm.english(rng, brackets=rng.random() < 0.1)
        english = english.upper() if rng.random() < 0.25 else english
        roll = rng.random()
        return [firm.chinese()] if roll < 0.15 else [english, firm.chinese()] if roll < 0.75 else [english]

    def firm_query(self, firm: Firm, category: str) -> str:
        rng = self.rng
        if category == "chinese-simplified":
            return firm.chinese(place=rng.random() < 0.85, form=rng.random() < 0.6)
        if category == "traditional":
            return traditional(firm.chinese(place=rng.random() < 0.85, form=rng.random() < 0.6))
        if category == "pinyin":
            return firm.pinyin(rng, form=rng.random() < 0.4)
        if category == "english":
            text = firm.english(rng, form=rng.random() < 0.7)
            return rng.choice([text.upper(), text.lower(), re.sub(r"[.,&()-]", " ", text)])
        if category == "suffix-variant":
            if rng.random() < 0.5:
                return firm.english(rng, form=rng.random() < 0.6)
            return firm.chinese(place=True, form=False) + rng.choice(FORMS)[0]
        if category == "typo":
            return typo(rng, firm.english(rng, form=rng.random() < 0.5, place=rng.random() < 0.8))
        if category == "word-order":
            if rng.random() < 0.5 or firm.place[0] == "香港":
                return firm.english(rng, brackets=True, form=rng.random() < 0.6)
            return f"{firm.trade_en()} {rng.choice(firm.industry[1])} {firm.place[1]}"
        return rng.choice([f"{firm.trade_en()} {rng.choice(firm.industry[1])}", firm.trade + firm.industry[0]])

    def decoy(self, firm: Firm, kind: str) -> Firm:
        if kind == "trade":
            return Firm(firm.place, self.trade(share=firm.trade), firm.industry, firm.form)
        if kind == "longer":  # 金龙 and 金龙达
            for _ in range(100):
                longer = firm.trade + self.rng.choice(list(TRADE))
                reading = "".join(plain(TRADE[c]) for c in longer)
                if reading not in self.trades:
                    self.trades.add(reading)
                    return Firm(firm.place, longer, firm.industry, firm.form)
        same_province = [p for p in PLACES if p[2] == firm.place[2] and p != firm.place]
        other = [p for p in PLACES if p != firm.place]
        place = self.rng.choice(same_province if same_province and self.rng.random() < 0.5 else other)
        return Firm(place, firm.trade, firm.industry, firm.form)

    def decoy_query(self, decoy: Firm) -> str:
        rng = self.rng
        return rng.choice(
            [
                decoy.chinese(form=rng.random() < 0.5),
                decoy.english(rng, form=rng.random() < 0.6),
                traditional(decoy.chinese()),
                decoy.pinyin(rng, form=False),
            ]
        )

    def chinese_firms(self, n: int) -> Iterator[tuple[dict, list[dict]]]:
        categories = [
            "chinese-simplified",
            "traditional",
            "pinyin",
            "english",
            "suffix-variant",
            "typo",
            "word-order",
            "short-name",
        ]
        for i in range(n):
            firm, eid = self.firm(), f"cn-{i:04d}"
            listed = [entity(eid, "Company", self.listing(firm), "hk" if firm.place[0] == "香港" else "cn")]
            pairs = [pair(self.firm_query(firm, c), eid, True, c) for c in self.rng.sample(categories, 3)]
            for kind, chance in (("trade", 0.55), ("place", 0.4), ("longer", 0.2)):
                if self.rng.random() < chance and (kind == "trade" or firm.place[0] != "香港"):
                    decoy = self.decoy(firm, kind)
                    if kind == "place":
                        query = self.rng.choice([decoy.chinese(form=False), decoy.english(self.rng)])
                    else:
                        query = self.decoy_query(decoy)
                    pairs.append(pair(query, eid, False, f"hard-negative-{kind}"))
                    if self.rng.random() < 0.3:
                        listed.append(entity(f"{eid}-d{kind[0]}", "Company", self.listing(decoy), "cn"))
            yield listed, pairs

    # --- foreign firms ----------------------------------------------------------------------

    def stem(self, like: str = "") -> str:
        rng = self.rng
        for _ in range(1000):
            if like:  # two letters changed, the first kept: two slips apart, not one
                letters = list(like)
                for i in rng.sample(range(1, len(like)), 2):
                    letters[i] = rng.choice([c for c in "aeioulnrstvkmdg" if c != letters[i]])
                word = "".join(letters)
                if OSA.distance(word, like) < 2:
                    continue
            else:
                word = rng.choice(FOREIGN_START) + rng.choice(FOREIGN_END)
            if word not in self.stems:
                self.stems.add(word)
                return word
        raise RuntimeError("stems exhausted")

    def foreign_firms(self, n: int) -> Iterator[tuple[dict, list[dict]]]:
        rng = self.rng
        for i in range(n):
            country = rng.choice(list(FOREIGN_FORMS))
            stem, industry, form = self.stem(), rng.choice(FOREIGN_INDUSTRY), rng.choice(FOREIGN_FORMS[country])
            prefixed = country == "ru" and rng.random() < 0.5
            name = f"{form} {stem} {industry}" if prefixed else f"{stem} {industry} {form}"
            eid = f"fx-{i:04d}"
            listed = entity(eid, "Company", [name.upper() if rng.random() < 0.25 else name], country)
            other = rng.choice([f for f in FOREIGN_FORMS[country] if f != form] or [""])
            queries = {
                "suffix-variant": f"{stem} {industry} {other}".strip(),
                "typo": typo(rng, name),
                "english": rng.choice([name.lower(), name.upper()]),
                "short-name": f"{stem} {industry}",
            }
            if country == "ru":  # Russian forms stand before or after the name
                queries["word-order"] = f"{stem} {industry} {form}" if prefixed else f"{form} {stem} {industry}"
            pairs = [pair(queries[c], eid, True, c) for c in rng.sample(sorted(queries), 3)]
            if rng.random() < 0.8:
                decoy = self.stem(like=stem)
                pairs.append(
                    pair(
                        f"{decoy} {industry} {rng.choice(FOREIGN_FORMS[country])}", eid, False, "hard-negative-foreign"
                    )
                )
            yield [listed], pairs

    # --- persons ----------------------------------------------------------------------------

    def chinese_persons(self, n: int) -> Iterator[tuple[dict, list[dict]]]:
        rng, used = self.rng, set()
        for i in range(n):
            while True:
                family = rng.choice(list(SURNAMES))
                given = "".join(rng.sample(list(GIVEN), 2 if rng.random() < 0.75 else 1))
                if family + given not in used:
                    used.add(family + given)
                    break
            fam, giv = plain(SURNAMES[family]).capitalize(), "".join(plain(GIVEN[c]) for c in given).capitalize()
            roll, eid = rng.random(), f"pc-{i:04d}"
            latin = f"{fam.upper()} {giv}" if roll < 0.5 else f"{fam} {giv}"
            names = [family + given] if roll > 0.85 else [latin, family + given] if rng.random() < 0.6 else [latin]
            listed = entity(eid, "Person", names, "cn")
            syllables = " ".join([fam, *(plain(GIVEN[c]).capitalize() for c in given)])
            marks = toned(SURNAMES[family]).capitalize() + " " + "".join(toned(GIVEN[c]) for c in given).capitalize()
            queries = {
                "chinese-simplified": family + given,
                "traditional": traditional(family + given),
                "word-order": f"{giv} {fam}",
                "pinyin": rng.choice([syllables, marks, f"{fam}{giv}".lower()]),
                "typo": typo(rng, f"{fam} {giv}"),
            }
            pairs = [pair(queries[c], eid, True, f"person-{c}") for c in rng.sample(sorted(queries), 3)]
            if rng.random() < 0.85:
                if len(given) == 2 and rng.random() < 0.7:
                    keep = rng.randrange(2)
                    swap = rng.choice([c for c in GIVEN if plain(GIVEN[c]) != plain(GIVEN[given[1 - keep]])])
                    other = family + (given[0] + swap if keep == 0 else swap + given[1])
                else:
                    other = rng.choice([s for s in SURNAMES if plain(SURNAMES[s]) != plain(SURNAMES[family])]) + given
                fam_len = 2 if other[:2] in SURNAMES else 1
                romanised = (
                    plain(SURNAMES[other[:fam_len]]).capitalize()
                    + " "
                    + "".join(plain(GIVEN[c]) for c in other[fam_len:]).capitalize()
                )
                pairs.append(pair(rng.choice([other, romanised]), eid, False, "hard-negative-person"))
            yield [listed], pairs

    def other_persons(self, n: int) -> Iterator[tuple[dict, list[dict]]]:
        rng, used = self.rng, set()
        for i in range(n):
            while (first := rng.choice(FIRST), last := rng.choice(list(LAST))) in used:
                pass
            used.add((first, last))
            eid = f"po-{i:04d}"
            listed = entity(
                eid,
                "Person",
                [f"{last.upper()}, {first}" if rng.random() < 0.3 else f"{first} {last}"],
                rng.choice(["ru", "ir", "us"]),
            )
            queries = {
                "word-order": f"{last} {first}",
                "typo": typo(rng, f"{first} {last}"),
                "english": f"{first} {last}".upper(),
            }
            pairs = [pair(queries[c], eid, True, f"person-{c}") for c in rng.sample(sorted(queries), 2)]
            if rng.random() < 0.8:
                pairs.append(pair(f"{first} {rng.choice(LAST[last].split(','))}", eid, False, "hard-negative-person"))
            yield [listed], pairs


def labelled_set(seed: int = SEED) -> tuple[list[dict], list[dict]]:
    """(entities in FollowTheMoney form, labelled pairs), the hand-made cases included."""
    gen = Generator(seed)
    entities, pairs = hand_cases()
    for batch in (gen.chinese_firms(650), gen.foreign_firms(180), gen.chinese_persons(180), gen.other_persons(90)):
        for listed, labelled in batch:
            entities.extend(listed)
            pairs.extend(labelled)
    rng = random.Random(seed + 1)
    ids = [e["id"] for e in entities if e["schema"] != "Address"]
    matches = [p for p in pairs if p["label"] == "match"]
    for _ in range(150):  # plain unrelated names: the easy negatives every list sees most
        source = rng.choice(matches)
        pairs.append(pair(source["query"], rng.choice([i for i in ids if i != source["entity"]]), False, "unrelated"))
    return entities, pairs


def filler(n: int, seed: int = SEED + 7) -> Iterator[dict]:
    """`n` more listed entities, made the same way, for a list of realistic size."""
    gen = Generator(seed)
    rng = gen.rng
    for i in range(n):
        roll = rng.random()
        if roll < 0.6:
            firm = Firm(
                rng.choice(PLACES),
                "".join(rng.sample(list(TRADE), 3 if rng.random() < 0.5 else 2)),
                rng.choice(INDUSTRY),
                rng.choice(FORMS),
            )
            yield entity(f"fill-{i:06d}", "Company", gen.listing(firm), "cn")
        elif roll < 0.8:
            stem = rng.choice(FOREIGN_START) + rng.choice(FOREIGN_END) + rng.choice(["", "a", "on", "is", "ex"])
            yield entity(f"fill-{i:06d}", "Company", [f"{stem} {rng.choice(FOREIGN_INDUSTRY)} Ltd"], "us")
        else:
            family, given = rng.choice(list(SURNAMES)), "".join(rng.sample(list(GIVEN), 2))
            name = plain(SURNAMES[family]).upper() + " " + "".join(plain(GIVEN[c]) for c in given).capitalize()
            yield entity(f"fill-{i:06d}", "Person", [name, family + given], "cn")


def write(directory: Path = DATA, seed: int = SEED) -> tuple[Path, Path]:
    entities, pairs = labelled_set(seed)
    directory.mkdir(parents=True, exist_ok=True)
    listing, labelled = directory / "screening_entities.ftm.jsonl", directory / "screening_pairs.jsonl"
    listing.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entities), encoding="utf-8")
    labelled.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in pairs), encoding="utf-8")
    return listing, labelled


if __name__ == "__main__":
    for path in write():
        print(f"wrote {path} ({sum(1 for _ in path.open(encoding='utf-8')):,} lines)")
    sys.exit(0)
