"""One §4 event as one GS1 EPCIS 2.0 event, and back (docs/epcis.md, contract §10).

`to_epcis(reporter, event)` writes the event as it was submitted (a JSON object) as an EPCIS
event, without its `eventID` (that is its hash, reetrace.epcis.hashing). `from_epcis(event,
namespaces)` reads an EPCIS event back into the §4 event it stands for: `from_epcis(to_epcis(r,
x))` gives `(r, x)` exactly, as the same JSON value, nothing added. An EPCIS event that says
something a §4 event cannot hold (serial numbers, sensor data, a bizStep the chain has no event
for, a member nobody reads) is refused with where it is, never half read.

Both directions work on plain JSON values; whether the §4 event keeps the contract's rules is
the contract's check (reetrace.contract.submission), which every translated event goes through
as any other.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

import rfc8785

from reetrace.domain.problems import Problem
from reetrace.epcis import vocabulary as v

Json = dict[str, Any]
Path = list[str | int]

_OFFSET = re.compile(r"(?:[Zz]|([+-]\d{2}:\d{2}))$")
# event types whose material stays where the event happened: the site is also their business location
_STAYING = {"extract", "import", "transform", "receive", "adjust"}


class Untranslatable(ValueError):
    """An EPCIS event that no §4 event stands for; `at` is where in the event the trouble is."""

    def __init__(self, at: Path, problem: Problem):
        super().__init__(problem)
        self.at = at
        self.problem = problem


# --- §4 → EPCIS ---------------------------------------------------------------------------------


def rt(name: str) -> str:
    return f"{v.PREFIX}:{name}"


def to_epcis(reporter: str, event: Mapping[str, Any]) -> Json:
    """The EPCIS event for one §4 event of `reporter` (its members in the order they are read)."""
    kind = event["type"]
    out: Json = {
        "type": "TransformationEvent" if kind == "transform" else "ObjectEvent",
        "eventTime": event["time"],
        "eventTimeZoneOffset": _offset(event["time"]),
    }
    out.update(_WRITERS[kind](reporter, event))
    if "site" in event:
        site = event["site"]
        if site is None:
            out[rt("site")] = None
        else:
            out["readPoint"] = {"id": v.site_uri(site)}
            if kind in _STAYING:
                out["bizLocation"] = {"id": v.site_uri(site)}
    out[rt("reporter")] = reporter
    out[rt("eventId")] = event["event_id"]
    if "ext" in event:
        out[rt("ext")] = rfc8785.dumps(event["ext"]).decode()
    return out


def _offset(time: str) -> str:
    found = _OFFSET.search(time)
    if found is None:
        raise ValueError(f"time {time!r} has no offset")
    return found.group(1) or "+00:00"


def _quantities(draws: Sequence[Mapping[str, Any]]) -> list[Json]:
    return [{"epcClass": v.lot_uri(d["lot"]), "quantity": d["mass_kg"], "uom": v.KGM} for d in draws]


def _classes(lots: Sequence[str]) -> list[Json]:
    return [{"epcClass": v.lot_uri(lot)} for lot in lots]


def _ilmd(outputs: Sequence[Mapping[str, Any]]) -> Json:
    lots = []
    for o in outputs:
        entry: Json = {rt("lot"): v.lot_uri(o["lot"]), rt("form"): o["form"]}
        entry[rt("composition")] = {rt(element): share for element, share in o["composition"].items()}
        if "hs_code" in o:
            entry[rt("hsCode")] = o["hs_code"]
        lots.append(entry)
    return {rt("lots"): lots}


def _party(uscc: str) -> str:
    return v.PARTY + uscc


def _extract(reporter: str, e: Mapping[str, Any]) -> Json:
    return {
        "epcList": [],
        "action": "ADD",
        "bizStep": "commissioning",
        "quantityList": _quantities(e["outputs"]),
        "ilmd": _ilmd(e["outputs"]),
        rt("deposit"): e["deposit"],
    }


def _import(reporter: str, e: Mapping[str, Any]) -> Json:
    return {
        "epcList": [],
        "action": "ADD",
        "bizStep": "receiving",
        "quantityList": _quantities(e["outputs"]),
        "bizTransactionList": [_customs(e["customs_declaration"])],
        "ilmd": _ilmd(e["outputs"]),
        rt("originCountry"): e["origin_country"],
    }


def _customs(declaration: str) -> Json:
    return {"type": v.BTT_CUSTOMS_DECLARATION, "bizTransaction": v.text_uri(v.CUSTOMS_DECLARATION, declaration)}


def _transform(reporter: str, e: Mapping[str, Any]) -> Json:
    return {
        "inputQuantityList": _quantities(e["inputs"]),
        "outputQuantityList": _quantities(e["outputs"]),
        "bizStep": "commissioning",
        "ilmd": _ilmd(e["outputs"]),
        rt("process"): e["process"],
    }


def _moved(lots: Sequence[str], step: str, source: str, destination: str) -> Json:
    return {
        "epcList": [],
        "action": "OBSERVE",
        "bizStep": step,
        "quantityList": _classes(lots),
        "sourceList": [{"type": v.OWNING_PARTY, "source": source}],
        "destinationList": [{"type": v.OWNING_PARTY, "destination": destination}],
    }


def _shipment(shipment: str) -> Json:
    return {"type": v.BTT_SHIPMENT, "bizTransaction": v.text_uri(v.SHIPMENT, shipment)}


def _ship(reporter: str, e: Mapping[str, Any]) -> Json:
    out = _moved(e["lots"], "shipping", _party(reporter), _party(e["to"]))
    out["bizTransactionList"] = [_shipment(e["shipment"])]
    return out


def _receive(reporter: str, e: Mapping[str, Any]) -> Json:
    out = _moved(e["lots"], "receiving", _party(e["from"]), _party(reporter))
    out["bizTransactionList"] = [_shipment(e["shipment"])]
    if "mass_kg" in e:
        out[rt("massKg")] = e["mass_kg"]
    return out


def _export(reporter: str, e: Mapping[str, Any]) -> Json:
    out = _moved(e["lots"], "shipping", _party(reporter), v.text_uri(v.CONSIGNEE, e["consignee"]))
    documents = [_customs(e["customs_declaration"])]
    if e.get("license_no") is not None:
        documents.append({"type": v.BTT_LICENSE, "bizTransaction": v.text_uri(v.LICENSE, e["license_no"])})
    out["bizTransactionList"] = documents
    out[rt("destinationCountry")] = e["destination"]
    if "license_no" in e and e["license_no"] is None:
        out[rt("licenseNo")] = None
    return out


def _consume(reporter: str, e: Mapping[str, Any]) -> Json:
    return {
        "epcList": [],
        "action": "DELETE",
        "bizStep": "decommissioning",
        "quantityList": _quantities(e["lots"]),
        rt("purpose"): e["purpose"],
    }


def _adjust(reporter: str, e: Mapping[str, Any]) -> Json:
    return {
        "epcList": [],
        "action": "OBSERVE",
        "bizStep": "stock_taking",
        "quantityList": _classes([e["lot"]]),
        rt("deltaKg"): e["delta_kg"],
        rt("reason"): e["reason"],
    }


_WRITERS: dict[str, Callable[[str, Mapping[str, Any]], Json]] = {
    "extract": _extract,
    "import": _import,
    "transform": _transform,
    "ship": _ship,
    "receive": _receive,
    "export": _export,
    "consume": _consume,
    "adjust": _adjust,
}


# --- EPCIS → §4 ---------------------------------------------------------------------------------

# members every event may carry that say nothing a §4 event holds (the hash, when it was recorded)
_IGNORED = {"eventID", "recordTime", "@context"}


def from_epcis(event: Any, namespaces: Mapping[str, str] | None = None) -> tuple[str | None, Json]:
    """The reporter (None when the event does not name one) and the §4 event an EPCIS event
    stands for. `namespaces`: the document's prefixes (the project's namespace may go by any
    prefix, or be written out in full). Raises `Untranslatable`."""
    if not isinstance(event, dict):
        raise Untranslatable([], Problem("epcis_not_object", "an EPCIS event must be a JSON object"))
    reader = _Reader(_ours(event, namespaces or {}))
    kind = reader.kind()
    out: Json = {"event_id": reader.event_id(), "type": kind, "time": reader.time()}
    out.update(_READERS[kind](reader))
    site = reader.site(kind)
    if site is not _ABSENT:
        out["site"] = site
    if reader.has(rt("ext")):
        out["ext"] = reader.ext()
    reporter = reader.reporter()
    reader.nothing_left()
    return reporter, out


_ABSENT = object()


def _ours(value: Any, namespaces: Mapping[str, str]) -> Any:
    """`value` with the project's members named `rt:<name>` whatever prefix (or none, written out
    in full) the document gave its namespace."""
    prefixes = {p for p, uri in namespaces.items() if uri == v.NS and p != v.PREFIX}

    def rename(key: str) -> str:
        if key.startswith(v.NS):
            return rt(key[len(v.NS) :])
        head, sep, tail = key.partition(":")
        return rt(tail) if sep and head in prefixes else key

    def walk(x: Any) -> Any:
        if isinstance(x, dict):
            return {rename(k): walk(item) for k, item in x.items()}
        if isinstance(x, list):
            return [walk(item) for item in x]
        return x

    return walk(value)


class _Reader:
    """Takes the members of one EPCIS event as they are read; whatever is left unread at the end
    is a member no §4 event holds, and refused."""

    def __init__(self, event: Json):
        self.event = event
        self.left = set(event) - _IGNORED

    def fail(self, at: Path, id: str, text: str, **params: Any) -> Untranslatable:
        return Untranslatable(at, Problem(id, text, **params))

    def has(self, name: str) -> bool:
        return name in self.event

    def take(self, name: str, default: Any = _ABSENT) -> Any:
        self.left.discard(name)
        if name not in self.event:
            if default is _ABSENT:
                raise self.fail([name], "epcis_missing", f"{name} is missing", member=name)
            return default
        return self.event[name]

    def text(self, name: str) -> str:
        value = self.take(name)
        if not isinstance(value, str):
            raise self.fail([name], "epcis_not_text", f"{name} must be a string", member=name)
        return value

    def kind(self) -> str:
        shape = self.event.get("type")
        if shape == "TransformationEvent":
            self.left.discard("type")
            return "transform"
        if shape != "ObjectEvent":
            said = f"type {shape!r} is not recorded: reetrace takes ObjectEvent and TransformationEvent"
            raise self.fail(["type"], "epcis_event_type", said, value=str(shape))
        self.left.discard("type")
        action = self.take("action")
        step = cbv_step(self.take("bizStep", None))
        kind = _OBJECT_KINDS.get((action, step))
        if kind == "ship" and self._consigned():
            kind = "export"
        if kind is None:
            said = f"an ObjectEvent with action {action!r} and bizStep {step!r} is no event of the chain"
            raise self.fail(["bizStep"], "epcis_no_event", said, action=str(action), step=str(step))
        epcs = self.take("epcList", [])
        if epcs != []:
            said = "epcList must be empty: lots are quantities of a class (quantityList)"
            raise self.fail(["epcList"], "epcis_serials", said)
        return kind

    def _consigned(self) -> bool:
        to = self.event.get("destinationList")
        return (
            isinstance(to, list)
            and len(to) == 1
            and isinstance(to[0], dict)
            and isinstance(to[0].get("destination"), str)
            and not to[0]["destination"].startswith(v.PARTY)
        )

    def event_id(self) -> str:
        if self.has(rt("eventId")):
            return self.text(rt("eventId"))
        given = self.event.get("eventID")
        if isinstance(given, str):
            return given  # an event that does not say its §4 id goes by its EPCIS one
        said = f"an event needs {rt('eventId')} or an eventID"
        raise self.fail([rt("eventId")], "epcis_no_id", said, member=rt("eventId"))

    def reporter(self) -> str | None:
        if not self.has(rt("reporter")):
            return None
        return self.text(rt("reporter"))

    def time(self) -> str:
        time = self.text("eventTime")
        offset = self.text("eventTimeZoneOffset")
        found = _OFFSET.search(time)
        if found is None:
            raise self.fail(["eventTime"], "epcis_time", f"eventTime {time!r} has no offset", value=time)
        if (found.group(1) or "+00:00") == offset:
            return time
        try:  # written in UTC with the local offset beside it: the local time, as a §4 event says it
            moment = datetime.fromisoformat(time.replace("z", "Z"))
            local = moment.astimezone(datetime.strptime(offset, "%z").tzinfo)
        except ValueError:
            said = f"eventTimeZoneOffset {offset!r} is not an offset"
            raise self.fail(["eventTimeZoneOffset"], "epcis_offset", said, value=offset) from None
        return local.isoformat()

    def site(self, kind: str) -> Any:
        if self.has(rt("site")):
            if self.take(rt("site")) is not None:
                raise self.fail([rt("site")], "epcis_site_null", f"{rt('site')} may only be null (no site)")
            return None
        point = self._location("readPoint")
        place = self._location("bizLocation")
        if point is _ABSENT:
            point = place
        if point is _ABSENT:
            return _ABSENT
        if place is not _ABSENT and place != point:
            said = "bizLocation must be the readPoint: an event happens at one site"
            raise self.fail(["bizLocation"], "epcis_two_sites", said)
        return point

    def _location(self, name: str) -> Any:
        value = self.take(name, None)
        if value is None:
            return _ABSENT
        if not isinstance(value, dict) or set(value) != {"id"} or not isinstance(value["id"], str):
            raise self.fail([name], "epcis_location", f"{name} must be an object with only an id", member=name)
        return self.decoded([name, "id"], v.uri_site, value["id"])

    def decoded(self, at: Path, read: Callable[[str], str], uri: str) -> str:
        try:
            return read(uri)
        except UnicodeDecodeError:
            raise self.fail(at, "epcis_escapes", f"{uri!r}: its escapes are not UTF-8", value=uri) from None

    def ext(self) -> Any:
        text = self.text(rt("ext"))
        try:
            return json.loads(text)
        except ValueError:
            raise self.fail([rt("ext")], "epcis_ext", f"{rt('ext')} must be JSON text") from None

    def lots(self, name: str, masses: bool) -> list[Any]:
        """A quantity list as lots: `{"lot", "mass_kg"}` each when `masses`, else lot ids."""
        items = self.take(name)
        if not isinstance(items, list) or not items:
            raise self.fail([name], "epcis_no_lots", f"{name} must list the lots", member=name)
        out: list[Any] = []
        for i, item in enumerate(items):
            if not isinstance(item, dict) or not isinstance(item.get("epcClass"), str):
                raise self.fail([name, i], "epcis_quantity", "a quantity element needs its epcClass")
            lot = v.uri_lot(item["epcClass"])
            if not masses:
                if set(item) != {"epcClass"}:
                    said = "whole lots move here: a quantity element has only its epcClass"
                    raise self.fail([name, i], "epcis_whole_lots", said)
                out.append(lot)
                continue
            if set(item) != {"epcClass", "quantity", "uom"}:
                said = "a quantity element needs epcClass, quantity and uom, nothing else"
                raise self.fail([name, i], "epcis_quantity", said)
            if item["uom"] != v.KGM:
                said = f"uom {item['uom']!r}: masses are in kilograms ({v.KGM})"
                raise self.fail([name, i, "uom"], "epcis_uom", said, value=str(item["uom"]))
            out.append({"lot": lot, "mass_kg": item["quantity"]})
        return out

    def outputs(self, name: str) -> list[Json]:
        """The lots an event creates: their masses from the quantity list, the rest from the ILMD."""
        draws = self.lots(name, masses=True)
        ilmd = self.take("ilmd", None)
        if not isinstance(ilmd, dict) or set(ilmd) != {rt("lots")} or not isinstance(ilmd[rt("lots")], list):
            said = f"ilmd must hold {rt('lots')}: each created lot's form and composition"
            raise self.fail(["ilmd"], "epcis_ilmd", said, member=rt("lots"))
        entries = ilmd[rt("lots")]
        if len(entries) != len(draws):
            said = f"ilmd describes {len(entries)} lots, {name} lists {len(draws)}"
            raise self.fail(["ilmd", rt("lots")], "epcis_ilmd_count", said, described=len(entries), listed=len(draws))
        out = []
        for i, (draw, entry) in enumerate(zip(draws, entries, strict=True)):
            out.append(self._output(["ilmd", rt("lots"), i], draw, entry))
        return out

    def _output(self, at: Path, draw: Json, entry: Any) -> Json:
        allowed = {rt("lot"), rt("form"), rt("composition"), rt("hsCode")}
        if not isinstance(entry, dict) or not {rt("lot"), rt("form"), rt("composition")} <= set(entry) <= allowed:
            said = f"each lot in the ilmd has {rt('lot')}, {rt('form')}, {rt('composition')} and maybe {rt('hsCode')}"
            raise self.fail(at, "epcis_ilmd_lot", said)
        if not isinstance(entry[rt("lot")], str) or v.uri_lot(entry[rt("lot")]) != draw["lot"]:
            said = f"the ilmd's lot {entry[rt('lot')]!r} is not the quantity list's {draw['lot']!r} at this place"
            raise self.fail([*at, rt("lot")], "epcis_ilmd_order", said, lot=draw["lot"])
        composition = entry[rt("composition")]
        if not isinstance(composition, dict) or not all(k.startswith(rt("")) for k in composition):
            said = f"{rt('composition')} maps {rt('')}<element> to its mass fraction"
            raise self.fail([*at, rt("composition")], "epcis_composition", said)
        lot: Json = {"lot": draw["lot"], "form": entry[rt("form")], "mass_kg": draw["mass_kg"]}
        lot["composition"] = {k[len(rt("")) :]: share for k, share in composition.items()}
        if rt("hsCode") in entry:
            lot["hs_code"] = entry[rt("hsCode")]
        return lot

    def party(self, name: str, member: str, uscc: bool) -> str:
        """The one owning party of a source or destination list: a USCC, or a consignee's name."""
        parties = self.take(name)
        if (
            not isinstance(parties, list)
            or len(parties) != 1
            or not isinstance(parties[0], dict)
            or cbv_kind(parties[0].get("type")) != v.OWNING_PARTY
            or not isinstance(parties[0].get(member), str)
        ):
            said = f"{name} must name one {v.OWNING_PARTY}"
            raise self.fail([name], "epcis_party", said, member=name)
        uri = parties[0][member]
        if uscc:
            if not uri.startswith(v.PARTY):
                said = f"{uri!r}: an enterprise is {v.PARTY}<USCC>"
                raise self.fail([name, 0, member], "epcis_party_uri", said, value=uri)
            return uri[len(v.PARTY) :]
        return self.decoded([name, 0, member], lambda u: v.uri_text(v.CONSIGNEE, u), uri)

    def documents(self, wanted: Mapping[str, str]) -> dict[str, str]:
        """The business transactions by type (`wanted`: CBV type → the URI prefix of its number)."""
        items = self.take("bizTransactionList")
        if not isinstance(items, list):
            raise self.fail(["bizTransactionList"], "epcis_documents", "bizTransactionList must be a list")
        out: dict[str, str] = {}
        for i, item in enumerate(items):
            kind = cbv_document(item.get("type")) if isinstance(item, dict) else None
            if (
                not isinstance(kind, str)
                or kind not in wanted
                or kind in out
                or not isinstance(item.get("bizTransaction"), str)
            ):
                said = f"bizTransactionList[{i}] is not one of the documents this event names"
                raise self.fail(["bizTransactionList", i], "epcis_document", said, index=i)
            out[kind] = self.decoded(
                ["bizTransactionList", i], functools.partial(v.uri_text, wanted[kind]), item["bizTransaction"]
            )
        return out

    def nothing_left(self) -> None:
        rest = sorted(self.left)
        if rest:
            said = f"{rest[0]} is not recorded: no §4 event holds it"
            raise self.fail([rest[0]], "epcis_unread", said, member=rest[0])


