"""The gallery in a real browser: headless Chromium (Debian's chromium and chromium-driver) driven by
selenium. The index lists the operations, typing in the search box filters them, an operation
page shows its diagram and zooms it, and a screenshot is not blank. Skipped where no Chromium is
installed, except in CI (CI is set), where .ci/run installs it and the test must run."""

from __future__ import annotations

import os
import shutil
import struct
import zlib

import pytest

from gallery_fixture import gallery_tree, run_gallery
from pngcheck import distinct_colours

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1280,900"]


def _missing() -> str | None:
    if shutil.which("chromium") is None or shutil.which("chromedriver") is None:
        return "chromium and chromedriver are not installed (apt-get install chromium chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install '.[test]')"
    return None


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    why = _missing()
    if why:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser test: {why}")
        pytest.skip(why)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in FLAGS + [f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"]:
        options.add_argument(flag)
    # The system's driver, named: selenium then never looks for (or downloads) one of its own.
    driver = webdriver.Chrome(service=Service(executable_path=shutil.which("chromedriver")), options=options)
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(30)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    base = tmp_path_factory.mktemp("browser-gallery")
    root = gallery_tree(base / "nova")
    result = run_gallery(str(root), "-o", str(base / "site"), "--cache-dir", str(base / "cache"))
    assert result.exit_code == 0, result.output
    return base / "site"


def _visible_operations(driver) -> list[str]:
    from selenium.webdriver.common.by import By

    return [op.find_element(By.CSS_SELECTOR, ".name").text for op in driver.find_elements(By.CSS_SELECTOR, "li.op")
            if op.is_displayed()]


def test_the_index_lists_the_operations_and_the_search_box_filters_them_as_you_type(browser, site):
    from selenium.webdriver.common.by import By

    browser.get((site / "index.html").as_uri())
    assert _visible_operations(browser) == ["ServersController.create", "ServersController.show"]
    box = browser.find_element(By.ID, "search")
    box.send_keys("show")
    assert _visible_operations(browser) == ["ServersController.show"]
    assert browser.find_element(By.ID, "count").text == "1 of 2 operations"
    box.clear()
    box.send_keys("build_and_run")  # an RPC method of the flow, in no name or route
    assert _visible_operations(browser) == ["ServersController.create"]
    box.clear()
    box.send_keys("no such thing")
    assert _visible_operations(browser) == []
    assert not browser.find_element(By.CSS_SELECTOR, "section.group").is_displayed()  # an empty group goes


def test_an_operation_page_shows_its_diagram_zooms_it_and_is_not_blank(browser, site, tmp_path):
    from selenium.webdriver.common.by import By

    browser.get((site / "nova-1.0.0" / "ServersController.create.html").as_uri())
    svg = browser.find_element(By.CSS_SELECTOR, "#viewport svg")
    assert svg.is_displayed() and svg.size["width"] > 200 and svg.size["height"] > 100
    lanes = browser.find_elements(By.CSS_SELECTOR, "#viewport svg .lifeline")
    assert len(lanes) >= 4  # client, nova-api, nova-conductor, nova-compute
    before = svg.size["width"]
    browser.find_element(By.ID, "zoom-in").click()
    assert svg.size["width"] > before * 1.2
    assert browser.find_element(By.ID, "zoom-level").text.endswith("%")
    shot = browser.get_screenshot_as_png()
    (tmp_path / "page.png").write_bytes(shot)
    assert distinct_colours(shot) > 20  # text, lanes and arrows: a blank page has one or two


def test_the_story_expands_to_every_step_and_back_without_a_server(browser, site):
    from selenium.webdriver.common.by import By

    browser.get((site / "nova-1.0.0" / "ServersController.create.html").as_uri())
    story, steps = browser.find_elements(By.CSS_SELECTOR, "#viewport .level")
    assert story.is_displayed() and not steps.is_displayed()
    toggle = browser.find_element(By.ID, "detail-toggle")
    toggle.click()
    assert steps.is_displayed() and not story.is_displayed() and toggle.text == "Back to the story"
    assert steps.find_element(By.CSS_SELECTOR, "svg").size["width"] > 200
    toggle.click()
    assert story.is_displayed() and not steps.is_displayed()


def test_a_blank_picture_has_one_colour():
    """The check above tells blank from drawn: a hand-made white PNG is one colour."""
    width, height = 4, 2
    raw = b"".join(b"\x01" + b"\xff\xff\xff" + bytes(3 * (width - 1)) for _ in range(height))  # filter 1: sub
    chunk = lambda kind, body: (struct.pack(">I", len(body)) + kind + body  # noqa: E731
                                + struct.pack(">I", zlib.crc32(kind + body)))
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    assert distinct_colours(png) == 1
