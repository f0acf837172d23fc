"""The printable certificate's page: its HTML skeleton and its A4 style sheet (inline, so that
the page is one self-contained file)."""

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{css}</style>
</head>
<body>
<main class="sheet">
{body}
</main>
</body>
</html>
"""

CSS = """
@page { size: A4; margin: 13mm 14mm; }
:root { --ink: #1b1f24; --muted: #66707a; --accent: #14365d; --line: #d5dbe1; --soft: #f3f5f8;
        --good: #1d6b3a; --bad: #a3261b; }
* { box-sizing: border-box; }
html { background: #e6e9ed; }
body { margin: 0; color: var(--ink);
       font: 9.5pt/1.42 "Noto Sans", "Helvetica Neue", Arial, "Noto Sans CJK SC", "PingFang SC", sans-serif; }
.sheet { width: 210mm; min-height: 297mm; margin: 8mm auto; padding: 13mm 14mm; background: #fff;
         box-shadow: 0 1px 6px rgba(0, 0, 0, .18); }
@media print {
  html { background: none; }
  .sheet { width: auto; min-height: 0; margin: 0; padding: 0; box-shadow: none; }
}
header { display: flex; justify-content: space-between; align-items: flex-start; gap: 8mm;
         border-bottom: 2.5px solid var(--accent); padding-bottom: 4mm; margin-bottom: 5mm; }
.kicker { text-transform: uppercase; letter-spacing: .08em; font-size: 8pt; color: var(--accent); font-weight: 600; }
h1 { font-size: 21pt; margin: 1mm 0 0; color: var(--accent); letter-spacing: -.01em; }
.subtitle { color: var(--muted); font-size: 8.5pt; margin-top: .5mm; max-width: 120mm; }
.lot-id { font: 600 15pt/1.2 "DejaVu Sans Mono", Menlo, Consolas, monospace; margin-top: 3.5mm;
          padding: 1.5mm 3mm; background: var(--soft); border-left: 3px solid var(--accent); display: inline-block;
          word-break: break-all; }
.qr-box { margin: 0; text-align: center; flex: none; }
.qr-box svg { width: 38mm; height: 38mm; display: block; shape-rendering: crispEdges; }
.qr-box figcaption { font-size: 7pt; color: var(--muted); margin-top: 1mm; }
section { margin-bottom: 5mm; }
section.lot, section.anchor { break-inside: avoid; }
h2 { break-after: avoid; font-size: 11pt; color: var(--accent); margin: 0 0 2mm; padding-bottom: 1mm;
     border-bottom: 1px solid var(--line); }
h2 .aside { font-weight: normal; font-size: 8pt; color: var(--muted); margin-left: 2mm; }
.columns { display: flex; gap: 8mm; align-items: flex-start; }
.columns > * { flex: 1; }
dl.facts { display: grid; grid-template-columns: 28mm 1fr; gap: 1.2mm 3mm; margin: 0; }
dl.facts.wide { grid-template-columns: 24mm 1fr; }
dt { color: var(--muted); }
dd { margin: 0; }
.strong { font-weight: 600; }
.code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 8pt; }
.hash { word-break: break-all; }
.muted { color: var(--muted); }
.small { font-size: 7.5pt; color: var(--muted); margin-top: .5mm; }
table { width: 100%; border-collapse: collapse; }
th { text-align: left; font-size: 7.5pt; text-transform: uppercase; letter-spacing: .04em; color: var(--muted);
     font-weight: 600; border-bottom: 1.5px solid var(--line); padding: 1mm 1.5mm; }
td { border-bottom: 1px solid var(--line); padding: 1.3mm 1.5mm; vertical-align: top; }
tr { break-inside: avoid; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.composition td, table.composition th { padding: .7mm 1.5mm; }
table.composition tfoot td { color: var(--muted); border-bottom: none; }
.el { display: inline-block; margin-right: 2.5mm; white-space: nowrap; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; white-space: nowrap; font-size: 7.5pt; font-weight: 600; padding: .3mm 2mm;
         border-radius: 2mm;
         background: #e3efe7; color: var(--good); }
.badge.import { background: #e4ecf7; color: var(--accent); }
.badge.unknown { background: #f8e3e0; color: var(--bad); }
tr.unknown td { background: #fdf6f5; }
p.ok { color: var(--good); margin: 2mm 0 0; font-size: 8.5pt; }
p.warning { color: var(--bad); margin: 2mm 0 0; font-weight: 600; }
ul.plain { list-style: none; margin: 0; padding: 0; }
.evidence table td, .evidence table th { padding: .5mm 1.5mm; font-size: 7.5pt; }
td.date { white-space: nowrap; }
table.steps { table-layout: fixed; }
.steps td { font-size: 8pt; }
footer { border-top: 1px solid var(--line); padding-top: 3mm; font-size: 8pt; color: var(--muted);
         break-inside: avoid; }
footer .verify { color: var(--ink); }
footer pre { background: var(--soft); padding: 1.5mm 3mm; margin: 1.5mm 0; white-space: pre-wrap;
             font: 8pt "DejaVu Sans Mono", Menlo, Consolas, monospace; }
footer .meta { margin-top: 2mm; }
"""