def cbv_step(value: Any) -> Any:
    return v.cbv_word(value, "bizStep")


def cbv_kind(value: Any) -> Any:
    return v.cbv_word(value, "sourceOrDestination")


def cbv_document(value: Any) -> Any:
    return v.cbv_word(value, "bizTransaction")


_OBJECT_KINDS = {
    ("ADD", "commissioning"): "extract",
    ("ADD", "receiving"): "import",
    ("OBSERVE", "shipping"): "ship",  # or export, when the destination is a consignee
    ("OBSERVE", "receiving"): "receive",
    ("DELETE", "decommissioning"): "consume",
    ("OBSERVE", "stock_taking"): "adjust",
}


def _read_extract(r: _Reader) -> Json:
    return {"deposit": r.take(rt("deposit")), "outputs": r.outputs("quantityList")}


def _read_import(r: _Reader) -> Json:
    customs = r.documents({v.BTT_CUSTOMS_DECLARATION: v.CUSTOMS_DECLARATION})
    if v.BTT_CUSTOMS_DECLARATION not in customs:
        raise r.fail(["bizTransactionList"], "epcis_customs", "an import names its customs declaration")
    return {
        "origin_country": r.take(rt("originCountry")),
        "customs_declaration": customs[v.BTT_CUSTOMS_DECLARATION],
        "outputs": r.outputs("quantityList"),
    }


