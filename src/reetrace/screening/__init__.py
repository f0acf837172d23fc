"""Restricted-party screening: names normalised to one Latin form (rigour for Latin script,
OpenCC and pypinyin for Chinese, a small domain vocabulary), scored so that the distinctive
words decide (rapidfuzz), and an in-memory index that finds the candidates without a scan.

Pure Python and those libraries: no database, no framework. The store keeps the lists; the
services build a `ScreeningIndex` from them once per process and list versions.
"""

from reetrace.screening.index import (
    SCREENED_SCHEMAS,
    ListedEntity,
    Match,
    ScreeningIndex,
    entity_keys,
)
from reetrace.screening.normalise import NameKey, org_keys, person_keys
from reetrace.screening.score import score

__all__ = [
    "SCREENED_SCHEMAS",
    "ListedEntity",
    "Match",
    "NameKey",
    "ScreeningIndex",
    "entity_keys",
    "org_keys",
    "person_keys",
    "score",
]
