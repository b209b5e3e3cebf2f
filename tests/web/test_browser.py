"""The pages in a real headless Chromium (Debian's, via Playwright) against a real uvicorn.

Skipped only when /usr/bin/chromium is missing outside CI; in CI (CI=true) they must run.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from typing import Any

import pytest

from depositary.crypto.ed25519 import Signer
from depositary.demo.iraq2020 import CASE_ID, ORIGIN
from depositary.encoding.note import NoteSigner
from depositary.service.instance import Instance
from tests.web.conftest import web_app
from tests.web.live import browser_available, chromium, serve

pytestmark = pytest.mark.skipif(
    not browser_available() and os.environ.get("CI") != "true",
    reason="Debian's chromium is not installed at /usr/bin/chromium",
)
NOTICE = "iq-notice-2020-01-12"
STEPS = 7


@pytest.fixture(scope="module")
def site(demo: Instance) -> Iterator[tuple[str, Any]]:
    with serve(web_app(demo)) as base, chromium() as context:
        yield base, context


class Visit:
    """A page with every console message and page error it produced."""

    def __init__(self, context: Any, url: str) -> None:
        self.messages: list[str] = []
        self.page = context.new_page()
        self.page.on("console", lambda m: self.messages.append(f"{m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.messages.append(f"pageerror: {e}"))
        self.page.goto(url)

    def problems(self) -> list[str]:
        bad = ("error", "warning", "pageerror")
        return [m for m in self.messages if m.split(":")[0] in bad or "Content Security" in m]

    def verify(self) -> tuple[str, list[tuple[str, str]]]:
        self.page.click("#verify-button")
        self.page.wait_for_selector(
            "#verify-result[data-result=pass], #verify-result[data-result=fail]", timeout=15_000
        )
        result = self.page.get_attribute("#verify-result", "data-result") or ""
        steps = self.page.eval_on_selector_all(
            "#verify-steps li", "els => els.map(e => [e.className, e.textContent])"
        )
        return result, [(c, t) for c, t in steps]


def test_case_page_shows_the_scenario_and_moves_as_of_with_htmx(site: tuple[str, Any]) -> None:
    base, context = site
    v = Visit(context, f"{base}/cases/{CASE_ID}")
    page = v.page
    assert "Iraq" in page.title()
    assert page.locator("svg.timeline").is_visible()
    assert page.locator("svg.timeline .mark-act").count() >= 7
    assert page.locator("svg.timeline .mark-refused").count() == 1
    assert page.locator("svg.timeline .mark-reported").count() == 1
    assert page.locator(".outstanding li.overdue").count() >= 1
    assert page.evaluate("typeof htmx") == "object"
    assert page.locator(f'#case-body a[href="/acts/{NOTICE}"]').count() > 0
    page.fill("input[name=as_of]", "2020-01-11T00:00")
    page.click("form.as-of button[type=submit]")
    page.wait_for_url("**as_of=2020-01-11T00%3A00**")
    page.wait_for_selector("text=11 Jan 2020 00:00 UTC")
    assert page.locator(f'#case-body a[href="/acts/{NOTICE}"]').count() == 0
    assert page.locator("header.site").count() == 1  # swapped in place, not nested
    assert v.problems() == []


def test_arabic_is_right_to_left(site: tuple[str, Any]) -> None:
    base, context = site
    v = Visit(context, f"{base}/acts/{NOTICE}")
    direction = v.page.eval_on_selector("[data-text-lang=ar]", "e => getComputedStyle(e).direction")
    assert direction == "rtl"
    assert (
        v.page.eval_on_selector("[data-text-lang=en]", "e => getComputedStyle(e).direction")
        == "ltr"
    )


def test_verify_in_my_browser_succeeds_on_a_real_act(site: tuple[str, Any]) -> None:
    base, context = site
    v = Visit(context, f"{base}/acts/{NOTICE}")
    result, steps = v.verify()
    assert result == "pass", steps
    assert [c for c, _ in steps] == ["pass"] * STEPS
    assert "recomputes the signed root" in steps[3][1]
    assert "chained from the act" in steps[6][1]
    assert v.page.locator("[data-evidence-index]").count() >= 3  # submitted, circulated, ...
    assert "Verified in your browser" in v.page.inner_text("#verify-result")
    refused = Visit(context, f"{base}/acts/us-cjtf-letter-2020-01-06")
    assert refused.verify()[0] == "pass"  # refused for authority, yet genuinely in the log
    assert v.problems() == refused.problems() == []


TAMPER_ENTRY = """() => {
  const el = document.getElementById('entry-b64');
  const t = el.textContent.trim();
  const i = Math.floor(t.length / 2);
  el.textContent = t.slice(0, i) + (t[i] === 'A' ? 'B' : 'A') + t.slice(i + 1);
}"""
TAMPER_PROOF = """() => {
  const el = document.getElementById('receipt-text');
  const lines = el.textContent.split('\\n');
  const i = lines.findIndex(l => l.startsWith('index ')) + 1;
  lines[i] = (lines[i][0] === 'A' ? 'B' : 'A') + lines[i].slice(1);
  el.textContent = lines.join('\\n');
}"""
TAMPER_TEXT = """() => {
  document.querySelector('[data-text-lang=en]').textContent = 'Iraq consents to everything.';
}"""
TAMPER_EVIDENCE = """() => {
  const el = document.querySelectorAll('[data-evidence-entry]')[1];
  const t = el.textContent.trim();
  const i = Math.floor(t.length / 2);
  el.textContent = t.slice(0, i) + (t[i] === 'A' ? 'B' : 'A') + t.slice(i + 1);
}"""
SWAP_EVIDENCE = """() => {
  const items = document.querySelectorAll('[data-evidence-index]');
  items[1].parentNode.insertBefore(items[2], items[1]);
}"""
OTHER_VKEY = NoteSigner.generate(ORIGIN).verifier().to_vkey()  # same name, another key
OTHER_DKEY = base64.b64encode(Signer(bytes(range(32))).public_key).decode()


@pytest.mark.parametrize(
    ("tamper", "failing"),
    [
        (TAMPER_ENTRY, "The entry is in the log"),
        (TAMPER_PROOF, "The entry is in the log"),
        (TAMPER_TEXT, "The page shows what was signed"),
        (
            f"() => {{ document.getElementById('vkey').value = '{OTHER_VKEY}'; }}",
            "The checkpoint is signed by the log",
        ),
        (
            "() => { document.getElementById('vkey').value = 'not a key'; }",
            "The log's verifier key",
        ),
        (TAMPER_EVIDENCE, "The depositary's evidence: evidence #"),
        (SWAP_EVIDENCE, "The depositary's evidence: evidence #"),
        (
            f"() => {{ document.getElementById('dkey').value = '{OTHER_DKEY}'; }}",
            "The depositary's evidence: evidence #",
        ),
    ],
    ids=[
        "entry",
        "proof",
        "text",
        "other-log-key",
        "malformed-key",
        "evidence-entry",
        "evidence-order",
        "other-depositary-key",
    ],
)
def test_verify_in_my_browser_fails_on_a_tampered_act(
    site: tuple[str, Any], tamper: str, failing: str
) -> None:
    base, context = site
    v = Visit(context, f"{base}/acts/{NOTICE}")
    v.page.evaluate(tamper)
    result, steps = v.verify()
    assert result == "fail"
    first = next(t for c, t in steps if c == "fail")
    assert first.startswith(failing), steps
    assert "Verification FAILED" in v.page.inner_text("#verify-result")
    assert v.problems() == []


def test_no_csp_violation_on_any_page(site: tuple[str, Any]) -> None:
    base, context = site
    for path in (
        "/",
        f"/cases/{CASE_ID}",
        "/parties/iq",
        "/log",
        "/search?q=notice",
        "/acts/iq-hostile-drill",
    ):
        v = Visit(context, base + path)
        v.page.wait_for_load_state("networkidle")
        assert v.problems() == [], path
        assert v.page.evaluate("document.querySelectorAll('script:not([src])').length") == 0
        v.page.close()
