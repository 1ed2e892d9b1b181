"""What the browser tests look at on every page: axe-core's findings (its axe.min.js from the
axe-playwright-python package, evaluated in the page by the test, never served to users),
sideways scrolling, and a screenshot saved for people to look through after a run."""

import re
from pathlib import Path

from django.conf import settings

# One git-ignored folder (.gitignore) for every screenshot of a run.
SCREENSHOTS = Path(settings.BASE_DIR) / "screenshots"
WIDTHS = {"1366": (1366, 768), "1920": (1920, 1080), "375": (375, 812)}
BLOCKING = {"serious", "critical"}

_axe = None


def axe():
    global _axe
    if _axe is None:
        from axe_playwright_python.sync_playwright import Axe

        _axe = Axe()
    return _axe


def accessibility_problems(page):
    """axe-core's serious and critical violations on the page as it is now, one line each."""
    results = axe().run(page)
    return [
        f"{page.url}: {v['impact']} {v['id']} ({v['help']}) at {[n['target'] for n in v['nodes'][:3]]}"
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]


def sideways_overflow(page):
    """How many pixels the document is wider than the window (0: no sideways scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def clear_screenshots(role):
    """Removes a role's screenshots of an earlier run (its units' ids change between runs)."""
    for old in SCREENSHOTS.glob(f"{role}_*.png"):
        old.unlink()


def screenshot(page, role, path, width):
    """Saves the whole page as screenshots/<role>_<path>_<width>.png."""
    SCREENSHOTS.mkdir(exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9]+", "-", path).strip("-") or "home"
    page.screenshot(path=SCREENSHOTS / f"{role}_{name}_{width}.png", full_page=True)
