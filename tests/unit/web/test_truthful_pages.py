"""Pages that tell the truth (over HTTP): the dashboard's headline counts the chosen year's
findings, and a year with no flow says so in words instead of drawing an empty box."""

import re
import xml.etree.ElementTree as ET

from reetrace.services.dashboard import latest_year

SVG = "{http://www.w3.org/2000/svg}"


def headline(html: str) -> int:
    figure = re.search(r'<ul class="figures">\s*<li><strong>([\d,]+)</strong>', html)
    return int(figure.group(1).replace(",", ""))


def sankey(html: str) -> ET.Element:
    return ET.fromstring(next(s for s in re.findall(r"<svg .*?</svg>", html, re.S) if "chart-sankey" in s))


def test_the_headline_counts_the_chosen_years_findings(site):
    client = site.client("regulator")
    year = latest_year(site.store, site.settings)
    page = client.get(f"/?year={year}").text
    by_code = page.split('class="by-code"')[1].split("</table>")[0]
    totals = re.findall(r'<td class="num">([\d,]+)</td></tr>', by_code)  # each row's total
    shown = headline(page)
    assert shown > 0 and shown == sum(int(n.replace(",", "")) for n in totals)
    assert headline(client.get(f"/?year={year - 3}").text) == 0  # a year without events has no findings


def test_a_year_without_flow_says_so(site):
    client = site.client("regulator")
    year = latest_year(site.store, site.settings)
    empty = sankey(client.get(f"/?year={year - 3}").text)
    words = [t.text for t in empty.iter(f"{SVG}text") if t.get("class") == "none"]
    assert words == [f"{year - 3}年未报告稀土流向。"]
    client.get("/language/en?next=/")
    english = sankey(client.get(f"/?year={year - 3}").text)
    assert [t.text for t in english.iter(f"{SVG}text") if t.get("class") == "none"] == [
        f"No flow of rare earths was reported in {year - 3}."
    ]
    full = sankey(client.get(f"/?year={year}").text)  # the near miss: the demo year draws its flow
    assert not [t for t in full.iter(f"{SVG}text") if t.get("class") == "none"]
    assert [p for p in full.iter(f"{SVG}path") if p.get("class") == "flow"]


def test_a_year_out_of_range_keeps_what_was_typed_and_says_why(site):
    client = site.client("regulator")
    refused = client.get("/?year=1800")
    assert refused.status_code == 422
    assert 'name="year" type="number" value="1800"' in refused.text
    assert re.search(r'<p class="error" role="alert">请选择 1900 至 9998 年之间的年份。</p>', refused.text)
    year = latest_year(site.store, site.settings)
    shown = client.get(f"/?year={year}")  # the near miss: a year in range
    assert shown.status_code == 200 and 'role="alert"' not in shown.text
    assert f'name="year" type="number" value="{year}"' in shown.text
