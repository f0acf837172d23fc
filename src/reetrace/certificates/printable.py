"""The certificate for people: one self-contained HTML page (inline CSS, inline SVG QR code),
laid out for A4.

It shows the lot (form, mass, composition), its origins (mines and importers, the element mass
and REO each contributed), the processing steps between them, the events it rests on, and the
transparency-log checkpoint everything is anchored to. The QR code carries the lot id and that
checkpoint (`reetrace:cert?lot=…&origin=…&size=…&root=…`), so a scanned paper names exactly what
the certificate file must prove. The page is a summary: the file and `reetrace verify` are the proof.

A redacted certificate (`reetrace/redacted-certificate@1`) prints the same way; each redacted
event shows what its projection shows, and "withheld" where the enterprise, the site or the
event's id would be.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from typing import Any
from urllib.parse import urlencode

import segno

from reetrace.certificates.page_style import CSS, PAGE
from reetrace.certificates.redaction import creation_of
from reetrace.contract.submission import validate_event
from reetrace.domain.elements import ELEMENTS
from reetrace.domain.events import Extract, Import
from reetrace.domain.trace import Creation, InMemoryLotSource
from reetrace.ledger.note import Checkpoint

_ORDER = {e: i for i, e in enumerate(ELEMENTS)}
COSIGNATURE_PAYLOAD = 4 + 8 + 64  # key id, timestamp, Ed25519 signature (c2sp.org/tlog-cosignature)


def _english(code: str) -> str:
    return code.replace("_", " ")


@dataclass(frozen=True)
class PageWords:
    """What the page says, in one language. `t` says a sentence of the page (its English is the
    message id of the console's catalogues); `form`, `process`, `event` and `deposit` name a
    code of the contract. The default is English, as `reetrace certify --html` writes it."""

    t: Callable[[str], str] = str
    form: Callable[[str], str] = _english
    process: Callable[[str], str] = _english
    event: Callable[[str], str] = _english
    deposit: Callable[[str], str] = _english
    lang: str = "en"

    def origin(self, kind: str) -> str:
        t = self.t
        return {"extract": t("Mine"), "import": t("Import"), "unknown": t("Unknown origin")}.get(kind, kind)


ENGLISH = PageWords()


def qr_payload(lot: str, checkpoint: Checkpoint) -> str:
    """What the QR code says: the lot and the checkpoint it is anchored to."""
    root = base64.b64encode(checkpoint.root_hash).decode("ascii")
    return "reetrace:cert?" + urlencode(
        {"lot": lot, "origin": checkpoint.origin, "size": checkpoint.size, "root": root}
    )


def qr_svg(payload: str) -> str:
    """The QR code as inline SVG: a viewBox and no fixed size, so CSS sets its printed size; the
    four-module quiet zone scanners need is part of it."""
    return segno.make(payload, error="m", micro=False).svg_inline(
        scale=1, border=4, omitsize=True, dark="#000", svgclass="qr", title="certificate QR code"
    )


def render_html(
    certificate: Mapping[str, Any],
    names: Mapping[str, str] | None = None,
    file_sha256: str | None = None,
    blocking: tuple[str, Sequence[str]] | None = None,
    words: PageWords = ENGLISH,
    lot_uri: str | None = None,
) -> str:
    """The page for a certificate (assumed valid: render after verifying). `names` maps USCCs to
    registered names; `file_sha256` is the digest of the certificate file it summarises;
    `blocking`, when given, is (the day, one line per finding) of the findings upstream that
    would block a license for the lot on that day, printed under the header (the certificate
    proves where the material came from; supervision judges it, and the page says so). `words`:
    the language it is said in. `lot_uri`, when given, is what the QR code carries: the lot's URI
    (contract §11), where a phone finds its provenance credential; else the lot and the checkpoint."""
    names = names or {}
    w = words
    withheld_word = escape(w.t("withheld"))
    lot: str = certificate["lot"]
    trace: Mapping[str, Any] = certificate["trace"]
    shown = _shown(certificate, w)
    creations = [c for c, _, _ in shown]
    leaves = {c.ref: leaf for c, leaf, _ in shown}
    details = {c.ref: detail for c, _, detail in shown}
    note: str = certificate["checkpoint"]
    checkpoint = Checkpoint.parse(note[: note.rfind("\n\n") + 1])
    creation = InMemoryLotSource.from_creations(creations).creations([lot]).get(lot)

    def party(uscc: str | None) -> str:
        if uscc == "":
            return f'<span class="muted">{withheld_word}</span>'
        if uscc is None:
            return '<span class="muted">—</span>'
        name = names.get(uscc)
        code = f'<span class="code">{escape(uscc)}</span>'
        return f"{escape(name)}<br>{code}" if name else code

    sections = [
        _header(lot, checkpoint, w, lot_uri),
        *([_blocking_section(*blocking, w)] if blocking is not None else []),
        _lot_section(lot, creation, trace, party, w),
        _origins_section(trace, details, party, w),
        _steps_section(lot, creations, party, w),
        _anchor_section(checkpoint, note, w),
        _evidence_section(creations, leaves, names, len(certificate.get("redacted") or ()), w),
        _footer(certificate, file_sha256, w),
    ]
    title = w.t("Certificate of provenance — %(lot)s") % {"lot": lot}
    page = PAGE.format(title=escape(title), css=CSS, body="\n".join(sections))
    return page.replace('<html lang="en">', f'<html lang="{escape(w.lang)}">', 1)


def _shown(certificate: Mapping[str, Any], w: PageWords) -> list[tuple[Creation, int, str]]:
    """Each creation the certificate shows, whole or projected, with its leaf and what the page
    says of its origin (the deposit, or the country and declaration of an import)."""
    shown = []
    for entry in certificate["events"]:
        event = validate_event(entry["event"], entry["reporter"])
        detail = ""
        if isinstance(event, Extract):
            detail = f"{_deposit(w, event.deposit)}<br>{_date(event.time)}"
        elif isinstance(event, Import):
            origin = _from(w, event.origin_country)
            detail = f"{origin} · {escape(event.customs_declaration)}<br>{_date(event.time)}"
        if event.type in ("extract", "import", "transform"):
            shown.append((Creation.of(event), entry["leaf_index"], detail))
    for entry in certificate.get("redacted") or ():
        creation = creation_of(entry["projection"], entry["leaf_index"])
        projection = entry["projection"]
        detail = ""
        if creation.type == "extract":
            detail = f"{_deposit(w, str(projection['deposit']))}<br>{_date(creation.time)}"
        elif creation.type == "import":
            detail = f"{_from(w, str(projection['origin_country']))}<br>{_date(creation.time)}"
        shown.append((creation, entry["leaf_index"], detail))
    return shown


def _deposit(w: PageWords, deposit: str) -> str:
    return escape(w.t("%(deposit)s deposit") % {"deposit": w.deposit(deposit)})


def _from(w: PageWords, country: str) -> str:
    return escape(w.t("from %(country)s") % {"country": country})


# --- sections -------------------------------------------------------------------------------


def _header(lot: str, checkpoint: Checkpoint, w: PageWords, lot_uri: str | None = None) -> str:
    t = w.t
    w_rare_earth_traceability = escape(t("Rare earth traceability"))
    w_certificate_of_provenance = escape(t("Certificate of provenance"))
    if lot_uri is None:
        payload, caption = qr_payload(lot, checkpoint), escape(t("lot · log checkpoint"))
    else:
        payload, caption = lot_uri, escape(t("scan: the lot's provenance credential"))
    subtitle = t(
        "Anyone can recompute every figure below from the events it rests on, each proven to be in a signed "
        "transparency log."
    )
    return f"""
<header>
  <div class="heading">
    <div class="kicker">{w_rare_earth_traceability}</div>
    <h1>{w_certificate_of_provenance}</h1>
    <div class="subtitle">{escape(subtitle)}</div>
    <div class="lot-id">{escape(lot)}</div>
  </div>
  <figure class="qr-box">{qr_svg(payload)}
    <figcaption>{caption}</figcaption></figure>
</header>"""


def _blocking_section(day: str, lines: Sequence[str], w: PageWords) -> str:
    t = w.t
    none = t("No finding upstream of this lot blocks a license as of %(day)s.")
    as_of = t("As of %(day)s:")
    w_supervision = escape(t("Supervision"))
    w_findings_upstream_that_block_a = escape(t("Findings upstream that block a license"))
    if not lines:
        return f"""
<section class="blocking">
  <h2>{w_supervision}</h2>
  <p>{escape(none % {"day": day})}</p>
</section>"""
    items = "\n".join(f"    <li>{escape(line)}</li>" for line in lines)
    return f"""
<section class="blocking">
  <h2>{w_findings_upstream_that_block_a}</h2>
  <p>{escape(as_of % {"day": day})}</p>
  <ul>
{items}
  </ul>
</section>"""


def _lot_section(lot: str, creation: Creation | None, trace: Mapping[str, Any], party: Any, w: PageWords) -> str:
    t = w.t
    w_the_lot = escape(t("The lot"))
    w_hs_code = escape(t("HS code"))
    w_form = escape(t("Form"))
    w_mass = escape(t("Mass"))
    w_reo_equivalent = escape(t("REO equivalent"))
    w_made_by = escape(t("Made by"))
    w_made = escape(t("Made"))
    w_event = escape(t("Event"))
    w_element = escape(t("Element"))
    w_mass_fraction = escape(t("Mass fraction"))
    w_other = escape(t("other"))
    made = creation.output(lot) if creation is not None else None
    if creation is None or made is None:
        said = t("No event in this certificate creates lot %(lot)s: its whole content is of unknown origin.")
        return f"""
<section><h2>{w_the_lot}</h2>
  <p class="warning">{escape(said % {"lot": lot})}</p></section>"""
    elements_kg = trace.get("elements_kg", {})
    rows = "".join(
        f"<tr><td>{escape(e)}</td><td class='num'>{made.composition[e]:.2%}</td>"
        f"<td class='num'>{_kg(elements_kg.get(e, made.mass_kg * made.composition[e]))}</td></tr>"
        for e in sorted(made.composition, key=lambda e: _ORDER.get(e, 99))
        if made.composition[e] > 0
    )
    rest = 1 - sum(made.composition.values())
    hs = f"<dt>{w_hs_code}</dt><dd>{escape(made.hs_code)}</dd>" if made.hs_code else ""
    process = f" ({escape(w.process(creation.process))})" if creation.process else ""
    return f"""
<section class="lot">
  <h2>{w_the_lot}</h2>
  <div class="columns">
    <dl class="facts">
      <dt>{w_form}</dt><dd class="strong">{escape(w.form(made.form))}</dd>
      <dt>{w_mass}</dt><dd class="strong">{_kg(made.mass_kg)} kg</dd>
      <dt>{w_reo_equivalent}</dt><dd>{_kg(trace.get("reo_kg", 0.0))} kg</dd>
      {hs}
      <dt>{w_made_by}</dt><dd>{party(creation.reporter)}</dd>
      <dt>{w_made}</dt><dd>{_date(creation.time)} · {escape(w.event(creation.type))}{process}</dd>
      <dt>{w_event}</dt><dd class="code">{escape(creation.ref)}</dd>
    </dl>
    <table class="composition">
      <thead><tr><th>{w_element}</th><th class="num">{w_mass_fraction}</th>
        <th class="num">kg</th></tr></thead>
      <tbody>{rows}</tbody>
      <tfoot><tr><td>{w_other}</td><td class="num">{max(rest, 0.0):.2%}</td><td></td></tr></tfoot>
    </table>
  </div>
</section>"""


def _origins_section(trace: Mapping[str, Any], details: Mapping[str, str], party: Any, w: PageWords) -> str:
    t = w.t
    w_every_origin = escape(t("Every origin is a mine or an import, each proven by an event in the log."))
    w_origins = escape(t("Origins"))
    w_origin = escape(t("Origin"))
    w_enterprise = escape(t("Enterprise"))
    w_lot_event = escape(t("Lot · event"))
    w_elements_kg = escape(t("Elements (kg)"))
    w_reo_kg = escape(t("REO kg"))
    w_share = escape(t("Share"))
    total = trace.get("reo_kg", 0.0) or 0.0
    rows = []
    for origin in trace.get("origins", []):
        event_ref = origin.get("event") or ""
        detail = details.get(event_ref, "")
        withheld = event_ref.startswith("leaf:")
        kind = origin.get("type", "unknown")
        share = _share(origin["reo_kg"], total)
        elements = " ".join(
            f"<span class='el'>{escape(e)}&nbsp;{_kg(kg)}</span>" for e, kg in origin.get("elements_kg", {}).items()
        )
        rows.append(
            f"<tr class='{'unknown' if kind == 'unknown' else ''}'>"
            f"<td><span class='badge {escape(kind)}'>{escape(w.origin(kind))}</span>"
            f"<div class='small'>{detail}</div></td>"
            f"<td>{party('' if withheld else origin.get('enterprise'))}</td>"
            f"<td class='code'>{escape(origin['lot'])}<div class='small code'>{escape(origin.get('event') or '')}"
            f"</div></td>"
            f"<td>{elements}</td><td class='num'>{_kg(origin.get('reo_kg', 0.0))}</td>"
            f"<td class='num strong'>{share}</td></tr>"
        )
    unknown = [o for o in trace.get("origins", []) if o.get("type") == "unknown"]
    unknown_kg = _kg(sum(o.get("reo_kg", 0.0) for o in unknown))
    note = (
        f"<p class='ok'>{w_every_origin}</p>"
        if not unknown
        else "<p class='warning'>"
        + escape(
            t("Input lots of unknown origin: %(count)s, which no event in the log creates (%(reo_kg)s kg REO).")
            % {"count": len(unknown), "reo_kg": unknown_kg}
        )
        + "</p>"
    )
    aside = t("element mass each contributed, allocated element by element in proportion through every process")
    return f"""
<section>
  <h2>{w_origins} <span class="aside">{escape(aside)}</span></h2>
  <table class="origins">
    <thead><tr><th>{w_origin}</th><th>{w_enterprise}</th><th>{w_lot_event}</th>
      <th>{w_elements_kg}</th><th class="num">{w_reo_kg}</th>
      <th class="num">{w_share}</th></tr></thead>
    <tbody>{"".join(rows)}</tbody>
  </table>
  {note}
</section>"""


def _steps_section(lot: str, creations: list[Creation], party: Any, w: PageWords) -> str:
    t = w.t
    w_processing_steps = escape(t("Processing steps"))
    w_date = escape(t("Date"))
    w_process = escape(t("Process"))
    w_enterprise = escape(t("Enterprise"))
    w_drew = escape(t("Drew"))
    w_made = escape(t("Made"))
    transforms = sorted((c for c in creations if c.type == "transform"), key=lambda c: (c.time, c.ref))
    if not transforms:
        return ""
    chain = {lot} | {d.lot for e in transforms for d in e.inputs}
    rows = []
    for event in transforms:
        inputs = "".join(
            f"<div><span class='code'>{escape(d.lot)}</span> · {_kg(d.mass_kg)}&nbsp;kg</div>" for d in event.inputs
        )
        outputs = [o for o in event.outputs if o.lot in chain]
        made = "".join(
            f"<div><span class='code'>{escape(o.lot)}</span> · {escape(w.form(o.form))} {_kg(o.mass_kg)}&nbsp;kg</div>"
            for o in outputs
        )
        others = len(event.outputs) - len(outputs)
        if others:
            more = t("other outputs: %(count)s") % {"count": others}
            made += f"<div class='muted small'>{escape(more)}</div>"
        rows.append(
            f"<tr><td class='date'>{_date(event.time)}</td><td>{escape(w.process(event.process or ''))}</td>"
            f"<td>{party(event.reporter)}</td><td>{inputs}</td><td>{made}</td></tr>"
        )
    return f"""
<section>
  <h2>{w_processing_steps}</h2>
  <table class="steps">
    <colgroup><col style="width:17mm"><col style="width:16mm"><col style="width:39mm"><col style="width:57mm">
      <col></colgroup>
    <thead><tr><th>{w_date}</th><th>{w_process}</th><th>{w_enterprise}</th>
      <th>{w_drew}</th><th>{w_made}</th></tr></thead>
    <tbody>{"".join(rows)}</tbody>
  </table>
</section>"""


def _anchor_section(checkpoint: Checkpoint, note: str, w: PageWords) -> str:
    t = w.t
    w_no_witness_has_cosigned_this_c = escape(t("no witness has cosigned this checkpoint"))
    w_extensions = escape(t("Extensions"))
    w_anchored_to_the_transparency_l = escape(t("Anchored to the transparency log"))
    w_log = escape(t("Log"))
    w_tree_size = escape(t("Tree size"))
    w_root_hash = escape(t("Root hash"))
    w_signatures = escape(t("Signatures"))
    root = base64.b64encode(checkpoint.root_hash).decode("ascii")
    signers, witnessed = [], 0
    for name, payload in signature_lines(note):
        if len(payload) == COSIGNATURE_PAYLOAD:
            witnessed += 1
            when = datetime.fromtimestamp(int.from_bytes(payload[4:12], "big"), UTC)
            at = f"{when:%Y-%m-%d %H:%M}"
            said = escape(t("cosigned by witness %(name)s on %(at)s UTC") % {"name": name, "at": at})
            signers.append(f"<li>{said} <span class='code'>{payload[:4].hex()}</span></li>")
        else:
            said = escape(t("signed by %(name)s") % {"name": name})
            signers.append(f"<li>{said} <span class='code'>{payload[:4].hex()}</span></li>")
    if not witnessed:
        signers.append(f"<li class='muted'>{w_no_witness_has_cosigned_this_c}</li>")
    extensions = "".join(f"<div class='code'>{escape(line)}</div>" for line in checkpoint.extensions)
    also = f"<dt>{w_extensions}</dt><dd>{extensions}</dd>" if extensions else ""
    size = t("%(count)s events") % {"count": f"{checkpoint.size:,}"}
    return f"""
<section class="anchor">
  <h2>{w_anchored_to_the_transparency_l}</h2>
  <dl class="facts wide">
    <dt>{w_log}</dt><dd class="code">{escape(checkpoint.origin)}</dd>
    <dt>{w_tree_size}</dt><dd>{escape(size)}</dd>
    <dt>{w_root_hash}</dt><dd class="code hash">{escape(root)}<br>
      <span class="muted">{checkpoint.root_hash.hex()}</span></dd>
    {also}
    <dt>{w_signatures}</dt><dd><ul class="plain">{"".join(signers)}</ul></dd>
  </dl>
</section>"""


def _evidence_section(
    creations: list[Creation], leaves: Mapping[str, int], names: Mapping[str, str], redacted: int, w: PageWords
) -> str:
    t = w.t
    w_withheld = escape(t("withheld"))
    redacted_id = escape(t("redacted"))
    w_the_events_it_rests_on = escape(t("The events it rests on"))
    w_leaf = escape(t("Leaf"))
    w_type = escape(t("Type"))
    w_date = escape(t("Date"))
    w_reporter = escape(t("Reporter"))
    w_event = escape(t("Event"))

    def reporter(c: Creation) -> str:
        if not c.reporter:
            return f"<span class='muted'>{w_withheld}</span>"
        return f"{escape(names.get(c.reporter, ''))} <span class='code muted'>{escape(c.reporter)}</span>"

    rows = "".join(
        f"<tr><td class='num'>{leaves[c.ref]:,}</td><td>{escape(w.event(c.type))}</td>"
        f"<td class='date'>{_date(c.time)}</td><td>{reporter(c)}</td>"
        f"<td class='code'>{escape(c.event_id) if c.reporter else redacted_id}</td></tr>"
        for c in sorted(creations, key=lambda c: leaves[c.ref])
    )
    said = t(
        "Events reported by other enterprises are redacted: %(count)s. The file carries what the trace needs of "
        "each (type, time, lots, masses, compositions), commitments to the rest, and the log key's signature "
        "binding both to the event's leaf."
    )
    note = f'<p class="muted">{escape(said % {"count": redacted})}</p>' if redacted else ""
    aside = t("%(count)s, each carried in the certificate file with its inclusion proof (RFC 9162)") % {
        "count": len(creations)
    }
    return f"""
<section class="evidence">
  <h2>{w_the_events_it_rests_on} <span class="aside">{escape(aside)}</span></h2>
  {note}
  <table>
    <thead><tr><th class="num">{w_leaf}</th><th>{w_type}</th><th>{w_date}</th>
      <th>{w_reporter}</th><th>{w_event}</th></tr></thead>
    <tbody>{rows}</tbody>
  </table>
</section>"""


def _footer(certificate: Mapping[str, Any], file_sha256: str | None, w: PageWords) -> str:
    t = w.t
    w_certificate_file_sha_256 = escape(t("Certificate file SHA-256:"))
    w_how_to_check_it = escape(t("How to check it."))
    digest = (
        f"<div>{w_certificate_file_sha_256} <span class='code'>{escape(file_sha256)}</span></div>"
        if file_sha256
        else ""
    )
    how = t(
        "This page summarises the certificate file; the file is the proof. With nothing but the file and the "
        "log's key, offline, the command below checks the log's signature on the checkpoint, each witness's "
        "cosignature and every event's inclusion proof, and recomputes every figure of the trace from the events."
    )
    issued = t("Issued %(at)s · format %(format)s") % {
        "at": str(certificate.get("issued_at", "")),
        "format": str(certificate.get("format", "")),
    }
    return f"""
<footer>
  <div class="verify">
    <b>{w_how_to_check_it}</b> {escape(how)}
    <pre>reetrace verify CERTIFICATE.json --log-key &lt;KEY&gt; [--witness-key &lt;KEY&gt; …]</pre>
  </div>
  <div class="meta">{escape(issued)}{digest}</div>
</footer>"""


# --- helpers --------------------------------------------------------------------------------


def signature_lines(note: str) -> list[tuple[str, bytes]]:
    """(key name, payload) of each signature line of a note; unchecked, for display only."""
    block = note[note.rfind("\n\n") + 2 :]
    lines = []
    for line in block.splitlines():
        name, _, encoded = line.removeprefix("\u2014 ").partition(" ")
        try:
            lines.append((name, base64.b64decode(encoded, validate=True)))
        except (binascii.Error, ValueError):
            continue
    return lines


def _kg(value: float) -> str:
    if value >= 100:
        return f"{value:,.1f}"
    if value >= 0.001:
        return f"{value:,.3f}"
    return f"{value:.2g}" if value else "0"


def _share(part: float, total: float) -> str:
    if not total > 0:
        return "—"
    share = part / total
    return "&lt;0.1%" if 0 < share < 0.0005 else f"{share:.1%}"


def _date(moment: Any) -> str:
    return moment.strftime("%Y-%m-%d") if isinstance(moment, datetime) else escape(str(moment)[:10])


__all__ = ["COSIGNATURE_PAYLOAD", "qr_payload", "qr_svg", "render_html", "signature_lines"]
