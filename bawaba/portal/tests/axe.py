"""axe-core in headless Chromium (axe-playwright-python ships axe.min.js)."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

from bawaba.core.testing import launch_chromium

FAILING_IMPACTS = ("serious", "critical")


def launch(playwright):  # type: ignore[no-untyped-def]
    return launch_chromium(playwright)


def serious_violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    """WCAG 2.x A/AA (2.2 included) violations of serious or critical impact, readable."""
    results = Axe().run(
        page,
        options={
            "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}
        },
    )
    out = []
    for v in results.response["violations"]:
        if v.get("impact") in FAILING_IMPACTS:
            targets = [", ".join(n["target"]) for n in v["nodes"][:5]]
            out.append(f"{v['id']} ({v['impact']}): {v['help']} → {targets}")
    return out
