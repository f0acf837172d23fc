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
from collections.abc import Mapping, Sequence
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
_TYPES = {"extract": "Mine", "import": "Import", "unknown": "Unknown origin"}


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
) -> str:
    """The page for a certificate (assumed valid: render after verifying). `names` maps USCCs to
    registered names; `file_sha256` is the digest of the certificate file it summarises;
    `blocking`, when given, is (the day, one line per finding) of the findings upstream that
    would block a license for the lot on that day, printed under the header (the certificate
    proves where the material came from; supervision judges it, and the page says so)."""
    names = names or {}
    lot: str = certificate["lot"]
    trace: Mapping[str, Any] = certificate["trace"]
    shown = _shown(certificate)
    creations = [c for c, _, _ in shown]
    leaves = {c.ref: leaf for c, leaf, _ in shown}
    details = {c.ref: detail for c, _, detail in shown}
    note: str = certificate["checkpoint"]
    checkpoint = Checkpoint.parse(note[: note.rfind("\n\n") + 1])
    creation = InMemoryLotSource.from_creations(creations).creations([lot]).get(lot)

    def party(uscc: str | None) -> str:
        if uscc == "":
            return '<span class="muted">withheld</span>'
        if uscc is None:
            return '<span class="muted">—</span>'
        name = names.get(uscc)
        code = f'<span class="code">{escape(uscc)}</span>'
        return f"{escape(name)}<br>{code}" if name else code

    sections = [
        _header(lot, checkpoint),
        *([_blocking_section(*blocking)] if blocking is not None else []),
        _lot_section(lot, creation, trace, party),
        _origins_section(trace, details, party),
        _steps_section(lot, creations, party),
        _anchor_section(checkpoint, note),
        _evidence_section(creations, leaves, names, len(certificate.get("redacted") or ())),
        _footer(certificate, file_sha256),
    ]
    return PAGE.format(title=escape(f"Certificate of provenance — {lot}"), css=CSS, body="\n".join(sections))


def _shown(certificate: Mapping[str, Any]) -> list[tuple[Creation, int, str]]:
    """Each creation the certificate shows, whole or projected, with its leaf and what the page
    says of its origin (the deposit, or the country and declaration of an import)."""
    shown = []
    for entry in certificate["events"]:
        event = validate_event(entry["event"], entry["reporter"])
        detail = ""
        if isinstance(event, Extract):
            detail = f"{event.deposit.replace('_', '-')} deposit<br>{_date(event.time)}"
        elif isinstance(event, Import):
            detail = f"from {escape(event.origin_country)} · {escape(event.customs_declaration)}<br>{_date(event.time)}"
        if event.type in ("extract", "import", "transform"):
            shown.append((Creation.of(event), entry["leaf_index"], detail))
    for entry in certificate.get("redacted") or ():
        creation = creation_of(entry["projection"], entry["leaf_index"])
        projection = entry["projection"]
        detail = ""
        if creation.type == "extract":
            detail = f"{escape(str(projection['deposit']).replace('_', '-'))} deposit<br>{_date(creation.time)}"
        elif creation.type == "import":
            detail = f"from {escape(str(projection['origin_country']))}<br>{_date(creation.time)}"
        shown.append((creation, entry["leaf_index"], detail))
    return shown


# --- sections -------------------------------------------------------------------------------


def _header(lot: str, checkpoint: Checkpoint) -> str:
    return f"""
<header>
  <div class="heading">
    <div class="kicker">Rare earth traceability · 稀土产品追溯</div>
    <h1>Certificate of provenance</h1>
    <div class="subtitle">溯源证书 · anyone can recompute every figure below from the events it rests on, each
      proven to be in a signed transparency log</div>
    <div class="lot-id">{escape(lot)}</div>
  </div>
  <figure class="qr-box">{qr_svg(qr_payload(lot, checkpoint))}
    <figcaption>lot · log checkpoint</figcaption></figure>
</header>"""


def _blocking_section(day: str, lines: Sequence[str]) -> str:
    if not lines:
        return f"""
<section class="blocking">
  <h2>Supervision · 监管</h2>
  <p>No finding upstream of this lot blocks a license as of {escape(day)} · 截至该日，上游无阻断许可的问题。</p>
</section>"""
    items = "\n".join(f"    <li>{escape(line)}</li>" for line in lines)
    return f"""
<section class="blocking">
  <h2>Findings upstream that block a license · 上游阻断许可的问题</h2>
  <p>As of {escape(day)} · 截至该日:</p>
  <ul>
{items}
  </ul>
</section>"""


