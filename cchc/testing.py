"""Helpers shared by the test suites of every module: the persona matrix and the real browser."""

import os
import shutil
from pathlib import Path

PERSONAS = [
    "anonymous",
    "officer",
    "office_officer",
    "head",
    "commune_standing",
    "sibling",
    "city_standing",
    "department_officer",
    "leader",
    "admin",
]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


DOCS_IMAGES = Path(__file__).resolve().parent.parent / "docs" / "images"


def screenshot_folder(tmp_path: Path) -> Path:
    """Where a browser test writes its pictures: the test's temporary folder, so an ordinary run leaves
    the work tree alone. CCHC_REFRESH_SCREENSHOTS=1 writes them to docs/images (the guides' pictures);
    CCHC_SCREENSHOTS=<folder> to that folder."""
    if os.environ.get("CCHC_REFRESH_SCREENSHOTS") == "1":
        folder = DOCS_IMAGES
    else:
        folder = Path(os.environ.get("CCHC_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def expect(table: str) -> dict[str, int]:
    """A row of expected statuses, one per persona in PERSONAS order: "302 200 404 …"."""
    return dict(zip(PERSONAS, [int(x) for x in table.split()], strict=True))


def check_matrix(login, personas, pages: list[tuple[str, str]]) -> list[str]:
    """GET every page as every persona; the failures, as readable lines."""
    failures = []
    for url, table in pages:
        for persona, expected in expect(table).items():
            status = login(personas[persona]).get(url).status_code
            if status != expected:
                failures.append(f"{persona} GET {url}: {status}, expected {expected}")
    return failures


def launch_chromium(playwright):
    import pytest

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs its own event loop
    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium is required for browser tests: `make test` installs Debian's chromium.")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def signed_in_page(browser, live_server, username: str, password: str, *, width: int = 1280):
    """A new browser page signed in as ``username`` through the login form."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.set_default_timeout(15000)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{live_server.url}/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page