def _read_transform(r: _Reader) -> Json:
    step = cbv_step(r.take("bizStep", "commissioning"))
    if step != "commissioning":
        said = f"a transformation's bizStep is commissioning (its process is {rt('process')})"
        raise r.fail(["bizStep"], "epcis_transform_step", said, value=str(step))
    return {
        "process": r.take(rt("process")),
        "inputs": r.lots("inputQuantityList", masses=True),
        "outputs": r.outputs("outputQuantityList"),
    }


def _shipment_of(r: _Reader) -> str:
    found = r.documents({v.BTT_SHIPMENT: v.SHIPMENT})
    if v.BTT_SHIPMENT not in found:
        raise r.fail(["bizTransactionList"], "epcis_shipment", f"a shipment is named by a {v.BTT_SHIPMENT}")
    return found[v.BTT_SHIPMENT]


def _read_ship(r: _Reader) -> Json:
    r.party("sourceList", "source", uscc=True)
    out: Json = {"lots": r.lots("quantityList", masses=False), "to": r.party("destinationList", "destination", True)}
    out["shipment"] = _shipment_of(r)
    return out


def _read_receive(r: _Reader) -> Json:
    out: Json = {"lots": r.lots("quantityList", masses=False), "from": r.party("sourceList", "source", True)}
    r.party("destinationList", "destination", uscc=True)
    out["shipment"] = _shipment_of(r)
    if r.has(rt("massKg")):
        out["mass_kg"] = r.take(rt("massKg"))
    return out


