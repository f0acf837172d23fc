"""The reference implementation's pre-hash, step for step, on its own tree of
``(name, text, children)``: what `reetrace.epcis.hashing` falls back to for an event of a shape
its direct writer does not know, and what that writer is tested against.

A port of ``json_to_py``, ``json_xml_model_mismatch_correction`` and ``hash_generator`` of the
EPCIS event hash reference implementation (github.com/RalphTro/epcis-event-hash-generator,
PyPI 1.9.3; Copyright 2019-2021 Ralph Troeger, Sebastian Schmittner; MIT licence), without its
global state, its deep copies and its JSON-LD processor. Every oddity is kept, however
surprising, because the result must be the reference's; what each function keeps is in its
docstring.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reetrace.epcis.expansion import bare_words
from reetrace.epcis.values import EventHashError, canonical, utc

Node = tuple[Any, Any, list[Any]]  # (name, text, children); a name is a tuple in the reference's pairs
Order = tuple[tuple[Any, "Order | None", bool], ...]


def _order(*members: tuple[Any, Order | None] | str) -> Order:
    """A property order: names, or (name, order of its children); flags the members that are times."""
    entries = [(m, None) if isinstance(m, str) else m for m in members]
    return tuple(
        (name, sub, isinstance(name, str) and "time" in name.lower() and "offset" not in name.lower())
        for name, sub in entries
    )


_QUANTITY = _order(("quantityElement", _order("epcClass", "quantity", "uom")))
_EPCS = _order("epc")
# The reference's pairs never match these names: its sources, destinations and business
# transactions are written with the members that are not in the order
_PAIR = _order(((("type", None), ("source", None)), None))
PROP_ORDER = _order(
    "eventTime",
    "eventTimeZoneOffset",
    "certificationInfo",
    "parentID",
    ("epcList", _EPCS),
    ("inputEPCList", _EPCS),
    ("childEPCs", _EPCS),
    ("quantityList", _QUANTITY),
    ("childQuantityList", _QUANTITY),
    ("inputQuantityList", _QUANTITY),
    ("outputEPCList", _EPCS),
    ("outputQuantityList", _QUANTITY),
    "action",
    "transformationID",
    "bizStep",
    "disposition",
    ("persistentDisposition", _order("set", "unset")),
    ("readPoint", _order("id")),
    ("bizLocation", _order("id")),
    ("bizTransactionList", _PAIR),
    ("sourceList", _PAIR),
    ("destinationList", _PAIR),
    (
        "sensorElementList",
        _order(
            (
                "sensorElement",
                _order(
                    (
                        "sensorMetadata",
                        _order(
                            *"time startTime endTime deviceID deviceMetadata rawData".split(),
                            "dataProcessingMethod",
                            "bizRules",
                        ),
                    ),
                    (
                        "sensorReport",
                        _order(
                            *"""type exception deviceID deviceMetadata rawData dataProcessingMethod time microorganism
                            chemicalSubstance value component stringValue booleanValue hexBinaryValue uriValue minValue
                            maxValue meanValue sDev percRank percValue uom coordinateReferenceSystem""".split()
                        ),
                    ),
                ),
            )
        ),
    ),
)
_PAIRED = ("sourceList", "destinationList", "bizTransactionList")
_UNSORTED = ("bizTransaction", "source", "destination")
_LEFT_OUT = ("recordTime", "eventID", "type", "errorDeclaration")
_IGNORED = ("#text", "rdfs:comment", "comment")


def prehash(event: Mapping[str, Any], namespaces: Mapping[str, str]) -> str:
    """The reference's pre-hash string of `event`."""
    try:
        tree = _correct(_Reader(event, namespaces).node(event))
        return "eventType=" + tree[0] + _ordered(tree[2], PROP_ORDER) + _remaining(tree[2])
    except EventHashError:
        raise
    except (ArithmeticError, AttributeError, IndexError, TypeError, ValueError, RecursionError) as error:
        raise EventHashError(f"the reference implementation cannot hash this event: {error!r}") from error


