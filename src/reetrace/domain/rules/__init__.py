"""The rules of the audit, one module per family of findings (docs/contract.md §5).

Each rule is a class built with the `AuditContext` (see `base`); `RULES` lists them in the order
they see each event.
"""

from reetrace.domain.rules.authorization import Authorization
from reetrace.domain.rules.balance import Balance
from reetrace.domain.rules.capacity import Capacity
from reetrace.domain.rules.composition import Composition
from reetrace.domain.rules.custody import Custody
from reetrace.domain.rules.customs import Customs
from reetrace.domain.rules.descent import Descent
from reetrace.domain.rules.licensing import Licensing
from reetrace.domain.rules.quotas import Quotas
from reetrace.domain.rules.reporting import Reporting
from reetrace.domain.rules.transfers import Transfers

RULES = (
    Authorization,
    Quotas,
    Balance,
    Custody,
    Transfers,
    Licensing,
    Reporting,
    Customs,
    Composition,
    Capacity,
    Descent,
)

__all__ = [
    "RULES",
    "Authorization",
    "Balance",
    "Capacity",
    "Composition",
    "Custody",
    "Customs",
    "Descent",
    "Licensing",
    "Quotas",
    "Reporting",
    "Transfers",
]