def _lot_section(lot: str, creation: Creation | None, trace: Mapping[str, Any], party: Any) -> str:
    made = creation.output(lot) if creation is not None else None
    if creation is None or made is None:
        return f"""
<section><h2>The lot</h2>
  <p class="warning">No event in this certificate creates lot {escape(lot)}: its whole content is of unknown
  origin.</p></section>"""
    elements_kg = trace.get("elements_kg", {})
    rows = "".join(
        f"<tr><td>{escape(e)}</td><td class='num'>{made.composition[e]:.2%}</td>"
        f"<td class='num'>{_kg(elements_kg.get(e, made.mass_kg * made.composition[e]))}</td></tr>"
        for e in sorted(made.composition, key=lambda e: _ORDER.get(e, 99))
        if made.composition[e] > 0
    )
    rest = 1 - sum(made.composition.values())
    hs = f"<dt>HS code</dt><dd>{escape(made.hs_code)}</dd>" if made.hs_code else ""
    process = f" ({escape(creation.process)})" if creation.process else ""
    return f"""
<section class="lot">
  <h2>The lot</h2>
  <div class="columns">
    <dl class="facts">
      <dt>Form</dt><dd class="strong">{escape(made.form.replace("_", " "))}</dd>
      <dt>Mass</dt><dd class="strong">{_kg(made.mass_kg)} kg</dd>
      <dt>REO equivalent</dt><dd>{_kg(trace.get("reo_kg", 0.0))} kg</dd>
      {hs}
      <dt>Made by</dt><dd>{party(creation.reporter)}</dd>
      <dt>Made</dt><dd>{_date(creation.time)} · {escape(creation.type)}{process}</dd>
      <dt>Event</dt><dd class="code">{escape(creation.ref)}</dd>
    </dl>
    <table class="composition">
      <thead><tr><th>Element</th><th class="num">Mass fraction</th><th class="num">kg</th></tr></thead>
      <tbody>{rows}</tbody>
      <tfoot><tr><td>other</td><td class="num">{max(rest, 0.0):.2%}</td><td></td></tr></tfoot>
    </table>
  </div>
</section>"""


def _origins_section(trace: Mapping[str, Any], details: Mapping[str, str], party: Any) -> str:
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
            f"<td><span class='badge {escape(kind)}'>{escape(_TYPES.get(kind, kind))}</span>"
            f"<div class='small'>{detail}</div></td>"
            f"<td>{party('' if withheld else origin.get('enterprise'))}</td>"
            f"<td class='code'>{escape(origin['lot'])}<div class='small code'>{escape(origin.get('event') or '')}"
            f"</div></td>"
            f"<td>{elements}</td><td class='num'>{_kg(origin.get('reo_kg', 0.0))}</td>"
            f"<td class='num strong'>{share}</td></tr>"
        )
    unknown = [o for o in trace.get("origins", []) if o.get("type") == "unknown"]
    note = (
        "<p class='ok'>Every origin is a mine or an import, each proven by an event in the log.</p>"
        if not unknown
        else f"<p class='warning'>{len(unknown)} input lot{'s' if len(unknown) > 1 else ''} of unknown origin: no "
        f"event in the log creates {'them' if len(unknown) > 1 else 'it'} "
        f"({_kg(sum(o.get('reo_kg', 0.0) for o in unknown))} kg REO).</p>"
    )
    return f"""
<section>
  <h2>Origins <span class="aside">element mass each contributed, allocated element by element in proportion
    through every process (docs/contract.md §6)</span></h2>
  <table class="origins">
    <thead><tr><th>Origin</th><th>Enterprise</th><th>Lot · event</th><th>Elements (kg)</th>
      <th class="num">REO kg</th><th class="num">Share</th></tr></thead>
    <tbody>{"".join(rows)}</tbody>
  </table>
  {note}
</section>"""


def _steps_section(lot: str, creations: list[Creation], party: Any) -> str:
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
            f"<div><span class='code'>{escape(o.lot)}</span> · {escape(o.form.replace('_', ' '))} "
            f"{_kg(o.mass_kg)}&nbsp;kg</div>"
            for o in outputs
        )
        others = len(event.outputs) - len(outputs)
        if others:
            made += f"<div class='muted small'>and {others} other output{'s' if others > 1 else ''}</div>"
        rows.append(
            f"<tr><td class='date'>{_date(event.time)}</td><td>{escape(event.process or '')}</td>"
            f"<td>{party(event.reporter)}</td><td>{inputs}</td><td>{made}</td></tr>"
        )
    return f"""
<section>
  <h2>Processing steps</h2>
  <table class="steps">
    <colgroup><col style="width:17mm"><col style="width:16mm"><col style="width:39mm"><col style="width:57mm">
      <col></colgroup>
    <thead><tr><th>Date</th><th>Process</th><th>Enterprise</th><th>Drew</th><th>Made</th></tr></thead>
    <tbody>{"".join(rows)}</tbody>
  </table>
</section>"""


