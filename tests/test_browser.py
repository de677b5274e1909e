"""The site in a real browser: headless Chromium (Debian's ``chromium``) driven by Playwright, from file://.

Chromium is a system package: run ``scripts/setup-test-deps.sh`` once (it installs
it with apt-get). Without it these tests fail with that instruction; they are not skipped.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from councilkg import pages
from councilkg.graph import KnowledgeGraph
from councilkg.settings import Settings

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/setup-test-deps.sh (installs Debian's chromium with apt-get)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright is missing: pip install -e '.[test]'")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def site(corpus_store, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("browser-site")
    kg = KnowledgeGraph(Settings(store=str(corpus_store), progress=False))
    try:
        pages.render(kg.store, out, ROOT / "data" / "sources", kg.minter)
    finally:
        kg.close()
    return out


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, offline=True)
    tab = context.new_page()
    errors = []
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.on("requestfailed", lambda r: errors.append(f"request failed: {r.url}"))
    yield tab
    context.close()
    assert not errors


def test_hackney_page_names_related_councils(page, site, tmp_path):
    page.goto((site / "council" / "london-borough-of-hackney.html").as_uri())
    assert page.title().startswith("London Borough of Hackney")
    related = page.locator("#related-councils")
    havering = related.locator("tr", has_text="London Borough of Havering").filter(has_text="shared peer")
    tower_hamlets = related.locator("tr", has_text="London Borough of Tower Hamlets").filter(has_text="shared adviser")
    assert havering.count() >= 1 and tower_hamlets.count() >= 1
    assert "Stuart Reid" in havering.first.inner_text() and "Mona Sehgal" in tower_hamlets.first.inner_text()
    # the relation links to the related council's page, which opens from file:// too
    havering.first.locator("a", has_text="London Borough of Havering").click()
    page.wait_for_load_state()
    assert page.url.endswith("/council/london-borough-of-havering.html")
    page.go_back()
    shot = tmp_path / "hackney.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    assert page.locator("#cqc svg rect").count() >= 9
    assert page.locator("#timeline svg circle").count() >= 5


def test_relationships_page_draws_the_graph(page, site, tmp_path):
    page.goto((site / "relationships.html").as_uri())
    graph = page.locator("#graph svg")
    assert graph.is_visible()
    box = graph.bounding_box()
    assert box["width"] > 500 and box["height"] > 300
    labels = graph.locator("text").all_text_contents()  # SVG elements have no innerText
    for name in ("London Borough of Hackney", "London Borough of Havering", "London Borough of Tower Hamlets",
                 "Stuart Reid", "Mona Sehgal", "Cyber-attack"):
        assert any(name in label for label in labels), name
    assert "shared service" in page.locator("#graph .legend").inner_text()
    table = page.locator("#related-councils")
    assert table.locator("tr", has_text="Havering").filter(has_text="shared peer").count() >= 1
    assert table.locator("tr", has_text="Tower Hamlets").filter(has_text="shared adviser").count() >= 1
    shot = tmp_path / "relationships.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000


def test_search_box_works_offline_from_file(page, site):
    page.goto((site / "index.html").as_uri())
    page.fill("#search", "stuart")
    result = page.locator("#search-results a", has_text="Stuart Reid")
    result.wait_for()
    result.click()
    page.wait_for_load_state()
    assert page.url.endswith("/person/stuart-reid.html")
    assert page.locator("h1").inner_text() == "Stuart Reid"
