"""The verify page and the lot's URI, through the app (docs/contract.md §11, docs/credentials.md).

The world: a Chinese concentrate and a Myanmar one blended at separation (as in
tests/e2e/test_credential_cli.py), the neodymium made into magnet MAG-1, whose maker registered
a GTIN for magnets; and the cerium oxide refined to metal `CEM/1` (a lot id holding "/"). A
credential is issued for each; then the plant draws the cerium oxide a second time, and the
finding that stands upstream of CEM/1 (not of MAG-1) revokes its credential.

Expected figures come from the chain: both concentrates hold the same neodymium, so half of the
magnet's is of Chinese origin (50.0 %); the mined stage was in China and Myanmar."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import quote

import httpx
import pytest
from api_data import PASSWORD

from factory import extract, lot, receive, ship, transform
from reetrace.certificates.printable import qr_svg
from reetrace.services import credential_status, registry
from reetrace.services import credentials as service
from reetrace.services.credential_links import DPP
from reetrace.services.ingest import ingest
from reetrace.web.verify import UPLOAD_LIMIT

GTIN = "09506000134352"
LINKSET = "application/linkset+json"
MAGNET = {"Nd": 0.29, "Dy": 0.01}


def import_(event_id: str, country: str, declaration: str, outputs: list[dict]) -> dict:
    return {
        "event_id": event_id,
        "type": "import",
        "time": "2026-01-06T08:00:00+08:00",
        "origin_country": country,
        "customs_declaration": declaration,
        "outputs": outputs,
    }


@dataclass
class Issued:
    magnet: str  # MAG-1's credential, valid
    revoked: str  # CEM/1's, revoked by a later finding
    public_url: str


@pytest.fixture(scope="module")
def issued(live, tmp_path_factory) -> Issued:
    w, folder = live.world, tmp_path_factory.mktemp("verify")
    doc = w.registry()
    plant = next(e for e in doc["enterprises"] if e["uscc"] == w.plant.uscc)
    plant["gtins"] = {"magnet": GTIN}
    registry.load_registry(live.store, doc)
    live.add_user("regulator", "regulator")
    live.add_user("auditor", "auditor")
    live.add_user("plant_user", "enterprise", w.plant.uscc)
    m, p = w.mine, w.plant
    mine = m.submit(
        [extract("m1", "C1", 1000, composition={"Ce": 0.2, "Nd": 0.1, "Dy": 0.02}), ship("m2", ["C1"], p.uscc, "S1")]
    )
    made = p.submit(
        [
            receive("p1", ["C1"], m.uscc, "S1", mass_kg=1000),
            import_("p0", "MM", "DEC-1", [lot("C2", "concentrate", 1000, {"Nd": 0.1, "Dy": 0.02})]),
            transform(
                "p2",
                "separation",
                [("C1", 1000), ("C2", 1000)],
                [
                    lot("NDO-1", "oxide", 230.0, {"Nd": 0.8574 * 0.99}),
                    lot("DYO-1", "oxide", 44.0, {"Dy": 0.8713 * 0.99}),
                    lot("CEO-1", "oxide", 240.0, {"Ce": 0.8141 * 0.99}),
                ],
            ),
            transform("p3", "metal", [("NDO-1", 230.0)], [lot("NDM-1", "metal", 190.0, {"Nd": 0.995})]),
            transform("p6", "metal", [("CEO-1", 240.0)], [lot("CEM/1", "metal", 190.0, {"Ce": 0.99})]),
            transform(
                "p4",
                "magnet",
                [("NDM-1", 90.0), ("DYO-1", 3.6)],
                [lot("MAG-1", "magnet", 300.0, MAGNET)],
                time="2026-01-20T08:00:00+08:00",
            ),
        ],
        created_at="2026-02-06T10:00:00+08:00",
    )
    files = []
    for name, submission in (("mine", mine), ("plant", made)):
        path = folder / f"{name}.json"
        path.write_text(json.dumps(submission), encoding="utf-8")
        files.append(path)
    assert ingest(live.store, files, as_received_created_at=True, settings=live.settings).events_accepted
    magnet = service.issue(live.store, live.settings, "MAG-1")
    assert magnet.all_origins_legal
    cerium = service.issue(live.store, live.settings, "CEM/1")
    again = p.submit(
        [transform("p9", "metal", [("CEO-1", 100.0)], [lot("CEM-9", "metal", 50.0, {"Ce": 0.99})])],
        created_at="2026-02-07T10:00:00+08:00",
    )
    path = folder / "again.json"
    path.write_text(json.dumps(again), encoding="utf-8")
    assert ingest(live.store, [path], as_received_created_at=True, settings=live.settings).events_accepted
    revoked = credential_status.review(live.store, live.settings)
    assert [r.credential_id for r in revoked] == [cerium.credential_id]
    return Issued(magnet.credential_id, cerium.credential_id, live.settings.public_url)


@contextmanager
def browser(live, username: str | None = None, **headers: str) -> Iterator[httpx.Client]:
    """A browser's session (logged in through the form when `username` is given)."""
    with httpx.Client(base_url=live.url, timeout=120, headers={"Origin": live.url, **headers}) as client:
        if username is not None:
            answer = client.post("/login", data={"username": username, "password": PASSWORD})
            assert answer.status_code == 303, answer.text
        yield client


