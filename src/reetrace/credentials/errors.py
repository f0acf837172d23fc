"""The one error of the credentials package: what is wrong with a credential, a proof, an
envelope, a DID document, a key or a status list that was read.

Every check of something read from outside raises `VerificationError`, never anything else
(a wrong type, a missing member, bad multibase, a wrong length included), with a `Problem`
(domain.problems) that says what and carries a message id and its parameters. A mistake by the
issuing side (signing a document that already has a proof, say) is a plain `ValueError`.

Message ids: `not_object`, `member` (a member missing or of the wrong type), `multibase`,
`key_invalid`, `key_unknown`, `proof_set`, `proof_type`, `cryptosuite`, `proof_purpose`,
`proof_created`, `proof_context`, `signature_invalid`, `issuer_key`, `envelope`, `jose_header`,
`jose_alg`, `jose_typ`, `did`, `did_document`, `not_assertion_method`, `method_controller`,
`status_entry`, `status_list`, `status_list_length`, `status_range`.
"""

from __future__ import annotations

from typing import Any

from reetrace.domain.problems import Problem


class VerificationError(ValueError):
    """Something read does not hold; `problem` says what."""

    def __init__(self, problem: Problem):
        super().__init__(problem)
        self.problem = problem


def refuse(id: str, text: str, **params: Any) -> VerificationError:
    """The error for problem `id`, said in English as `text` (to be raised)."""
    return VerificationError(Problem(id, text, **params))


def clip(value: object, longest: int = 60) -> str:
    """A value read from outside, short enough to be quoted in a message."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= longest else text[: longest - 1] + "…"


def member(value: Any, name: str, kind: type | tuple[type, ...], where: str) -> Any:
    """`value[name]`, insisting `value` is an object holding a `name` of `kind`."""
    if not isinstance(value, dict):
        raise refuse("not_object", f"{where} must be a JSON object", where=where)
    found = value.get(name)
    if not isinstance(found, kind) or isinstance(found, bool) and bool not in _kinds(kind):
        raise refuse("member", f"{where} needs a member {name!r} of the right type", where=where, member=name)
    return found


def _kinds(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)
