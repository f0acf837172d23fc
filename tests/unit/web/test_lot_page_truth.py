"""The lot page tells what the pre-review would: the findings that block a license upstream and
downstream of the lot (the same rule, `services.lot_findings`), and links to a printable
certificate with its QR code, whose style sheet the pages' content security policy allows."""

import re

from reetrace.services.dashboard import today
from reetrace.services.lot_findings import blocking_around
from reetrace.services.triage import key_of


def section(html: str, name: str) -> str:
    return html.split(f'id="{name}"')[1].split("</section>")[0]


def test_the_lot_page_lists_blocking_findings_both_ways(site):
    client = site.client("regulator")
    around = blocking_around(site.store, site.settings, site.lot, today(site.settings))
    blocking = section(client.get(f"/lots/{site.lot}").text, "blocking")
    for where, found, clean in (
        ("upstream", around.upstream, "上游无阻断许可的问题"),
        ("downstream", around.downstream, "下游无阻断许可的问题"),
    ):
        listed = (
            re.findall(r'<a href="/findings/(\w+)">', blocking.split(f'class="blocking {where}"')[1].split("</ul>")[0])
            if found
            else []
        )
        assert listed == [key_of(f) for f in found]
        assert (clean in blocking) == (not found)
    client.get("/language/en?next=/")
    english = section(client.get(f"/lots/{site.lot}").text, "blocking")
    assert "Findings that block a license" in english and "Upstream (in what this lot was made from)" in english


def test_the_printable_certificate_is_reachable_from_the_lot(site):
    client = site.client("regulator")
    page = client.get(f"/lots/{site.lot}").text
    link = re.search(r'href="(/lots/[^"]+/certificate/print)"', page).group(1)
    printable = client.get(link)
    assert printable.status_code == 200 and printable.headers["content-type"].startswith("text/html")
    assert "<svg" in printable.text and "qr-box" in printable.text and site.lot in printable.text
    assert "<style>" not in printable.text  # the policy allows no inline style: it is linked
    style = re.search(r'<link rel="stylesheet" href="([^"]+)">', printable.text).group(1)
    css = client.get(style)
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css") and "@page" in css.text
    # in the reader's language: Chinese by default, English when chosen; no contract code on it
    zh = printable.text
    assert '<html lang="zh-Hans">' in zh and "溯源证书" in zh and ("监管" in zh or "上游阻断许可的问题" in zh)
    for english in ("Certificate of provenance", "The lot", "Origins", "Processing steps", "How to check it"):
        assert english not in zh, english
    assert not re.search(r">\s*(?:extract|transform|ion_adsorption|mixed_compound)\s*<", zh)
    client.get("/language/en?next=/")
    en = client.get(link).text
    assert '<html lang="en">' in en and "Certificate of provenance" in en and "溯源证书" not in en
    assert "Supervision" in en or "block a license" in en
    client.get("/language/zh-Hans?next=/")
    assert client.get("/lots/NO-SUCH-LOT/certificate/print").status_code == 404
    assert site.client("firm").get(link).status_code == 403  # staff only, as the lot page


def prefixed(page: str) -> str:
    """The table of the lots whose id begins with the prefix (the list of every lot follows it)."""
    return page.split('<table class="lots prefix">')[1].split("</table>")[0]


def test_lots_are_browsed_and_searched_by_prefix(site):
    client = site.client("regulator")
    head = site.lot.split("-")[0] + "-"
    page = client.get("/lots", params={"prefix": head}).text
    listed = re.findall(r'<td><a href="/lots/([^"]+)">', prefixed(page))
    assert site.lot in listed and all(lot.startswith(head) for lot in listed) and listed == sorted(listed)
    assert f"编号以“{head}”开头的批次" in page
    assert 'class="lots prefix"' not in client.get("/lots").text  # without a prefix: only the list of every lot
    nothing = client.get("/lots", params={"prefix": "NO-SUCH-"}).text
    assert "没有以此开头的批次编号" in nothing and not re.findall(r'<td><a href="/lots/', prefixed(nothing))
    refused = client.get("/lots", params={"prefix": "x" * 81})
    assert refused.status_code == 400 and "最多 80 个可打印字符" in refused.text
    client.get("/language/en?next=/")
    assert f"Lots whose id begins with “{head}”" in client.get("/lots", params={"prefix": head}).text
    assert site.client("firm").get("/lots").status_code == 403


def test_an_unknown_lot_id_keeps_what_was_typed_and_suggests_lots_beginning_with_it(site):
    client = site.client("regulator")
    opened = client.get("/lots", params={"lot": site.lot}, follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"] == f"/lots/{site.lot}"  # the near miss
    partial = site.lot[:-1]  # not an id, but the beginning of one
    page = client.get("/lots", params={"lot": partial})
    assert page.status_code == 404
    assert f'<input name="lot" required maxlength="80" value="{partial}">' in page.text
    assert f"没有编号为“{partial}”的批次。" in page.text
    assert site.lot in re.findall(r'<td><a href="/lots/([^"]+)">', page.text)
    long = client.get("/lots", params={"lot": "y" * 5000})  # bounded: no lot, and the echo is cut
    assert long.status_code == 404 and "没有以此开头的批次编号" in long.text
    assert f'<input name="lot" required maxlength="80" value="{"y" * 200}">' in long.text