def text_of(html: str) -> str:
    """The page's words, tags and runs of white space dropped."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# -- the verify page ------------------------------------------------------------------------


def test_a_valid_credential_says_so_and_what_it_states(live, issued):
    with browser(live) as client:
        page = client.get(f"/verify/{issued.magnet}")
    assert page.status_code == 200
    html, words = page.text, text_of(page.text)
    assert '<html lang="zh-Hans">' in html
    assert 'class="verdict-box valid"' in html and "有效且未撤销" in words
    assert "批次 MAG-1" in words and "磁体" in words
    assert "did:web:" in words and "中国（CN）" in words and "缅甸（MM）" in words
    assert "50.0%" in words  # half the magnet's Nd and Dy are of Chinese origin
    assert "钕（Nd）" in words and "镝（Dy）" in words
    assert "NdFeB" in words  # the magnet's CRMA data
    assert f'href="/credentials/{issued.magnet}"' in html
    assert 'href="/.well-known/did.json"' in html and 'href="/credentials/status/1"' in html
    assert 'class="chart chart-origins"' in html
    assert "<script" not in html and " style=" not in html  # the content security policy forbids both
    assert live.world.mine.uscc not in html and live.world.plant.uscc not in html


def test_a_revoked_credential_says_so_with_the_finding_and_the_day(live, issued):
    with browser(live, **{"Accept-Language": "en-GB,en;q=0.9"}) as client:
        page = client.get(f"/verify/{issued.revoked}")
    assert page.status_code == 200
    words = text_of(page.text)
    assert 'class="verdict-box revoked"' in page.text and "REVOKED" in words
    assert "More taken from a lot than it holds" in words  # LOT_OVERDRAWN, by its name
    row = service.credential(live.store, issued.revoked)
    assert row.revoked_at is not None
    day = re.search(r"Revoked on ([^,]+),", words)
    assert day and row.revoked_at[:4] in day.group(1)
    assert live.world.plant.uscc not in page.text and "CEO-1" not in page.text  # nothing upstream named


def test_an_unknown_credential_is_a_page_not_found(live, issued):
    with browser(live) as client:
        assert client.get("/verify/00000000-0000-0000-0000-000000000000").status_code == 404
        assert client.get("/verify/not-a-credential").status_code == 404


@pytest.mark.parametrize(
    ("header", "language"),
    [("en-GB,en;q=0.9", "en"), ("fr-FR,fr;q=0.9", "en"), ("zh-CN,zh;q=0.9,en;q=0.8", "zh-Hans"), ("", "zh-Hans")],
)
def test_without_a_cookie_the_browser_chooses_the_language(live, issued, header, language):
    with browser(live, **({"Accept-Language": header} if header else {})) as client:
        page = client.get(f"/verify/{issued.magnet}")
    assert f'<html lang="{language}">' in page.text
    assert ("Valid and not revoked" in page.text) == (language == "en")


def test_the_language_links_still_switch(live, issued):
    with browser(live, **{"Accept-Language": "en"}) as client:
        assert client.get("/language/zh-Hans", params={"next": f"/verify/{issued.magnet}"}).status_code == 303
        page = client.get(f"/verify/{issued.magnet}")
    assert '<html lang="zh-Hans">' in page.text and "有效且未撤销" in page.text


# -- a file one holds -----------------------------------------------------------------------


def upload(live, content: bytes, **headers: str) -> httpx.Response:
    with browser(live, **{"Accept-Language": "en", **headers}) as client:
        return client.post("/verify", files={"credential": ("credential.json", content, "application/json")})


def test_the_form_is_there_for_anyone(live):
    with browser(live) as client:
        page = client.get("/verify")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.text and 'name="credential"' in page.text


def test_a_copy_of_an_issued_credential_verifies(live, issued):
    document = service.credential(live.store, issued.magnet).document
    answer = upload(live, json.dumps(document).encode())
    assert answer.status_code == 200
    assert "Valid and not revoked" in answer.text and "according to this server&#39;s records" in answer.text


def test_a_tampered_file_is_not_valid_and_says_which_check_failed(live, issued):
    document = service.credential(live.store, issued.magnet).document
    document["credentialSubject"]["chineseOriginShare"] = 0.0
    answer = upload(live, json.dumps(document).encode())
    assert answer.status_code == 422
    words = text_of(answer.text)
    assert 'class="verdict-box invalid"' in answer.text and "NOT VALID" in words
    assert "Signature: The signature does not verify" in words
    assert "What the credential states" not in words  # nothing is read from a file that fails


def test_a_file_of_another_issuer_must_be_checked_with_its_did_document(live, issued):
    document = service.credential(live.store, issued.magnet).document
    document["issuer"]["id"] = "did:web:elsewhere.example"
    answer = upload(live, json.dumps(document).encode())
    assert answer.status_code == 422
    words = text_of(answer.text)
    assert "did:web:elsewhere.example is not this server" in words and "--did-document" in words


@pytest.mark.parametrize(
    ("content", "status", "said"),
    [
        (b" " * (UPLOAD_LIMIT + 1), 413, "at most 1 MiB"),
        (b"\xff\xfe{not json", 400, "not JSON text"),
        (b"[" * 100_000, 400, "not JSON text"),  # nested past what a parser takes
        (b'["a", "list"]', 400, "not a credential"),
        (b"", 400, "Choose a credential file"),
    ],
    ids=["oversized", "not-json", "too-deep", "not-an-object", "empty"],
)
def test_what_is_no_credential_file_is_refused_with_a_clear_message(live, content, status, said):
    answer = upload(live, content)
    assert answer.status_code == status
    assert said in answer.text and 'name="credential"' in answer.text  # the form again


def test_a_body_far_beyond_the_bound_is_refused_before_it_is_read(live):
    with browser(live, **{"Accept-Language": "en"}) as client:
        answer = client.post(
            "/verify", files={"credential": ("big.json", b"{" + b" " * (3 * UPLOAD_LIMIT) + b"}", "application/json")}
        )
    assert answer.status_code == 413 and "at most 1 MiB" in answer.text


# -- the lot's URI --------------------------------------------------------------------------


def test_the_lot_uri_answers_a_linkset_to_anyone_who_asks_for_one(live, issued):
    with browser(live, Accept=LINKSET) as client:
        for path in ("/lots/MAG-1", f"/01/{GTIN}/10/MAG-1"):
            answer = client.get(path)
            assert answer.status_code == 200, path
            assert answer.headers["content-type"].startswith(LINKSET)
            (entry,) = answer.json()["linkset"]
            assert entry["anchor"] == f"{issued.public_url}/01/{GTIN}/10/MAG-1"
            assert {link["href"] for link in entry[DPP]} == {f"{issued.public_url}/credentials/{issued.magnet}"}


def test_a_lot_id_holding_a_slash_is_found_by_its_percent_encoded_uri(live, issued):
    with browser(live, Accept=LINKSET) as client:
        answer = client.get("/lots/" + quote("CEM/1", safe=""))
    assert answer.status_code == 200
    assert answer.json()["linkset"][0]["anchor"] == f"{issued.public_url}/lots/CEM%2F1"
    with browser(live) as client:
        page = client.get("/lots/CEM%2F1")
    assert page.status_code == 200 and 'class="verdict-box revoked"' in page.text


def test_the_gs1_digital_link_opens_the_verify_page_or_the_staff_page(live, issued):
    with browser(live, **{"Accept-Language": "en"}) as client:
        page = client.get(f"/01/{GTIN}/10/MAG-1")
        assert page.status_code == 200 and "Valid and not revoked" in page.text and "Lot MAG-1" in page.text
        main = page.text.split("<main")[1]
        assert client.get("/lots/MAG-1").text.split("<main")[1] == main  # the same page by either URI
    with browser(live, "regulator") as client:
        staff = client.get(f"/01/{GTIN}/10/MAG-1")
    assert staff.status_code == 303 and staff.headers["location"] == "/lots/MAG-1"


@pytest.mark.parametrize(
    "path",
    [
        "/01/04006381333931/10/MAG-1",  # a GTIN, but not the lot's
        f"/01/{GTIN}/10/NDM-1",  # a lot of another form, no credential
        "/01/09506000134353/10/MAG-1",  # a wrong check digit
        f"/01/{GTIN}/10/NO-SUCH-LOT",
    ],
)
def test_a_digital_link_that_names_no_credentialed_lot_is_not_found(live, issued, path):
    for username in (None, "regulator"):
        with browser(live, username) as client:
            assert client.get(path).status_code == 404, (username, path)
    with browser(live, Accept=LINKSET) as client:
        answer = client.get(path)
    assert answer.status_code == 404 and answer.json()["error"]["type"] == "not_found"


def test_a_lot_without_a_credential_tells_nothing(live, issued):
    with browser(live) as client:
        anonymous = client.get("/lots/NDM-1")
        assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login?next=")
        assert client.get("/lots/NO-SUCH-LOT").headers["location"] == "/login?next=%2Flots%2FNO-SUCH-LOT"
    with browser(live, "plant_user") as client:
        assert client.get("/lots/NDM-1").status_code == 403
        assert client.get("/lots/NO-SUCH-LOT").status_code == 403
    with browser(live, Accept=LINKSET) as client:
        for path in ("/lots/NDM-1", "/lots/NO-SUCH-LOT"):
            answer = client.get(path)
            assert answer.status_code == 404 and answer.json()["error"]["type"] == "not_found"


def test_a_signed_in_enterprise_user_sees_the_credential_of_a_lot_that_has_one(live, issued):
    with browser(live, "plant_user", **{"Accept-Language": "en"}) as client:
        page = client.get("/lots/MAG-1")
    assert page.status_code == 200 and "Valid and not revoked" in page.text


# -- the staff's lot page -------------------------------------------------------------------


def credentials_section(html: str) -> str:
    return html.split('id="credentials"')[1].split("</section>")[0]


def form_token(html: str) -> str:
    found = re.search(r'name="form_token" value="(\w+)"', html)
    assert found
    return found.group(1)


def test_the_staff_lot_page_lists_the_credentials_and_may_issue_one(live, issued):
    with browser(live, "regulator") as client:
        page = client.get("/lots/MAG-1")
        assert page.status_code == 200 and 'id="backward"' in page.text  # the staff's page, as before
        section = credentials_section(page.text)
        assert f'href="/verify/{issued.magnet}"' in section and 'action="/lots/MAG-1/credentials"' in section
        before = {r.credential_id for r in service.lot_credentials(live.store, "MAG-1")}
        sent = client.post("/lots/MAG-1/credentials", data={"securing": "jwt", "form_token": form_token(page.text)})
        assert sent.status_code == 303 and sent.headers["location"] == "/lots/MAG-1?done=issued#credentials"
        (new,) = [r for r in service.lot_credentials(live.store, "MAG-1") if r.credential_id not in before]
        assert (new.securing, new.issued_by, new.issued_to) == ("jwt", "regulator", None)
        assert new.document["type"] == "EnvelopedVerifiableCredential"
        shown = client.get(sent.headers["location"])
        assert f'href="/verify/{new.credential_id}"' in credentials_section(shown.text)
        assert 'class="flash"' in shown.text
    with browser(live, "regulator") as client:
        cerium = credentials_section(client.get("/lots/CEM%2F1").text)
    assert "Data Integrity" in cerium or "数据完整性" in cerium
    assert "领用量超过批次存量" in cerium or "More taken from a lot than it holds" in cerium  # why it was revoked


def test_staff_who_may_not_issue_see_no_form_and_are_refused(live, issued):
    with browser(live, "auditor") as client:
        page = client.get("/lots/MAG-1")
        assert page.status_code == 200
        section = credentials_section(page.text)
        assert f'href="/verify/{issued.magnet}"' in section and "<form" not in section
        before = len(service.lot_credentials(live.store, "MAG-1"))
        refused = client.post("/lots/MAG-1/credentials", data={"securing": "di", "form_token": form_token(page.text)})
        assert refused.status_code == 403
    with browser(live, "regulator") as client:
        client.get("/lots/MAG-1")
        forged = client.post("/lots/MAG-1/credentials", data={"securing": "di", "form_token": "0" * 64})
        assert forged.status_code == 403
        page = client.get("/lots/MAG-1").text
        odd = client.post("/lots/MAG-1/credentials", data={"securing": "rsa", "form_token": form_token(page)})
        assert odd.status_code == 400
    with browser(live, "plant_user") as client:
        assert client.post("/lots/MAG-1/credentials", data={"securing": "di"}).status_code == 403
    assert len(service.lot_credentials(live.store, "MAG-1")) == before


def test_the_printed_certificates_qr_code_carries_the_lots_uri(live, issued):
    with browser(live, "regulator") as client:
        magnet = client.get("/lots/MAG-1/certificate/print")
        metal = client.get("/lots/NDM-1/certificate/print")
    assert magnet.status_code == metal.status_code == 200
    assert qr_svg(f"{issued.public_url}/01/{GTIN}/10/MAG-1") in magnet.text
    assert qr_svg(f"{issued.public_url}/lots/NDM-1") in metal.text  # no GTIN for metal: the /lots/ form
    assert service.lot_uri_of(live.store, live.settings, "CEM/1") == f"{issued.public_url}/lots/CEM%2F1"