def _anchor_section(checkpoint: Checkpoint, note: str) -> str:
    root = base64.b64encode(checkpoint.root_hash).decode("ascii")
    signers, witnessed = [], 0
    for name, payload in signature_lines(note):
        if len(payload) == COSIGNATURE_PAYLOAD:
            witnessed += 1
            when = datetime.fromtimestamp(int.from_bytes(payload[4:12], "big"), UTC)
            signers.append(
                f"<li>cosigned by witness <b>{escape(name)}</b> "
                f"<span class='code'>{payload[:4].hex()}</span> on {when:%Y-%m-%d %H:%M} UTC</li>"
            )
        else:
            signers.append(f"<li>signed by <b>{escape(name)}</b> <span class='code'>{payload[:4].hex()}</span></li>")
    if not witnessed:
        signers.append("<li class='muted'>no witness has cosigned this checkpoint</li>")
    extensions = "".join(f"<div class='code'>{escape(line)}</div>" for line in checkpoint.extensions)
    also = f"<dt>Extensions</dt><dd>{extensions}</dd>" if extensions else ""
    return f"""
<section class="anchor">
  <h2>Anchored to the transparency log</h2>
  <dl class="facts wide">
    <dt>Log</dt><dd class="code">{escape(checkpoint.origin)}</dd>
    <dt>Tree size</dt><dd>{checkpoint.size:,} events</dd>
    <dt>Root hash</dt><dd class="code hash">{escape(root)}<br>
      <span class="muted">{checkpoint.root_hash.hex()}</span></dd>
    {also}
    <dt>Signatures</dt><dd><ul class="plain">{"".join(signers)}</ul></dd>
  </dl>
</section>"""


def _evidence_section(
    creations: list[Creation], leaves: Mapping[str, int], names: Mapping[str, str], redacted: int
) -> str:
    def reporter(c: Creation) -> str:
        if not c.reporter:
            return "<span class='muted'>withheld</span>"
        return f"{escape(names.get(c.reporter, ''))} <span class='code muted'>{escape(c.reporter)}</span>"

    rows = "".join(
        f"<tr><td class='num'>{leaves[c.ref]:,}</td><td>{escape(c.type)}</td><td class='date'>{_date(c.time)}</td>"
        f"<td>{reporter(c)}</td><td class='code'>{escape(c.event_id if c.reporter else 'redacted')}</td></tr>"
        for c in sorted(creations, key=lambda c: leaves[c.ref])
    )
    note = (
        f"""<p class="muted">{redacted} of them, reported by other enterprises, are redacted: the file carries
  what the trace needs of each (type, time, lots, masses, compositions), commitments to the rest, and the log
  key's signature binding both to the event's leaf.</p>"""
        if redacted
        else ""
    )
    return f"""
<section class="evidence">
  <h2>The events it rests on <span class="aside">{len(creations)}, each carried in the certificate file with its
    inclusion proof (RFC 9162)</span></h2>
  {note}
  <table>
    <thead><tr><th class="num">Leaf</th><th>Type</th><th>Date</th><th>Reporter</th><th>Event</th></tr></thead>
    <tbody>{rows}</tbody>
  </table>
</section>"""


def _footer(certificate: Mapping[str, Any], file_sha256: str | None) -> str:
    digest = (
        f"<div>Certificate file SHA-256: <span class='code'>{escape(file_sha256)}</span></div>" if file_sha256 else ""
    )
    return f"""
<footer>
  <div class="verify">
    <b>How to check it.</b> This page summarises the certificate file; the file is the proof. With nothing but the
    file and the log's key, offline:
    <pre>reetrace verify CERTIFICATE.json --log-key &lt;log verifier key&gt; [--witness-key &lt;witness key&gt; …]</pre>
    checks the log's signature on the checkpoint, each witness's cosignature, every event's inclusion proof, and
    recomputes every figure of the trace from the events.
  </div>
  <div class="meta">Issued {escape(str(certificate.get("issued_at", "")))} · format
    {escape(str(certificate.get("format", "")))}{digest}</div>
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
