"""The UNTP 0.6.1 JSON Schemas (draft 2020-12) of the Digital Product Passport and the Digital
Traceability Event, as UN/CEFACT publishes them (src/reetrace/data/credentials/), with format
checking on: every credential issued is held to its schema, as a whole, and so is every credential
a verifier is handed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import jsonschema_rs

LIMIT = 3  # schema errors said of one credential: the first few are what a reader can act on
DPP = "untp-dpp-schema.json"
DTE = "untp-dte-schema.json"


@dataclass(frozen=True, slots=True)
class SchemaError:
    """One place where a credential breaks its schema: the path of member names and list
    positions (`at`), and the validator's sentence."""

    at: tuple[str | int, ...]
    message: str

    def where(self) -> str:
        """The place as a JSON Pointer (RFC 6901)."""
        return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in self.at) if self.at else ""

    def __str__(self) -> str:
        return f"{self.where() or '/'}: {self.message}"


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
        errors.append(SchemaError(tuple(error.instance_path), _short(error.message)))
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


def _short(message: str, width: int = 300) -> str:
    """The validator quotes the offending value whole: a long one is cut."""
    return message if len(message) <= width else message[: width - 1] + "…"