class _Reader:
    """Turns JSON into the reference's tree: bare words rewritten, namespace prefixes expanded
    (``{iri}name`` in names, ``iriname`` in values), members sorted unless they hold a source,
    destination or business transaction, list members repeated under the list's name."""

    def __init__(self, event: Mapping[str, Any], namespaces: Mapping[str, str]) -> None:
        self.words = bare_words(event, namespaces)
        self.in_names = {p: "{" + iri + "}" for p, iri in namespaces.items()}
        self.in_values = {p: iri.replace("{", "").replace("}", "") for p, iri in namespaces.items()}

    def word(self, value: Any) -> Any:
        """`value` as rewritten if it is a bare word the expansion gives an IRI for."""
        return (self.words.get(value) or value) if isinstance(value, str) else value

    def node(self, value: Any) -> Node:
        if isinstance(value, Mapping):
            name = self.word(value["type"]) if "type" in value else ""
            text = self.word(value["#text"]) if "#text" in value else ""
            children: list[Any] = []
            for key, inner in value.items():
                if key in _IGNORED:
                    continue
                if key.startswith("@xmlns"):
                    raise EventHashError("XML namespace declarations in JSON change the reference's global state")
                child = self.node(inner)
                prefix, colon, rest = key.partition(":")
                if colon and prefix in self.in_names:
                    key = self.in_names[prefix] + rest
                if isinstance(inner, (list, tuple)):
                    children.extend((key, element[1], element[2]) for element in child[2])
                else:
                    children.append((key, child[1], child[2]))
            if not any(k in value for k in _UNSORTED):
                children.sort()
            return (name, text, children)
        if isinstance(value, (list, tuple)):
            items = [self.node(item) for item in value]
            if not any(isinstance(item, str) and self.word(item) in _UNSORTED for item in value):
                items.sort()
            return ("", "", items)
        if isinstance(value, str):
            value = self.words.get(value) or value
            prefix, colon, rest = value.partition(":")
            if colon and prefix in self.in_values:
                value = self.in_values[prefix] + rest
            return ("", value, [])
        return ("", str(value), [])


def _correct(node: Node) -> Node:
    """The reference's JSON-to-XML model correction: ``xList`` members become one ``xList`` of
    ``x`` children (a source, destination or business transaction becomes the pair of its
    first two members), ``childEPCs`` one list of ``epc``, input/output/child quantities and
    quantities with children ``quantityElement``, input/output EPCs ``epc``."""
    children = node[2]
    lists: dict[str, list[Node]] = {}
    for element in [e for e in children if not isinstance(e[0], tuple) and e[0].endswith("List")]:
        lists.setdefault(element[0], []).append((element[0][:-4], element[1], element[2]))
        children.remove(element)
    for name, elements in lists.items():
        if name in _PAIRED:
            children.append((name, "", [(e[2][0], e[2][1]) for e in elements]))
        else:
            children.append((name, "", elements))
    epcs = [e for e in children if e[0] == "childEPCs"]
    for element in epcs:
        children.remove(element)
    if epcs:
        children.append(("childEPCs", "", [("epc", e[1], []) for e in epcs]))
    corrected = [e if e[0] in _PAIRED else _correct(e) for e in children]
    name = node[0]
    if name == "inputEPC" or name == "outputEPC":
        name = "epc"
    elif name in ("inputQuantity", "outputQuantity", "childQuantity") or (name == "quantity" and corrected):
        name = "quantityElement"
    return (name, node[1], corrected)


def _ordered(children: list[Any], order: Order) -> str:
    """The members of `order` among `children`, in that order (several of one name sorted), then
    the children's user extensions; what is written is taken out of `children`."""
    extensions = _extensions(children)
    written = []
    for name, sub, is_time in order:
        values = []
        for child in [c for c in children if c[0] == name]:
            text = _member(child, sub, is_time)
            if text:
                values.append(text)
            if not child[2]:
                children.remove(child)
        values.sort()
        written.extend(values)
    if extensions:
        written.append(_generic(extensions))
    return "".join(written)


def _member(child: Node, sub: Order | None, is_time: bool) -> str:
    """``name=value`` of one ordered member, then its own ordered children ("" if none is written)."""
    inner = _ordered(child[2], sub) if sub else ""
    text = ""
    if child[1]:
        text = child[1].strip()
        if text:  # (the reference writes nothing for an empty value either, time or not)
            text = "=" + (utc(text) if is_time else canonical(text))
    return child[0] + text + inner if text or inner else ""


def _extensions(children: list[Any]) -> list[Any]:
    """The reference's user extensions of a standard member: children named ``{…/}…``, unless
    there is only one child or a name holds ``eventTime`` or ``action`` (as at the top level)."""
    if len(children) <= 1 or any("eventTime" in c[0] or "action" in c[0] for c in children):
        return []
    extensions = [c for c in children if isinstance(c, tuple) and ("{" in c[0] and "/}" in c[0])]
    for extension in extensions:
        children.remove(extension)
    return extensions


def _generic(children: Any) -> str:
    """Members outside the order, each ``name=value`` followed by its children, sorted unless
    one is a source, destination or business transaction."""
    values = []
    for child in children:
        if isinstance(child, tuple) and len(child) == 2 and isinstance(child[0], tuple):
            values.append(_generic(child))
        else:
            text = child[1].strip()
            values.append(child[0] + ("=" + canonical(text) if text else "") + _generic(child[2]))
    if len(children) > 1 and not any(c[0] in _UNSORTED for c in children):
        values.sort()
    return "".join(values)


def _remaining(children: list[Any]) -> str:
    """What the order did not write, but for the members the hash leaves out."""
    kept = [c for c in children if c[0] not in _LEFT_OUT]
    return _generic(kept) if kept else ""
