"""The registry members a site gains with the evasion rules (CONTRACT §12: `deposit`, `profile`,
`capacity_t_reo`), which the generators write. Until the registry's validation knows them,
`loadable` leaves them out so that a generated registry still loads; once it does, it changes
nothing. `ACCEPTED` says which is the case."""

from __future__ import annotations

import copy
from typing import Any

from reetrace.contract.registry import SiteIn

SITE_ADDITIONS = ("deposit", "profile", "capacity_t_reo")
ACCEPTED = all(name in SiteIn.model_fields for name in SITE_ADDITIONS)


def loadable(registry: dict[str, Any]) -> dict[str, Any]:
    if ACCEPTED:
        return registry
    doc = copy.deepcopy(registry)
    for enterprise in doc["enterprises"]:
        for site in enterprise["sites"]:
            for name in SITE_ADDITIONS:
                site.pop(name, None)
    return doc
