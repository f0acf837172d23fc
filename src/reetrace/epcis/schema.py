"""The EPCIS 2.0 JSON Schema, as GS1 publishes it (src/reetrace/data/epcis/), with format
checking on: every document captured is held to it before anything in it is read, and every
document written is checked by the suite against it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import jsonschema_rs

LIMIT = 3  # schema errors said of one document: the first few are what a reader can act on


@dataclass(frozen=True, slots=True)
class SchemaError:
    """One place where a document breaks its JSON Schema (EPCIS's here, UNTP's for credentials):
    the path of member names and list positions (`at`), and the validator's sentence."""

    at: tuple[str | int, ...]
    message: str

    def where(self) -> str:
        """The place as a JSON Pointer (RFC 6901), as EPCIS tools print it."""
        return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in self.at) if self.at else ""

    def __str__(self) -> str:
        return f"{self.where() or '/'}: {self.message}"


@cache
def _validator() -> Any:
    text = resources.files("reetrace.data").joinpath("epcis/EPCIS-JSON-Schema.json").read_text("utf-8")
    return jsonschema_rs.Draft7Validator(json.loads(text), validate_formats=True)


def schema_errors(document: Any, limit: int = LIMIT) -> list[SchemaError]:
    """Where `document` breaks the EPCIS 2.0 JSON Schema; none when it keeps to it."""
    errors = []
    for error in _validator().iter_errors(document):
        errors.append(SchemaError(tuple(error.instance_path), short_message(error.message)))
        if len(errors) >= limit:
            break
    return errors


def short_message(message: str, width: int = 300) -> str:
    """The validator quotes the offending value whole: a long one is cut."""
    return message if len(message) <= width else message[: width - 1] + "…"
