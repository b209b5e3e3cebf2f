"""The pages through TestClient: content, escaping, RTL, CSP, errors, downloads, search."""

from __future__ import annotations

import hashlib
import re
import shlex
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

from fastapi.testclient import TestClient

from depositary.cli.main import main
from depositary.demo.iraq2020 import CASE_ID
from depositary.encoding.tlog_proof import verify_tlog_proof
from depositary.service.instance import Instance
from depositary.web.mount import CSP
from depositary.web.pages import STATIC
from tests.web.conftest import DRILL, HOSTILE

HTMX_SHA256 = "d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717"
NOTICE = "iq-notice-2020-01-12"
PAGES = [
    "/",
    f"/cases/{CASE_ID}",
    f"/cases/{CASE_ID}?as_of=2020-01-11",
    f"/cases/{DRILL}",
    f"/acts/{NOTICE}",
    "/acts/us-cjtf-letter-2020-01-06",
    "/acts/iq-hostile-drill",
    "/parties/iq",
    "/log",
    "/search?q=withdraw",
]


class Inline(HTMLParser):
    """Collects what a strict CSP would block: inline scripts, styles and handlers."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {k for k, _ in attrs}
        if tag == "script" and "src" not in names:
            self.found.append("inline <script>")
        if tag == "style":
            self.found.append("<style>")
        self.found += [f"{tag} {n}=" for n in names if n == "style" or n.startswith("on")]
        self.found += [
            f"{tag} {k}=javascript:" for k, v in attrs if (v or "").startswith("javascript:")
        ]


def inline_code(html: str) -> list[str]:
    parser = Inline()
    parser.feed(html)
    return parser.found


def test_vendored_htmx_is_the_pinned_release() -> None:
    data = (STATIC / "htmx-2.0.11.min.js").read_bytes()
    assert hashlib.sha256(data).hexdigest() == HTMX_SHA256


def test_every_page_renders_with_the_strict_csp_and_no_inline_code(client: TestClient) -> None:
    for url in PAGES:
        r = client.get(url)
        assert r.status_code == 200, url
        assert r.headers["content-type"].startswith("text/html")
        assert r.headers["content-security-policy"] == CSP
        assert r.headers["x-content-type-options"] == "nosniff"
        assert inline_code(r.text) == [], url
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'",
                      "img-src 'self' data:", "object-src 'none'", "base-uri 'none'",
                      "frame-ancestors 'none'"):  # fmt: skip
        assert directive in CSP


def test_the_api_routes_keep_their_own_stricter_policy(client: TestClient) -> None:
    r = client.get("/v1/log")
    assert r.json()["origin"]
    assert r.headers["content-security-policy"].startswith("default-src 'none'")
    page = client.get("/")
    assert "script-src 'self'" in page.headers["content-security-policy"]


def test_case_page_shows_the_scenario(client: TestClient) -> None:
    html = client.get(f"/cases/{CASE_ID}").text
    assert "Iraq: the request that foreign forces leave (January 2020)" in html
    for act_id in (NOTICE, "iq-pm-talks-2020-01-09", "us-refusal-2020-01-10", "ir-ack-2020-01-13"):
        assert f'href="/acts/{act_id}"' in html
    assert '<svg class="timeline"' in html
    assert html.count('class="lane-label"') == 6  # a lane per party
    for css in ("mark-act", "mark-refused", "mark-reported", "mark-evidence", "mark-deadline",
                "mark-effective", 'class="as-of"'):  # fmt: skip
        assert css in html, css
    # outstanding and overdue: the coalition never answered the request for talks
    assert 'class="overdue"' in html
    assert "coalition: respond to request for talks by 2020-01-19" in html
    # legal basis in plain words, with the rule that produced it
    assert "Presence Without Consent".lower() in html.lower()
    assert "consent revocable at will" in html
    assert "reported statement" in html.lower()


def test_as_of_moves_the_line_and_filters_what_is_shown(client: TestClient) -> None:
    before = client.get(f"/cases/{CASE_ID}?as_of=2020-01-11").text
    assert f'href="/acts/{NOTICE}"' not in before  # the notice came on the 12th
    assert "Contested" in before or "contested" in before
    assert "11 Jan 2020 00:00 UTC" in before
    assert 'rel="next"' in before
    assert 'rel="prev"' in before
    early = client.get(f"/cases/{CASE_ID}?as_of=2020-01-05T12:00:00Z").text
    assert "iq-cor-resolution-2020-01-05" in early
    assert "iq-complaint-2020-01-05" not in early
    bad = client.get(f"/cases/{CASE_ID}?as_of=yesterday")
    assert bad.status_code == 400
    assert "is not a date" in bad.text


def test_act_page_shows_texts_signers_evidence_and_the_log(
    client: TestClient, demo: Instance
) -> None:
    html = client.get(f"/acts/{NOTICE}").text
    assert '<div class="act-text" lang="ar" dir="rtl" data-text-lang="ar">إشعار بسحب موافقة' in html
    assert 'lang="en" dir="ltr"' in html
    assert "iq-prime-minister" in html
    assert "Prime Minister" in html
    assert "without full powers" in html  # the authority: an inherent office
    assert "retrieved by the addressee" in html  # the evidence chain
    assert demo.log_verifier.to_vkey() in html
    assert "depositary verify receipt --vkey" in html
    assert 'id="verify-button"' in html
    assert "/static/verify.js" in html
    refused = client.get("/acts/us-cjtf-letter-2020-01-06").text
    assert "Refused by the depositary" in refused
    assert "no_delegation" in refused


def test_downloads_are_the_exact_entry_and_a_receipt_that_verifies(
    client: TestClient, demo: Instance
) -> None:
    entry = client.get(f"/acts/{NOTICE}/entry")
    receipt = client.get(f"/acts/{NOTICE}/receipt")
    assert entry.status_code == receipt.status_code == 200
    assert 'filename="iq-notice-2020-01-12.tlog-proof"' in receipt.headers["content-disposition"]
    assert entry.content == demo.depositary.act(NOTICE).envelope
    verify_tlog_proof(receipt.content, entry=entry.content, log_verifier=demo.log_verifier)


def test_the_pages_verify_act_line_checks_the_downloaded_dossier(
    client: TestClient, tmp_path: Path
) -> None:
    """The link and the command the act page prints, run as printed."""
    html = client.get(f"/acts/{NOTICE}").text
    assert f'href="/v1/acts/{NOTICE}" download="{NOTICE}.json"' in html
    line = re.search(r"depositary verify act [^<]+", html)
    assert line is not None
    dossier = client.get(f"/v1/acts/{NOTICE}")
    assert dossier.status_code == 200
    (tmp_path / f"{NOTICE}.json").write_bytes(dossier.content)
    argv = shlex.split(unescape(line.group(0)))[1:]
    argv[-1] = str(tmp_path / argv[-1])
    assert main(argv) == 0


def test_act_text_can_never_inject_markup(client: TestClient) -> None:
    html = client.get("/acts/iq-hostile-drill").text
    assert inline_code(html) == []
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt;" in html
    assert 'lang="ar" dir="rtl"' in html
    case = client.get(f"/cases/{DRILL}").text
    assert "<b>and</b>" not in case
    assert "&lt;b&gt;and&lt;/b&gt;" in case
    search = client.get("/search", params={"q": "<script>"}).text
    assert "<script>" not in search.replace('<script src="', "")
    assert HOSTILE not in search


def test_force_levels_chart_draws_plans_against_reports(client: TestClient) -> None:
    html = client.get(f"/cases/{DRILL}").text
    assert '<svg class="forces"' in html
    assert "series-plan" in html
    assert "series-report" in html
    assert "5200" in html  # the plan's total on 1 Feb: 2500 + 2700
    demo_case = client.get(f"/cases/{CASE_ID}").text
    assert "No withdrawal plan or progress report" in demo_case


def test_party_page(client: TestClient) -> None:
    html = client.get("/parties/us").text
    assert "United States of America" in html
    assert "us-secretary-of-state" in html
    assert "root" in html
    assert "us-refusal-2020-01-10" in html  # an act it made
    assert NOTICE in html  # an act addressed to it
    assert client.get("/parties/atlantis").status_code == 404


def test_log_page_checks_every_checkpoint_against_the_one_before(client: TestClient) -> None:
    html = client.get("/log").text
    assert "Checkpoints over time" in html
    assert ">INVALID<" not in html
    assert ">NO:" not in html
    assert html.count('<td class="ok">yes</td>') >= 10
    assert 'href="/log/tile/0/000.p/' in html
    assert 'href="/log/checkpoint"' in html


def test_search_by_party_kind_date_and_text(client: TestClient) -> None:
    def found(**params: str) -> set[str]:
        html = client.get("/search", params=params).text
        return set(re.findall(r'href="/acts/([^"/]+)"', html))

    assert found(kind="notice") == {NOTICE}
    assert "us-refusal-2020-01-10" in found(party="us")
    assert NOTICE in found(party="us")  # addressed to it
    assert found(q="mechanism") == {"iq-pm-talks-2020-01-09"}
    jan12 = found(since="2020-01-12", until="2020-01-12")
    assert jan12 == {NOTICE, "iq-coalition-talks-2020-01-12"}
    assert client.get("/search", params={"since": "soon"}).status_code == 400


def test_home_lists_cases_and_unknown_things_are_404(client: TestClient) -> None:
    html = client.get("/").text
    assert f'href="/cases/{CASE_ID}"' in html
    assert f'href="/cases/{DRILL}"' in html
    assert client.get("/cases/nope").status_code == 404
    assert client.get("/acts/nope").status_code == 404
    assert client.get("/acts/nope/receipt").status_code == 404
