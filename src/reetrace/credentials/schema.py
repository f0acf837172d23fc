"""The UNTP 0.6.1 JSON Schemas (draft 2020-12) of the Digital Product Passport and the Digital
Traceability Event, as UN/CEFACT publishes them (src/reetrace/data/credentials/), with format
checking on: every credential issued is held to its schema, as a whole, and so is every credential
a verifier is handed.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import jsonschema_rs

from reetrace.epcis.schema import SchemaError, short_message

LIMIT = 3  # schema errors said of one credential: the first few are what a reader can act on
DPP = "untp-dpp-schema.json"
DTE = "untp-dte-schema.json"


class SchemaViolation(ValueError):
    """A credential that breaks its UNTP schema; `errors` says where (the first few)."""

    def __init__(self, schema: str, errors: list[SchemaError]):
        super().__init__(f"{schema}: " + "; ".join(str(e) for e in errors))
        self.schema = schema
        self.errors = errors


@cache
def _validator(schema: str) -> Any:
    text = resources.files("reetrace.data").joinpath("credentials", schema).read_text("utf-8")
    return jsonschema_rs.Draft202012Validator(json.loads(text), validate_formats=True)


def schema_errors(credential: Any, schema: str = DPP, limit: int = LIMIT) -> list[SchemaError]:
    """Where `credential` breaks the UNTP schema `schema` (DPP or DTE); none when it keeps to it."""
    errors = []
    for error in _validator(schema).iter_errors(credential):
        errors.append(SchemaError(tuple(error.instance_path), short_message(error.message)))
        if len(errors) >= limit:
            break
    return errors


def validate_passport(credential: Any) -> list[SchemaError]:
    """Where `credential` breaks the UNTP Digital Product Passport schema; none when it keeps to it."""
    return schema_errors(credential, DPP)


def validate_traceability(credential: Any) -> list[SchemaError]:
    """Where `credential` breaks the UNTP Digital Traceability Event schema; none when it keeps to it."""
    return schema_errors(credential, DTE)


def check(credential: Any, schema: str = DPP) -> None:
    """Raise `SchemaViolation` unless `credential` keeps to the UNTP schema `schema`."""
    errors = schema_errors(credential, schema)
    if errors:
        raise SchemaViolation(schema, errors)
