"""The pages over HTTP (TestClient): login and language, the dashboard's charts, findings with
triage, a lot with its trace and certificate, the portal's upload, the review workbench, and
tenant isolation (an enterprise user never sees another enterprise's data)."""

import json
import re
import xml.etree.ElementTree as ET

from demo_site import PASSWORD
from reetrace.services.dashboard import today
from reetrace.services.triage import triaged_findings

SVG = "{http://www.w3.org/2000/svg}"


def h1(html: str) -> str:
    return re.search(r"<h1>(.*?)</h1>", html, re.S).group(1).strip()


def charts(html: str) -> dict[str, ET.Element]:
    found = {}
    for svg in re.findall(r"<svg .*?</svg>", html, re.S):
        root = ET.fromstring(svg)
        found[root.get("class").split("chart-")[1]] = root
    return found


def test_pages_need_a_login_and_a_wrong_password_is_refused(site):
    client = site.client()
    response = client.get("/findings?year=2025", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login?next=%2Ffindings%3Fyear%3D2025"
    response = client.post("/login", data={"username": "regulator", "password": "wrong-password"})
    assert response.status_code == 401 and "用户不存在或密码错误" in response.text
    response = client.post(
        "/login",
        data={"username": "regulator", "password": PASSWORD, "next": "https://evil.example/"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"  # never back to another site


def test_the_dashboard_draws_four_charts_in_the_chosen_language(site):
    client = site.client("regulator")
    page = client.get("/")
    assert page.status_code == 200 and "全国总览" in h1(page.text) and '<html lang="zh-Hans">' in page.text
    drawn = charts(page.text)
    assert set(drawn) == {"quota", "findings", "compliance", "sankey"}
    assert drawn["quota"].find(f"{SVG}title").text.endswith("年指标使用情况")
    assert [r for r in drawn["sankey"].iter(f"{SVG}rect") if r.get("data-node") == "separation"]
    assert [r for r in drawn["compliance"].iter(f"{SVG}rect") if r.get("class") == "cell"]
    client.get("/language/en?next=/")
    english = client.get("/")
    assert h1(english.text).startswith("National overview") and '<html lang="en">' in english.text
    assert charts(english.text)["sankey"].find(f"{SVG}title").text.startswith("National flow of rare earths")


def test_findings_filter_open_and_triage(site):
    client = site.client("inspector")
    everything = triaged_findings(site.store, site.settings, today(site.settings))
    target = everything[0]
    page = client.get(f"/findings?code={target.finding.code}")
    keys = re.findall(r'data-key="(\w+)"', page.text)
    assert target.key in keys and all(f.finding.code == target.finding.code for f in everything if f.key in keys)
    detail = client.get(f"/findings/{target.key}")
    assert detail.status_code == 200 and target.finding.code in detail.text
    token = re.search(r'name="form_token" value="(\w+)"', detail.text).group(1)
    done = client.post(
        f"/findings/{target.key}/triage", data={"action": "confirm", "note": "checked on site", "form_token": token}
    )
    assert done.status_code == 200 and "已确认" in done.text and "checked on site" in done.text
    forged = client.post(f"/findings/{target.key}/triage", data={"action": "dismiss", "note": "x", "form_token": "0"})
    assert forged.status_code == 403


def test_a_lot_shows_its_trace_timeline_and_certificate(site):
    client = site.client("regulator")
    page = client.get(f"/lots/{site.lot}")
    assert page.status_code == 200 and site.lot in h1(page.text)
    lineage = [c for c in re.findall(r"<svg .*?</svg>", page.text, re.S) if "chart-lineage" in c]
    assert len(lineage) == 2
    backward = ET.fromstring(lineage[0])
    assert len([r for r in backward.iter(f"{SVG}rect") if r.get("class") == "lot"]) >= 2
    assert 'class="timeline"' in page.text
    certificate = client.get(f"/lots/{site.lot}/certificate")
    assert certificate.status_code == 200 and json.loads(certificate.text)["format"].startswith("reetrace/certificate")
    assert client.get("/lots/NO-SUCH-LOT").status_code == 404


def test_an_enterprise_user_sees_only_its_own_enterprise(site):
    client = site.client("firm")
    for staff_page in ("/", f"/lots/{site.lot}", "/review", f"/review/{site.application}"):
        assert client.get(staff_page).status_code == 403, staff_page
    everything = triaged_findings(site.store, site.settings, today(site.settings))
    listed = set(re.findall(r'data-key="(\w+)"', client.get(f"/findings?enterprise={site.other}").text))
    assert listed == {f.key for f in everything if f.finding.enterprise == site.mine}
    others = [f for f in everything if f.finding.enterprise != site.mine]
    theirs, missing = others[0].key, "0" * len(others[0].key)
    answers = [client.get(f"/findings/{key}") for key in (theirs, missing)]
    assert [a.status_code for a in answers] == [404, 404]  # another's finding reads as one that does not exist
    assert answers[0].text.replace(theirs, "KEY") == answers[1].text.replace(missing, "KEY")
    portal = client.get("/portal")
    assert portal.status_code == 200 and site.mine in portal.text and site.other not in portal.text


def test_the_portal_ingests_an_upload_and_refuses_another_enterprises_file(site):
    client = site.client("firm")
    token = re.search(r'name="form_token" value="(\w+)"', client.get("/portal").text).group(1)
    raw = site.held_back.read_bytes()
    sent = client.post(
        "/portal/submissions",
        data={"form_token": token},
        files={"submission": (site.held_back.name, raw, "application/json")},
    )
    assert sent.status_code == 200 and "已接收" in sent.text
    again = client.post(
        "/portal/submissions",
        data={"form_token": token},
        files={"submission": (site.held_back.name, raw, "application/json")},
    )
    assert "此前已接收" in again.text
    rival = site.client("rival")
    token = re.search(r'name="form_token" value="(\w+)"', rival.get("/portal").text).group(1)
    refused = rival.post(
        "/portal/submissions", data={"form_token": token}, files={"submission": ("x.json", raw, "application/json")}
    )
    assert refused.status_code == 403 and "其他企业" in refused.text
    broken = client.post(
        "/portal/submissions",
        data={"form_token": re.search(r'name="form_token" value="(\w+)"', client.get("/portal").text).group(1)},
        files={"submission": ("broken.json", b"{not json", "application/json")},
    )
    assert broken.status_code == 422 and "无法读取" in broken.text


def test_the_review_workbench_registers_the_official_and_records_a_step(site):
    client = site.client("reviewer")
    queue = client.get("/review")
    assert queue.status_code == 200 and site.application in queue.text
    page = client.get(f"/review/{site.application}")
    assert page.status_code == 200 and "预审" in page.text
    token = re.search(r'name="form_token" value="(\w+)"', page.text).group(1)
    done = client.post(f"/review/{site.application}/step", data={"action": "accept", "form_token": token})
    assert done.status_code == 200 and "已受理" in done.text and "reviewer" in done.text
    approver = site.client("approver")
    page = approver.get(f"/review/{site.application}")
    token = re.search(r'name="form_token" value="(\w+)"', page.text).group(1)
    refused = approver.post(f"/review/{site.application}/step", data={"action": "start", "form_token": token})
    assert refused.status_code == 422  # starting the review is a reviewer's step
    assert site.client("regulator").get("/review").status_code == 403