def _read_export(r: _Reader) -> Json:
    r.party("sourceList", "source", uscc=True)
    lots = r.lots("quantityList", masses=False)
    consignee = r.party("destinationList", "destination", uscc=False)
    found = r.documents({v.BTT_CUSTOMS_DECLARATION: v.CUSTOMS_DECLARATION, v.BTT_LICENSE: v.LICENSE})
    if v.BTT_CUSTOMS_DECLARATION not in found:
        raise r.fail(["bizTransactionList"], "epcis_customs", "an export names its customs declaration")
    out: Json = {"lots": lots, "consignee": consignee, "destination": r.take(rt("destinationCountry"))}
    out["customs_declaration"] = found[v.BTT_CUSTOMS_DECLARATION]
    if v.BTT_LICENSE in found:
        out["license_no"] = found[v.BTT_LICENSE]
    elif r.has(rt("licenseNo")):
        if r.take(rt("licenseNo")) is not None:
            said = f"a license is a bizTransaction; {rt('licenseNo')} may only be null"
            raise r.fail([rt("licenseNo")], "epcis_license", said)
        out["license_no"] = None
    return out


def _read_consume(r: _Reader) -> Json:
    return {"lots": r.lots("quantityList", masses=True), "purpose": r.take(rt("purpose"))}


def _read_adjust(r: _Reader) -> Json:
    lots = r.lots("quantityList", masses=False)
    if len(lots) != 1:
        raise r.fail(["quantityList"], "epcis_one_lot", "a stock-taking adjusts one lot")
    return {"lot": lots[0], "delta_kg": r.take(rt("deltaKg")), "reason": r.take(rt("reason"))}


_READERS: dict[str, Callable[[_Reader], Json]] = {
    "extract": _read_extract,
    "import": _read_import,
    "transform": _read_transform,
    "ship": _read_ship,
    "receive": _read_receive,
    "export": _read_export,
    "consume": _read_consume,
    "adjust": _read_adjust,
}
