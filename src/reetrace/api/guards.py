"""Guards in front of every route, against what a hostile request can hold before any route
sees it: a body beyond the size bound (413), a JSON body nested deeper than the contract allows
(422; the framework's parser would recurse into it), and U+0000 in the path, the query or a
form, which no store can hold in text (400). Each answer has the API's error shape.

The routes that take a submission (the API's `POST /api/submissions`, the portal's upload,
an EPCIS capture's `POST /epcis/capture`) stream their body themselves: any size is read
past, never held whole, and recorded as a rejection with its digest and size
(reetrace.services.intake).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from reetrace.domain.submissions import MAX_BYTES, MAX_DEPTH, size_text
from reetrace.ledger.canonical import nesting_exceeds

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

STREAMED = frozenset({("POST", "/api/submissions"), ("POST", "/portal/submissions"), ("POST", "/epcis/capture")})


class RequestGuard:
    """ASGI middleware: bounds every request before the application reads it."""

    def __init__(self, app: App, limit: int = MAX_BYTES, streamed: frozenset[tuple[str, str]] = STREAMED):
        self.app, self.limit, self.streamed = app, limit, streamed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope["path"] or b"%00" in scope.get("query_string", b""):
            await _refuse(send, 400, "bad_request", "the address holds the character U+0000")
            return
        if (scope["method"], scope["path"]) in self.streamed:
            await self.app(scope, receive, send)
            return
        headers = {name.lower(): value for name, value in scope.get("headers", [])}
        declared = headers.get(b"content-length", b"").strip()
        if declared.isdigit() and int(declared) > self.limit:
            await _refuse(send, 413, "too_large", self._too_large(int(declared)))
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # nobody is left to answer
            body += message.get("body", b"")
            if len(body) > self.limit:
                await _refuse(send, 413, "too_large", self._too_large(len(body)))
                return
            if not message.get("more_body", False):
                break
        problem = _body_problem(headers.get(b"content-type", b""), bytes(body))
        if problem:
            await _refuse(send, *problem)
            return
        await self.app(scope, _replay(bytes(body), receive), send)

    def _too_large(self, size: int) -> str:
        return f"a request body is at most {size_text(self.limit)}; this one is {size_text(size)}"


def _body_problem(content_type: bytes, body: bytes) -> tuple[int, str, str] | None:
    """What is wrong with a buffered body, by its content type: a JSON body (as the framework
    reads one: declared JSON, or no content type at all) nested too deep; U+0000 in a form."""
    kind = content_type.split(b";", 1)[0].strip().lower()
    if not kind or kind == b"application/json" or kind.endswith(b"+json"):
        if body and nesting_exceeds(body, MAX_DEPTH):
            return 422, "invalid", f"a JSON body nests at most {MAX_DEPTH} levels deep"
    elif kind == b"application/x-www-form-urlencoded" and b"%00" in body:
        return 400, "bad_request", "a form field holds the character U+0000"
    elif kind == b"multipart/form-data" and b"\x00" in body and _nul_in_fields(content_type, body):
        return 400, "bad_request", "a form field holds the character U+0000"
    return None


def _nul_in_fields(content_type: bytes, body: bytes) -> bool:
    """Whether a multipart form's text fields (its parts without a file name) hold U+0000; a
    file's bytes may hold anything."""
    boundary = b""
    for parameter in content_type.split(b";")[1:]:
        name, _, value = parameter.partition(b"=")
        if name.strip().lower() == b"boundary":
            boundary = value.strip().strip(b'"')
    if not boundary:
        return False
    for part in body.split(b"--" + boundary):
        head, _, content = part.partition(b"\r\n\r\n")
        if b"filename=" not in head.lower() and b"\x00" in content:
            return True
    return False


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body, handed to the application as one message; then the client's own messages (its
    disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _refuse(send: Send, status: int, kind: str, message: str) -> None:
    payload = json.dumps({"error": {"type": kind, "message": message}}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": payload})
