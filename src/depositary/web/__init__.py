"""The public pages: server-rendered HTML, a pure SVG timeline, in-browser verification.

``mount_web(app, instance)`` adds them to a FastAPI app.
"""

from __future__ import annotations

from depositary.web.mount import mount_web
from depositary.web.pages import create_web_router

__all__ = ["create_web_router", "mount_web"]
