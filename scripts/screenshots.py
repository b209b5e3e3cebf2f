"""Take the README's screenshots of the demo case: the case page, and an act page after the
in-browser verification succeeded. Run: .venv/bin/python scripts/screenshots.py"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fastapi import FastAPI  # noqa: E402
from tests.web.live import chromium, demo_instance, serve  # noqa: E402

from depositary.demo.iraq2020 import CASE_ID  # noqa: E402
from depositary.web import mount_web  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
ACT = "iq-notice-2020-01-12"


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        inst = demo_instance(Path(tmp) / "dep")
        try:
            app = FastAPI()
            mount_web(app, inst)
            with serve(app) as base, chromium() as context:
                page = context.new_page()
                page.goto(f"{base}/cases/{CASE_ID}")
                page.screenshot(path=str(OUT / "case.png"), full_page=True)
                page.goto(f"{base}/cases/{CASE_ID}?as_of=2020-01-12T12:00:00Z")
                page.locator("#timeline-h").scroll_into_view_if_needed()
                page.screenshot(path=str(OUT / "case-as-of.png"), full_page=False)
                page.goto(f"{base}/acts/{ACT}")
                page.click("#verify-button")
                page.wait_for_selector("#verify-result[data-result=pass]", timeout=10_000)
                page.locator("#verify").scroll_into_view_if_needed()
                page.screenshot(path=str(OUT / "act-verified.png"), full_page=True)
        finally:
            inst.close()
    for p in sorted(OUT.glob("*.png")):
        print(p.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
