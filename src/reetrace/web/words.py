"""What a finding says, in the reader's language: its explanation from its message id and
parameters, and its evidence as labelled, formatted values (docs/i18n.md).

A value is formatted by what its name says it is: masses (`*_kg`) as kilograms, tonnes of REO
(`*_t_reo`) as tonnes, shares as percentages, days as dates and instants as times in China
Standard Time, enterprises by name, elements, forms, processes and kinds by their names in the
catalogue, control codes with the element that puts a lot under them, countries by name. Nothing
is shown as Python writes it: no `None`, no brackets, no field names. A finding stored before
findings carried a message id is said by its English detail (`Said.language` tells the page so).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from reetrace.domain.findings import Finding
from reetrace.domain.problems import INVALID
from reetrace.errors import ReetraceError
from reetrace.web import labels
from reetrace.web.i18n import Formats, _
from reetrace.web.messages import (
    ELEMENT,
    ERROR,
    EVIDENCE,
    FINDING_ADDENDUM,
    FINDING_MESSAGE,
    HS_LEVEL,
    KIND,
    MEMBER,
    MISMATCH,
    MISMATCH_FIELD,
    PARTY_ROLE,
    PREREVIEW,
    PROBLEM,
    QUALIFICATION,
)

ENTERPRISES = {"reporter", "enterprise", "sender", "receiver", "custodian", "exporter", "to", "from"}
SHARES = {"share", "yield", "floor", "tolerance", "heavy_share", "heavy_share_max", "heavy_share_min"}
SHARES |= {"ratio", "minimum_ratio", "manufactured_share", "y_share", "la_ce_share"}
DAYS = {"day", "deadline", "as_of", "received_day", "reported_day", "from_day", "to_day", "exported_on", "arrived_on"}
DAYS |= {"date"}
NAMED: dict[str, Mapping[str, str]] = {
    "category": labels.DEPOSIT,
    "declared_deposit": labels.DEPOSIT,
    "registered_deposit": labels.DEPOSIT,
    "qualification": QUALIFICATION,
    "usage": labels.EVENT,
    "event_type": labels.EVENT,
    "process": labels.PROCESS,
    "form": labels.FORM,
    "state": labels.LOT_STATUS,
    "level": HS_LEVEL,
    "role": PARTY_ROLE,
    "application_state": labels.APPLICATION_STATE,
    "step": labels.REVIEW_ACTION,
    "action": labels.TRIAGE_ACTION,
    "kind": KIND,
}
ZONE = _("China Standard Time")
PROBLEM_MOMENTS = {"time", "valid_from", "received_at", "revoked_at"}  # instants a problem names
COUNTS = {"count", "days", "window", "late_events", "days_since_export"}


@dataclass(frozen=True)
class Said:
    text: str
    language: str  # the language the text is in: the page's, or "en" for an old detail


@dataclass(frozen=True)
class Words:
    """Says findings in one language; `name` gives an enterprise's name for its USCC."""

    fmt: Formats
    name: Callable[[str], str] = str

    def t(self, message: str) -> str:
        return self.fmt.gettext(message)

    @property
    def _and(self) -> str:
        return "、" if self.fmt.language == "zh-Hans" else ", "

    def finding(self, finding: Finding) -> Said:
        message = FINDING_MESSAGE.get(finding.message)
        if message is None:  # stored before findings carried a message id
            return Said(finding.detail, "en")
        params = finding.params
        text = self.sentence(message, params, finding.code)
        extra = FINDING_ADDENDUM.get(finding.message)
        if extra is not None and params.get(extra[0]):
            text += (" " if self.fmt.language == "en" else "") + self.sentence(extra[1], params, finding.code)
        return Said(text, self.fmt.language)

    def reason(self, entry: Mapping[str, Any]) -> Said:
        """A pre-review's blocking reason or red flag; one recorded before reasons carried a
        message id is said by its English text."""
        message = PREREVIEW.get(entry.get("message_id") or "")
        if message is None:
            return Said(str(entry.get("reason") or entry.get("detail") or ""), "en")
        return Said(self.sentence(message, entry.get("params") or {}), self.fmt.language)

    def error(self, error: ReetraceError) -> Said:
        """An error as a page or the API says it: by its message id, or its English text."""
        message = ERROR.get(error.message_id or "")
        if message is None:
            return Said(str(error), "en")
        return Said(self.sentence(message, error.params), self.fmt.language)

    def rejection(self, detail: str, message: str | None, params: Mapping[str, Any] | None) -> Said:
        """Why a submission was refused: by its problem's id (`reetrace.domain.problems`), a
        validation error problem by problem under the place each is; one recorded before
        reasons carried an id, or one whose words do not fit, by its English `detail`."""
        params = params or {}
        try:
            if message == INVALID:
                parts = [self._problem(p) for p in params.get("problems", [])]
                more = int(params.get("more") or 0)
                if more:
                    parts.append(self.t("and %(count)s more") % {"count": self.fmt.number(more)})
                if parts:
                    return Said(self._sep.join(parts), self.fmt.language)
            elif message in PROBLEM:
                return Said(self._problem_text(message, params), self.fmt.language)
        except (KeyError, TypeError, ValueError, AttributeError):
            pass
        return Said(detail, "en")

    def problem(self, detail: str) -> Said:
        """A rejection's reason as it was just found (a `Problem`, or a plain English sentence)."""
        return self.rejection(detail, getattr(detail, "id", None), getattr(detail, "params", None))

    def stored_rejection(self, detail: str, message: str | None, params: str | None) -> Said:
        """A rejection's reason as the store keeps it: the message id and the parameters' JSON."""
        try:
            loaded = json.loads(params) if params else {}
        except ValueError:
            loaded = None
        if not isinstance(loaded, dict):
            return Said(detail, "en")
        return self.rejection(detail, message, loaded)

    @property
    def _sep(self) -> str:
        return "；" if self.fmt.language == "zh-Hans" else "; "

    def _problem(self, problem: Mapping[str, Any]) -> str:
        what = self._problem_text(str(problem.get("id") or ""), problem.get("params") or {})
        where = self._where(problem.get("at") or [])
        if not where:
            return what
        return f"{where}：{what}" if self.fmt.language == "zh-Hans" else f"{where}: {what}"

    def _problem_text(self, id: str, params: Mapping[str, Any]) -> str:
        message = PROBLEM.get(id) or PROBLEM[""]
        return self.t(message) % {key: self._problem_value(key, value) for key, value in params.items()}

    def _problem_value(self, key: str, value: Any) -> str:
        if key in PROBLEM_MOMENTS and isinstance(value, str):
            try:
                return self.zoned(value)
            except ValueError:
                return value
        if key in {"sender"}:
            return self.name(str(value))
        if key in {"size", "bound", "limit", "total", "depth", "digits", "byte", "line", "column"}:
            number = float(value)
            return self.fmt.number(value, 0 if number.is_integer() else 3)
        if key == "mass_kg":
            return self.value(key, value)
        return "—" if value is None else str(value)

    def _where(self, at: list[Any]) -> str:
        """The place of a problem: the members and list positions leading to it, by name."""
        parts: list[str] = []
        previous: Any = None
        for step in at:
            if isinstance(step, int) and parts and isinstance(previous, str) and previous in MEMBER:
                parts[-1] = f"{parts[-1]} {step + 1}"
            elif isinstance(step, int):
                parts.append(f"#{step + 1}")
            elif previous == "composition" and step in ELEMENT:
                parts.append(self.element(step))
            elif step in MEMBER:
                parts.append(self.t(MEMBER[step]))
            else:
                parts.append(f"“{step}”")
            previous = step
        return " › ".join(parts)

    def sentence(self, message: str, params: Mapping[str, Any], code: str = "") -> str:
        return self.t(message) % {key: self.value(key, value, code) for key, value in params.items()}

    def evidence(self, finding: Finding) -> list[tuple[str, str]]:
        """(label, value) for each piece of evidence, in the order the rule gave them."""
        return [(self.label(key), self.value(key, value, finding.code)) for key, value in finding.evidence.items()]

    def label(self, key: str) -> str:
        known = EVIDENCE.get(key)
        return self.t(known) if known else key.replace("_", " ").capitalize()

    def value(self, key: str, value: Any, code: str = "") -> str:
        if value is None or value == "" or value == [] or value == {}:
            return "—"
        if isinstance(value, bool):
            return self.t("yes") if value else self.t("no")
        if key == "mismatches":
            return self._mismatches(value, code)
        if key == "finding" and isinstance(value, Mapping):
            return self._upstream(value)
        if key == "code" and isinstance(value, str) and value in labels.FINDING:
            return self.t(labels.FINDING[value])
        if key == "items" and isinstance(value, list) and value and isinstance(value[0], Mapping):
            return "; ".join(self._item(item) for item in value)
        if isinstance(value, list):
            if key in ("holders", "path"):
                return " → ".join(self.name(v) for v in value)
            if key == "controlled":
                return self._and.join(self._control(c) for c in value)
            return self._and.join(self.value(_one(key), v, code) for v in value)
        if isinstance(value, Mapping):
            return self._mapping(key, value, code)
        if key.endswith("_kg") or key in {"kg_in", "kg_out"}:
            return self.fmt.kg(float(value), 3)
        if key.endswith("_t_reo"):  # tonnes of REO equivalent
            return self.t("%(tonnes)s t") % {"tonnes": self.fmt.number(float(value), 3)}
        if key == "score":
            return self.fmt.number(float(value), 2)
        if key in SHARES:
            return self.fmt.percent(float(value))
        if key == "year":
            return str(value)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return self.fmt.number(value, 0 if key in COUNTS or isinstance(value, int) else 3)
        text = str(value)
        if key in DAYS:
            return self._day(text)
        if key == "month":
            return self.fmt.year_month(text)
        if key.endswith("_at"):
            return self.zoned(text)
        if key in ENTERPRISES:
            return self.name(text)
        if key in {"element", "dominant", "elements"}:
            return self.element(text)
        if key in {"destination", "country"}:
            return self.country(text)
        if key in NAMED:
            known = NAMED[key].get(text)
            return self.t(known) if known else text
        return text

    # -- the kinds of value ------------------------------------------------------------------

    def _day(self, text: str) -> str:
        try:
            return self.fmt.date(date.fromisoformat(text[:10]))
        except ValueError:
            return text

    def zoned(self, text: str) -> str:
        """An instant, in China Standard Time, saying so."""
        return f"{self.fmt.moment(text)} {self.t(ZONE)}"

    def element(self, symbol: str) -> str:
        name = ELEMENT.get(symbol)
        if name is None:
            return symbol
        return f"{self.t(name)}（{symbol}）" if self.fmt.language == "zh-Hans" else f"{self.t(name)} ({symbol})"

    def country(self, code: str) -> str:
        name = self.fmt.locale.territories.get(code.strip().upper())
        if not name:
            return code
        return f"{name}（{code}）" if self.fmt.language == "zh-Hans" else f"{name} ({code})"

    def _control(self, controlled: Any) -> str:
        if isinstance(controlled, Mapping):
            return self.t("%(code)s (%(element)s and its compounds)") % {
                "code": controlled.get("code", ""),
                "element": self.t(ELEMENT[controlled["element"]]) if controlled.get("element") in ELEMENT else "—",
            }
        return str(controlled)

    def _upstream(self, found: Mapping[str, Any]) -> str:
        """A finding upstream of a lot, as a pre-review records it: its name and explanation."""
        code = str(found.get("code", ""))
        finding = Finding(
            code,
            "",
            None,
            None,
            None,
            None,
            str(found.get("detail", "")),
            {},
            str(found.get("message_id") or ""),
            found.get("params") or {},
        )
        name = labels.FINDING.get(code)
        return f"{self.t(name) if name else code} — {self.finding(finding).text}"

    def _item(self, item: Mapping[str, Any]) -> str:
        text = self.t("item %(n)s: customs code %(hs_code)s, %(net_kg)s") % {
            "n": item.get("item", "—"),
            "hs_code": item.get("hs_code") or "—",
            "net_kg": self.value("net_kg", item.get("net_kg")),
        }
        if item.get("lots"):
            text += self.t(", lots %(lots)s") % {"lots": self.value("lots", item["lots"])}
        return text

    def _mismatches(self, value: Any, code: str) -> str:
        if isinstance(value, Mapping):  # evidence: field -> {declared, licensed | reported}
            rows = [
                {"field": f, "declared": v.get("declared"), "reported": v.get("reported", v.get("licensed"))}
                for f, v in value.items()
            ]
        else:
            rows = list(value)
        message = MISMATCH.get(code, MISMATCH["DECLARATION_MISMATCH"])
        parts = []
        for row in rows:
            field = row.get("field", "")
            shown = MISMATCH_FIELD.get(field)
            parts.append(
                self.t(message)
                % {
                    "field": self.t(shown) if shown else field,
                    "declared": self._compared(field, row.get("declared")),
                    "reported": self._compared(field, row.get("reported")),
                }
            )
        return "; ".join(parts)

    def _compared(self, field: str, value: Any) -> str:
        if field == "date" and isinstance(value, str) and "/" in value:
            start, end = value.split("/", 1)
            return f"{self._day(start)} – {self._day(end)}"
        if field == "destination" and isinstance(value, str) and value:
            return self.country(value)
        return self.value(field if field in {"exporter", "date", "lots"} else "", value)

    def _mapping(self, key: str, value: Mapping[str, Any], code: str) -> str:
        if key == "covered":
            return f"{self._day(str(value.get('from', '')))} – {self._day(str(value.get('to', '')))}"
        if key in {"composition", "profile"}:  # element -> share
            return self._and.join(
                f"{self.element(e)} {self.fmt.percent(float(f))}"
                for e, f in sorted(value.items(), key=lambda p: (-float(p[1]), p[0]))
            )
        if key == "elements":  # element -> its figures
            return "; ".join(f"{self.element(e)}: {self._mapping('', figures, code)}" for e, figures in value.items())
        if key == "item" and "element" in value:
            return f"{self.element(str(value['element']))} {self.value('form', value.get('form'))}"
        return self._and.join(f"{self.label(k)} {self.value(k, v, code)}" for k, v in value.items())


def _one(key: str) -> str:
    """The name of one value of a list named `key`."""
    return {"elements": "element", "exports": "event", "uncovered": "code", "family": "code"}.get(key, key)


def words_for(fmt: Formats, enterprises: Mapping[str, Any]) -> Words:
    """Words that name enterprises of the registry by their name in the page's language."""

    def name(uscc: str) -> str:
        return labels.name_of(enterprises.get(uscc), fmt.language) or uscc

    return Words(fmt, name)
