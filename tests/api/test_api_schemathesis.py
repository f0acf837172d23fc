"""Property-based tests of the live API from its own OpenAPI document (schemathesis): whatever
the inputs, no operation answers with a server error. Bounded: a few examples per operation,
as a regulator (who may change most things) and as an enterprise's user (who submits).

The operations are driven one by one with hypothesis (`operation.as_strategy()`), not with
schemathesis' pytest plugin, whose fixture loader does not run under the pytest in use."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from test_api_isolation import api_routes

EXAMPLES = int(__import__("os").environ.get("API_FUZZ_EXAMPLES", "5"))


def call_every_way(operation, url: str, headers: dict[str, str], statuses: dict[str, set[int]]) -> None:
    """Call one operation with Hypothesis-generated cases, noting each status it answers."""

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case) -> None:
        response = case.call(base_url=url, headers=headers)
        statuses.setdefault(operation.label, set()).add(response.status_code)
        case.validate_response(response, checks=[not_a_server_error])

    run()


@pytest.mark.parametrize("user", ["regulator", "mine_user"])
def test_no_operation_answers_with_a_server_error(seeded, user):
    staff = {"Authorization": f"Bearer {seeded.tokens['regulator']}"}  # the document is for staff
    schema = schemathesis.openapi.from_url(f"{seeded.url}/openapi.json", headers=staff)
    headers = {"Authorization": f"Bearer {seeded.tokens[user]}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= len(api_routes(seeded.app))
    statuses: dict[str, set[int]] = {}

    for operation in operations:
        call_every_way(operation, seeded.url, headers, statuses)
    assert all(code < 500 for codes in statuses.values() for code in codes)
    assert len(statuses) == len(operations)  # every operation was called


def test_openapi_documents_every_api_route(seeded):
    with seeded.client("regulator") as staff:
        document = staff.get("/openapi.json").json()
    documented = {(m.upper(), p) for p, ops in document["paths"].items() for m in ops}
    assert api_routes(seeded.app) <= documented
