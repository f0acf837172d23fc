"""The enterprises of the demo chain, their codes, keys and sites.

The names are invented; the two state groups and the places are real. Every enterprise gets a
valid Unified Social Credit Code (GB 32100-2015, with a GB 11714 organisation code inside it)
and one Ed25519 key derived from the seed, so the same seed always gives the same registry.
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from stdnum.cn import uscc as uscc_code

from reetrace.demo.chemistry import mine_profile

NORTHERN = "China Northern Rare Earth"
CREG = "China Rare Earth Group"

_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

# role -> (Chinese suffix, English suffix, qualifications, site kind)
_ROLES = {
    "mine": ("稀土矿业有限公司", "Rare Earth Mining Co., Ltd.", ("mining",), "mine"),
    "separation": ("稀土冶炼分离有限公司", "Rare Earth Smelting & Separation Co., Ltd.", ("separation",), "plant"),
    "metal": ("稀土金属有限公司", "Rare Earth Metals Co., Ltd.", ("metal",), "plant"),
    "magnet": ("磁材科技有限公司", "Magnetic Materials Co., Ltd.", ("magnet",), "plant"),
    "exporter": ("稀土进出口有限公司", "Rare Earth Import & Export Co., Ltd.", ("trade", "export"), "warehouse"),
    "trader": ("稀土贸易有限公司", "Rare Earth Trading Co., Ltd.", ("trade",), "warehouse"),
    "motor": ("电机有限公司", "Electric Motor Co., Ltd.", (), "plant"),
    "polishing": ("抛光材料有限公司", "Polishing Materials Co., Ltd.", (), "plant"),
    "recycler": ("稀土资源循环利用有限公司", "Rare Earth Recycling Co., Ltd.", ("recycling",), "plant"),
}

# key, role, city (zh, en), stem (zh, en), province, group, division code, lot prefix, deposit, Y share
_TEMPLATES = [
    (
        "byo",
        "mine",
        ("包头", "Baotou"),
        ("白云", "Baiyun"),
        "Inner Mongolia",
        NORTHERN,
        "150206",
        "BYO",
        "bayan_obo",
        0,
    ),
    ("bts", "separation", ("包头", "Baotou"), ("稀宝", "Xibao"), "Inner Mongolia", NORTHERN, "150207", "BTS", None, 0),
    ("btk", "separation", ("包头", "Baotou"), ("昆河", "Kunhe"), "Inner Mongolia", NORTHERN, "150203", "BTK", None, 0),
    ("btm", "metal", ("包头", "Baotou"), ("蒙晟", "Mengsheng"), "Inner Mongolia", NORTHERN, "150204", "BTM", None, 0),
    ("lnl", "mine", ("龙南", "Longnan"), ("龙岭", "Longling"), "Jiangxi", CREG, "360727", "LNL", "ion", 0.55),
    ("xwn", "mine", ("寻乌", "Xunwu"), ("南桥", "Nanqiao"), "Jiangxi", CREG, "360734", "XWN", "ion", 0.27),
    ("pym", "mine", ("平远", "Pingyuan"), ("梅岭", "Meiling"), "Guangdong", CREG, "441426", "PYM", "ion", 0.36),
    ("ctt", "mine", ("长汀", "Changting"), ("汀源", "Tingyuan"), "Fujian", CREG, "350821", "CTT", "ion", 0.40),
    ("mnm", "mine", ("冕宁", "Mianning"), ("牦牛", "Maoniu"), "Sichuan", CREG, "513433", "MNM", "sichuan", 0),
    ("gzs", "separation", ("赣州", "Ganzhou"), ("章贡", "Zhanggong"), "Jiangxi", CREG, "360702", "GZS", None, 0),
    ("lss", "separation", ("乐山", "Leshan"), ("岷江", "Minjiang"), "Sichuan", CREG, "511102", "LSS", None, 0),
    ("gzm", "metal", ("赣州", "Ganzhou"), ("虔城", "Qiancheng"), "Jiangxi", CREG, "360703", "GZM", None, 0),
    ("btn", "magnet", ("包头", "Baotou"), ("磁谷", "Cigu"), "Inner Mongolia", None, "150207", "BTN", None, 0),
    ("gzn", "magnet", ("赣州", "Ganzhou"), ("磁源", "Ciyuan"), "Jiangxi", None, "360704", "GZN", None, 0),
    ("nbn", "magnet", ("宁波", "Ningbo"), ("甬磁", "Yongci"), "Zhejiang", None, "330206", "NBN", None, 0),
    ("shx", "exporter", ("上海", "Shanghai"), ("浦晟", "Pusheng"), "Shanghai", None, "310115", "SHX", None, 0),
    ("xmx", "exporter", ("厦门", "Xiamen"), ("鹭磁", "Luci"), "Fujian", None, "350206", "XMX", None, 0),
    ("sht", "trader", ("上海", "Shanghai"), ("申稀", "Shenxi"), "Shanghai", None, "310106", "SHT", None, 0),
    ("czd", "motor", ("常州", "Changzhou"), ("驰电", "Chidian"), "Jiangsu", None, "320411", "CZD", None, 0),
    ("btp", "polishing", ("包头", "Baotou"), ("晶研", "Jingyan"), "Inner Mongolia", None, "150202", "BTP", None, 0),
    ("gzt", "trader", ("赣州", "Ganzhou"), ("赣源", "Ganyuan"), "Jiangxi", None, "360702", "GZT", None, 0),
    ("gzr", "recycler", ("赣州", "Ganzhou"), ("循源", "Xunyuan"), "Jiangxi", None, "360703", "GZR", None, 0),
]
PRODUCING = ("mine", "separation", "metal", "magnet", "recycler")  # roles whose sites have a capacity
# Roles that get more enterprises as the scale grows; the rest grow in throughput only.
_GROWING = ("mine", "separation", "metal", "magnet", "exporter", "motor")
_STEMS = [
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
]


@dataclass
class Actor:
    """An enterprise of the demo and what the simulation needs to know about it."""

    key: str  # internal handle: "byo", "gzn", "nbn2"
    role: str
    uscc: str
    name: str
    name_en: str
    province: str
    group: str | None
    prefix: str  # lot and shipment id prefix
    deposit: str | None
    y_share: float
    qualifications: list[tuple[str, str, str]] = field(default_factory=list)  # kind, from, to
    private_key: Ed25519PrivateKey | None = None
    site: str = "P1"
    share: float = 1.0  # this enterprise's share of its role's throughput
    profile: dict[str, float] | None = None  # a mine's registered REO shares (CONTRACT §12)

    @property
    def site_ref(self) -> str:
        return f"{self.uscc}/{self.site}"

    @property
    def worked_deposit(self) -> str:
        """The deposit a mine or a separation plant works; an error for any other enterprise."""
        if self.deposit is None:
            raise ValueError(f"{self.key} works no deposit")
        return self.deposit


def organisation_code(body: str) -> str:
    """GB 11714 organisation code: eight characters and their check character."""
    total = sum(_ORG_WEIGHTS[i] * int(c, 36) for i, c in enumerate(body))
    check = 11 - total % 11
    return body + ("X" if check == 10 else "0" if check == 11 else str(check))


def make_uscc(rng: random.Random, division: str) -> str:
    body = "MA" + "".join(rng.choice(_ALPHABET[:10] + "ABCDEFGHJKLMNPQRTUWXY") for _ in range(6))
    stem = "91" + division + organisation_code(body)
    code = stem + uscc_code.calc_check_digit(stem)
    assert uscc_code.is_valid(code), code
    return code


def signing_key(seed: int, uscc: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(f"{seed}:{uscc}".encode()).digest())


def replicas(scale: float) -> int:
    """How many enterprises of each growing role: one more each time the scale doubles."""
    return 1 + (int(math.log2(scale)) if scale >= 2 else 0)


def build_cast(rng: random.Random, seed: int, scale: float, year: int) -> list[Actor]:
    copies = replicas(scale)
    used: set[str] = set()
    actors = []
    stems = iter(_STEMS * 20)
    for key, role, city, stem, province, group, division, prefix, deposit, y_share in _TEMPLATES:
        count = copies if role in _GROWING and key not in ("byo", "mnm") else 1
        for n in range(1, count + 1):
            zh_stem, en_stem = stem if n == 1 else next(stems)
            zh_suffix, en_suffix, kinds, _ = _ROLES[role]
            code = make_uscc(rng, division)
            while code in used:
                code = make_uscc(rng, division)
            used.add(code)
            actor = Actor(
                key=key if n == 1 else f"{key}{n}",
                role=role,
                uscc=code,
                name=f"{city[0]}{zh_stem}{zh_suffix}",
                name_en=f"{city[1]} {en_stem} {en_suffix}",
                province=province,
                group=group,
                prefix=prefix if n == 1 else f"{prefix}{n}",
                deposit=deposit,
                y_share=y_share * rng.uniform(0.95, 1.05),
                private_key=signing_key(seed, code),
                site="M1" if role == "mine" else "P1" if _ROLES[role][3] == "plant" else "W1",
            )
            actor.share = 1.0 / count
            if role == "mine" and deposit is not None:
                actor.profile = mine_profile(rng, deposit, actor.y_share)
            actor.qualifications = [(k, f"{year - 3}-01-01", f"{year + 2}-12-31") for k in kinds]
            actors.append(actor)
    return actors


def site_entries(actor: Actor, capacity_t: float | None = None) -> list[dict[str, Any]]:
    return [site_entry(actor, _ROLES[actor.role][3], capacity_t)]


def site_entry(actor: Actor, kind: str, capacity_t: float | None) -> dict[str, Any]:
    """The enterprise's one site as the registry lists it: a mine with its deposit and registered
    profile, a producing site with its capacity (t REO a year) when it has one."""
    names = {"mine": "Mine and beneficiation plant", "plant": "Main plant", "warehouse": "Bonded warehouse"}
    site: dict[str, Any] = {"code": actor.site, "kind": kind, "name": names[kind], "province": actor.province}
    if actor.role == "mine":
        site["deposit"] = "ion_adsorption" if actor.deposit == "ion" else "rock"
        site["profile"] = actor.profile
    if capacity_t is not None:
        site["capacity_t_reo"] = capacity_t
    return site
