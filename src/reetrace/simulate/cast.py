"""The enterprises of a national year: the quota holders of the two state groups upstream, and
hundreds of metal works, magnet makers, traders, exporters and users downstream.

Upstream follows where the real mining and separation quotas are held: Bayan Obo and its
separation plants (China Northern Rare Earth, in Baotou and Baiyin), the Sichuan and Shandong
bastnaesite mines and plants and the ion-adsorption mines and plants of seven southern
provinces (China Rare Earth Group). The names are invented; the places, groups and deposit
types are real. Downstream enterprises get sizes from a long-tailed distribution.

At a fraction of a national year fewer enterprises take part (the largest holders first; the
count shrinks with the square root of the scale), so that each still has work to do.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any

from reetrace.demo.cast import _ROLES, CREG, NORTHERN, Actor, make_uscc, signing_key, site_entry
from reetrace.demo.chemistry import mine_profile

ROLES = {
    **_ROLES,
    "catalyst": ("催化材料有限公司", "Catalyst Materials Co., Ltd.", (), "plant"),
    "battery": ("储氢材料有限公司", "Hydrogen Storage Materials Co., Ltd.", (), "plant"),
    "ceramics": ("精细陶瓷有限公司", "Advanced Ceramics Co., Ltd.", (), "plant"),
}
CONSUMERS = ("motor", "polishing", "catalyst", "battery", "ceramics")

# (city zh, city en, province, administrative division code)
Place = tuple[str, str, str, str]
BAOTOU = [("包头", "Baotou", "Inner Mongolia", d) for d in ("150207", "150203", "150204", "150202")]
GANZHOU = [("赣州", "Ganzhou", "Jiangxi", d) for d in ("360702", "360703", "360704")]
_P = {
    "ningbo": [("宁波", "Ningbo", "Zhejiang", d) for d in ("330206", "330212", "330282", "330281", "330211")],
    "shanghai": [("上海", "Shanghai", "Shanghai", d) for d in ("310115", "310106", "310112")],
    "tianjin": [("天津", "Tianjin", "Tianjin", "120116")],
    "beijing": [("北京", "Beijing", "Beijing", "110108")],
    "taiyuan": [("太原", "Taiyuan", "Shanxi", "140105")],
    "hangzhou": [("杭州", "Hangzhou", "Zhejiang", "330110")],
    "shenzhen": [("深圳", "Shenzhen", "Guangdong", "440306")],
    "xiamen": [("厦门", "Xiamen", "Fujian", "350206")],
    "changzhou": [("常州", "Changzhou", "Jiangsu", "320411")],
    "wuxi": [("无锡", "Wuxi", "Jiangsu", "320214")],
    "suzhou": [("苏州", "Suzhou", "Jiangsu", "320505")],
    "hefei": [("合肥", "Hefei", "Anhui", "340111")],
    "huizhou": [("惠州", "Huizhou", "Guangdong", "441302")],
    "qingdao": [("青岛", "Qingdao", "Shandong", "370211")],
    "guangzhou": [("广州", "Guangzhou", "Guangdong", "440112")],
    "changsha": [("长沙", "Changsha", "Hunan", "430104")],
    "chengdu": [("成都", "Chengdu", "Sichuan", "510116")],
    "chongqing": [("重庆", "Chongqing", "Chongqing", "500112")],
    "xian": [("西安", "Xi'an", "Shaanxi", "610113")],
    "wuhan": [("武汉", "Wuhan", "Hubei", "420111")],
    "foshan": [("佛山", "Foshan", "Guangdong", "440606")],
    "zibo": [("淄博", "Zibo", "Shandong", "370303")],
    "leshan": [("乐山", "Leshan", "Sichuan", "511102")],
    "longyan": [("龙岩", "Longyan", "Fujian", "350802")],
    "yongzhou": [("永州", "Yongzhou", "Hunan", "431103")],
    "yixing": [("宜兴", "Yixing", "Jiangsu", "320282")],
    "baotou": BAOTOU,
    "ganzhou": GANZHOU,
}

# Mining quota holders: group, place, deposit, weight within its category, Y share of its clays
MINES: list[tuple[str, Place, str, float, float]] = [
    (NORTHERN, ("白云鄂博", "Bayan Obo", "Inner Mongolia", "150206"), "bayan_obo", 0.44, 0),
    (NORTHERN, ("白云鄂博", "Bayan Obo", "Inner Mongolia", "150206"), "bayan_obo", 0.36, 0),
    (CREG, ("冕宁", "Mianning", "Sichuan", "513433"), "sichuan", 0.08, 0),
    (CREG, ("冕宁", "Mianning", "Sichuan", "513433"), "sichuan", 0.04, 0),
    (CREG, ("德昌", "Dechang", "Sichuan", "513424"), "sichuan", 0.04, 0),
    (CREG, ("微山", "Weishan", "Shandong", "370826"), "sichuan", 0.04, 0),  # bastnaesite, like Sichuan's
    (CREG, ("龙南", "Longnan", "Jiangxi", "360727"), "ion", 0.10, 0.55),
    (CREG, ("寻乌", "Xunwu", "Jiangxi", "360734"), "ion", 0.08, 0.27),
    (CREG, ("长汀", "Changting", "Fujian", "350821"), "ion", 0.08, 0.40),
    (CREG, ("江华", "Jianghua", "Hunan", "431129"), "ion", 0.08, 0.42),
    (CREG, ("定南", "Dingnan", "Jiangxi", "360728"), "ion", 0.07, 0.40),
    (CREG, ("平远", "Pingyuan", "Guangdong", "441426"), "ion", 0.07, 0.36),
    (CREG, ("崇左", "Chongzuo", "Guangxi", "451402"), "ion", 0.07, 0.30),
    (CREG, ("龙陵", "Longling", "Yunnan", "530523"), "ion", 0.07, 0.35),
    (CREG, ("安远", "Anyuan", "Jiangxi", "360726"), "ion", 0.05, 0.35),
    (CREG, ("全南", "Quannan", "Jiangxi", "360729"), "ion", 0.05, 0.45),
    (CREG, ("和平", "Heping", "Guangdong", "441624"), "ion", 0.05, 0.40),
    (CREG, ("宁化", "Ninghua", "Fujian", "350424"), "ion", 0.05, 0.38),
    (CREG, ("贺州", "Hezhou", "Guangxi", "451102"), "ion", 0.05, 0.33),
    (CREG, ("信丰", "Xinfeng", "Jiangxi", "360722"), "ion", 0.04, 0.35),
    (CREG, ("新丰", "Xinfeng", "Guangdong", "440233"), "ion", 0.04, 0.38),
]
# Separation quota holders: group, place, the deposit type they separate, weight within it
PLANTS: list[tuple[str, Place, str, float]] = [
    (NORTHERN, BAOTOU[0], "bayan_obo", 0.18),
    (NORTHERN, BAOTOU[0], "bayan_obo", 0.15),
    (NORTHERN, ("白银", "Baiyin", "Gansu", "620402"), "bayan_obo", 0.14),
    (NORTHERN, BAOTOU[0], "bayan_obo", 0.13),
    (NORTHERN, BAOTOU[1], "bayan_obo", 0.12),
    (NORTHERN, BAOTOU[1], "bayan_obo", 0.10),
    (NORTHERN, BAOTOU[2], "bayan_obo", 0.10),
    (NORTHERN, BAOTOU[3], "bayan_obo", 0.08),
    (CREG, _P["leshan"][0], "sichuan", 0.35),
    (CREG, ("冕宁", "Mianning", "Sichuan", "513433"), "sichuan", 0.25),
    (CREG, ("乐山", "Leshan", "Sichuan", "511112"), "sichuan", 0.20),
    (CREG, _P["zibo"][0], "sichuan", 0.20),
    (CREG, GANZHOU[0], "ion", 0.12),
    (CREG, _P["longyan"][0], "ion", 0.11),
    (CREG, GANZHOU[1], "ion", 0.10),
    (CREG, GANZHOU[2], "ion", 0.09),
    (CREG, ("龙南", "Longnan", "Jiangxi", "360727"), "ion", 0.08),
    (CREG, ("梅州", "Meizhou", "Guangdong", "441402"), "ion", 0.08),
    (CREG, _P["yongzhou"][0], "ion", 0.08),
    (CREG, _P["yixing"][0], "ion", 0.08),
    (CREG, ("梧州", "Wuzhou", "Guangxi", "450403"), "ion", 0.07),
    (CREG, ("安宁", "Anning", "Yunnan", "530181"), "ion", 0.07),
    (CREG, ("河源", "Heyuan", "Guangdong", "441602"), "ion", 0.06),
    (CREG, ("寻乌", "Xunwu", "Jiangxi", "360734"), "ion", 0.06),
]
LEAST_MINES = {"bayan_obo": 1, "sichuan": 1, "ion": 3}
# role -> (enterprises in a national year, fewest at any scale, where they are)
DOWNSTREAM: dict[str, tuple[int, int, list[str]]] = {
    "metal": (24, 2, ["baotou", "ganzhou", "baotou", "ganzhou", "leshan", "longyan", "ningbo", "yongzhou"]),
    "magnet": (
        180,
        4,
        [
            "ningbo",
            "ningbo",
            "baotou",
            "ganzhou",
            "tianjin",
            "beijing",
            "taiyuan",
            "hangzhou",
            "shenzhen",
            "xiamen",
            "changzhou",
            "wuxi",
            "shanghai",
            "hefei",
            "huizhou",
            "ningbo",
        ],
    ),
    "exporter": (40, 2, ["shanghai", "ningbo", "xiamen", "tianjin", "qingdao", "shenzhen", "guangzhou"]),
    "trader": (60, 2, ["baotou", "ganzhou", "shanghai", "ningbo", "beijing", "guangzhou", "changsha", "chengdu"]),
    "motor": (
        150,
        3,
        [
            "changzhou",
            "shanghai",
            "shenzhen",
            "hefei",
            "chongqing",
            "xian",
            "wuhan",
            "foshan",
            "hangzhou",
            "tianjin",
            "huizhou",
            "suzhou",
        ],
    ),
    "polishing": (40, 2, ["baotou", "shanghai", "suzhou", "shenzhen", "hefei", "chengdu"]),
    "catalyst": (30, 1, ["zibo", "shanghai", "tianjin", "guangzhou", "chengdu"]),
    "battery": (20, 1, ["shenzhen", "changsha", "foshan", "baotou"]),
    "ceramics": (20, 1, ["suzhou", "foshan", "ganzhou", "xiamen"]),
    "recycler": (12, 1, ["ganzhou", "ningbo", "baotou", "ganzhou", "longyan", "shanghai"]),
}
PREFIX = {
    "mine": "MN",
    "separation": "SP",
    "metal": "MT",
    "magnet": "MG",
    "exporter": "EX",
    "trader": "TR",
    "motor": "MO",
    "polishing": "PL",
    "catalyst": "CA",
    "battery": "BA",
    "ceramics": "CE",
    "recycler": "RC",
}
STEMS = [
    ("恒鑫", "Hengxin"),
    ("瑞达", "Ruida"),
    ("金泰", "Jintai"),
    ("华星", "Huaxing"),
    ("元丰", "Yuanfeng"),
    ("天润", "Tianrun"),
    ("宏远", "Hongyuan"),
    ("永盛", "Yongsheng"),
    ("嘉和", "Jiahe"),
    ("博通", "Botong"),
    ("鼎新", "Dingxin"),
    ("凯达", "Kaida"),
    ("中磁", "Zhongci"),
    ("安泰", "Antai"),
    ("正海", "Zhenghai"),
    ("英洛", "Yingluo"),
    ("科宁", "Kening"),
    ("韵升", "Yunsheng"),
    ("北方", "Beifang"),
    ("东辰", "Dongchen"),
    ("盛和", "Shenghe"),
    ("广晟", "Guangsheng"),
    ("华宏", "Huahong"),
    ("银海", "Yinhai"),
    ("晨光", "Chenguang"),
    ("鑫源", "Xinyuan"),
    ("远景", "Yuanjing"),
    ("立德", "Lide"),
    ("宝鼎", "Baoding"),
    ("海纳", "Haina"),
    ("致远", "Zhiyuan"),
    ("汇丰", "Huifeng"),
    ("新瑞", "Xinrui"),
    ("同创", "Tongchuang"),
    ("明阳", "Mingyang"),
    ("协鑫", "Xiexin"),
    ("金达", "Jinda"),
    ("恒通", "Hengtong"),
    ("昌盛", "Changsheng"),
    ("德润", "Derun"),
]


@dataclass
class Cast:
    actors: list[Actor]
    expiring: dict[str, str]  # actor key -> the day its mining qualification ends (filled in by the simulation)

    def of(self, role: str) -> list[Actor]:
        return [a for a in self.actors if a.role == role]


def headcount(full: int, scale: float, least: int) -> int:
    """How many of `full` enterprises take part at this scale."""
    return max(min(least, full), min(full, round(full * math.sqrt(min(scale, 1.0)))))


def _largest(rows: list, weight: int, count: int) -> list:
    return sorted(rows, key=lambda r: -r[weight])[:count]


def _actor(
    rng: random.Random,
    seed: int,
    year: int,
    used: set[str],
    role: str,
    index: int,
    place: Place,
    stem: tuple[str, str],
    group: str | None,
    deposit: str | None,
    share: float,
    y_share: float = 0.0,
) -> Actor:
    city_zh, city_en, province, division = place
    code = make_uscc(rng, division)
    while code in used:
        code = make_uscc(rng, division)
    used.add(code)
    zh_suffix, en_suffix, kinds, site_kind = ROLES[role]
    prefix = f"{PREFIX[role]}{index:03d}"
    actor = Actor(
        key=prefix,
        role=role,
        uscc=code,
        name=f"{city_zh}{stem[0]}{zh_suffix}",
        name_en=f"{city_en} {stem[1]} {en_suffix}",
        province=province,
        group=group,
        prefix=prefix,
        deposit=deposit,
        y_share=y_share,
        private_key=signing_key(seed, code),
        site={"mine": "M1", "plant": "P1", "warehouse": "W1"}[site_kind],
        share=share,
    )
    actor.qualifications = [(k, f"{year - 3}-01-01", f"{year + 2}-12-31") for k in kinds]
    return actor


def build_cast(rng: random.Random, seed: int, scale: float, year: int) -> Cast:
    """The enterprises of a year at `scale`; `share` is each one's share of its pool (mines: of
    their quota category; plants: of their deposit type; others: of their role)."""
    used: set[str] = set()
    actors: list[Actor] = []
    stems = iter(STEMS * 40)
    kept = [
        row
        for deposit in ("bayan_obo", "sichuan", "ion")
        for row in _largest(
            [r for r in MINES if r[2] == deposit],
            3,
            headcount(sum(r[2] == deposit for r in MINES), scale, LEAST_MINES[deposit]),
        )
    ]
    for group, place, deposit, weight, y_share in kept:
        total = sum(r[3] for r in kept if (r[2] == "ion") == (deposit == "ion"))  # within its category
        mine = _actor(
            rng,
            seed,
            year,
            used,
            "mine",
            len(actors) + 1,
            place,
            next(stems),
            group,
            deposit,
            weight / total,
            y_share * rng.uniform(0.95, 1.05),
        )
        mine.profile = mine_profile(rng, deposit, mine.y_share)
        actors.append(mine)
    mines = len(actors)
    for deposit in ("bayan_obo", "sichuan", "ion"):
        rows = [r for r in PLANTS if r[2] == deposit]
        plants = _largest(rows, 3, headcount(len(rows), scale, 1))
        total = sum(r[3] for r in plants)
        for group, place, _, weight in plants:
            actors.append(
                _actor(
                    rng,
                    seed,
                    year,
                    used,
                    "separation",
                    len(actors) - mines + 1,
                    place,
                    next(stems),
                    group,
                    deposit,
                    weight / total,
                )
            )
    for role, (full, least, cities) in DOWNSTREAM.items():
        count = headcount(full, scale, least)
        weights = [1 / (i + 1) ** 0.8 for i in range(count)]
        rng.shuffle(weights)
        total = sum(weights)
        names: set[tuple[str, str]] = set()
        for i in range(count):
            places = _P[cities[i % len(cities)]]
            place = places[(i // len(cities)) % len(places)]
            n = i // len(cities) + 7 * (i % len(cities))
            for _ in range(len(STEMS)):  # the next stem not yet taken in that city
                if (place[0], STEMS[n % len(STEMS)][0]) not in names:
                    break
                n += 1
            stem = STEMS[n % len(STEMS)]
            names.add((place[0], stem[0]))
            group = (
                (NORTHERN if place[1] == "Baotou" else CREG if place[1] == "Ganzhou" else None)
                if role == "metal"
                else None
            )
            actors.append(_actor(rng, seed, year, used, role, i + 1, place, stem, group, None, weights[i] / total))
    return Cast(actors, {})


def site_entries(actor: Actor, capacity_t: float | None = None) -> list[dict[str, Any]]:
    return [site_entry(actor, ROLES[actor.role][3], capacity_t)]


def allocate(total: float, weights: list[float], unit: float) -> list[float]:
    """Split `total` by `weights` into whole `unit`s that add up to it exactly (largest remainder)."""
    units = round(total / unit)
    raw = [units * w / sum(weights) for w in weights]
    parts = [math.floor(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (parts[i] - raw[i], i))
    for i in order[: units - sum(parts)]:
        parts[i] += 1
    return [round(p * unit, 3) for p in parts]
