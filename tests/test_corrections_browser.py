"""Corrections and stale sources in the Articles tab, in headless Chromium (issue 23, parts 4-5): an
admin selects a fed article in the list, gives a reason and clicks Withdraw; it leaves the list for
the withdrawn list, with its reason, and the chat no longer cites it for a question its text
answered; the feed, whose listing was last read longer ago than BYLINE_STALE_AFTER_HOURS (a clock
the test moves), reads STALE in the feeds table."""

from datetime import timedelta

import pytest

from tests.fixtures_server import API_KEY, serve_in_thread
from tests.news_site import Site, build
from tests.test_browser import browser, gradio_ask, gradio_open, gradio_tab, wait  # noqa: F401

pytestmark = pytest.mark.slow

KEEPER = "Who kept the Cape Morrow lighthouse for forty years?"
TITLE = "Cape Morrow keeper retires"
REASON = "Legal: the family asked us to take the story down"


def sources_of(answer) -> str:
    """An answer's text and its sources' titles, open or closed."""
    return answer.get_attribute("textContent")


def test_articles_tab_withdraws_an_article_and_flags_a_stale_feed(tmp_path, seed_settings, browser, monkeypatch):
    from selenium.webdriver.common.by import By

    from index.feeds import registry
    from rag.service import Byline
    from rag.feeds import web_feeds
    from ui.server import create_app

    settings = seed_settings.model_copy(
        update={"store": tmp_path / "store", "fetch_delay": 0, "fetch_allow_private": "127.0.0.1", "api_keys": API_KEY, "stale_after_hours": 24}
    )
    with Site() as site, Byline(settings) as service:
        build(site)
        feed = f"{site.url}/feeds/harbour"
        lighthouse = f"{site.url}/news/lighthouse.html"
        [report] = web_feeds(service).add([feed])
        assert report.added == 2 and service.article(lighthouse) is not None, report
        # The feed's listing was read just now; a day and an hour later it is stale.
        later = registry.clock() + timedelta(hours=25)
        monkeypatch.setattr(registry, "clock", lambda: later)
        for url in serve_in_thread(create_app(service)):
            gradio_open(browser, f"{url}/")
            cited = gradio_ask(browser, KEEPER)
            assert "Agnes Morrow" in cited.text and TITLE in sources_of(cited)

            gradio_tab(browser, "Articles")
            feeds = wait(browser, 30).until(lambda d: d.find_element(By.ID, "byline-feeds"))
            wait(browser, 30).until(lambda d: feed in feeds.text)
            row = next(r for r in feeds.find_elements(By.CSS_SELECTOR, ".virtual-row") if feed in r.text)
            assert "STALE (listing last read" in row.text, row.text

            # Selected by a click on its row in the article list, then withdrawn with a reason.
            articles = browser.find_element(By.ID, "byline-articles")
            wait(browser, 30).until(lambda d: TITLE in articles.text)
            cell = next(c for c in articles.find_elements(By.CSS_SELECTOR, ".body-cell") if TITLE in c.text)
            browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", cell)
            cell.click()
            chooser = browser.find_element(By.CSS_SELECTOR, "#byline-article-id input")
            wait(browser, 10).until(lambda d: chooser.get_attribute("value") == lighthouse)
            browser.find_element(By.CSS_SELECTOR, "#byline-withdraw-reason textarea, #byline-withdraw-reason input").send_keys(REASON)
            browser.find_element(By.ID, "byline-withdraw").click()
            wait(browser, 30).until(lambda d: f"Withdrew {lighthouse}" in d.find_element(By.ID, "byline-status").text)
            wait(browser, 10).until(lambda d: TITLE not in articles.text)
            assert "Tram line" in articles.text  # the feed's other article stays
            browser.find_element(By.XPATH, "//button[contains(., 'Withdrawn articles')]").click()
            # The accordion renders its table after the click, not with the page.
            withdrawn = wait(browser, 30).until(lambda d: d.find_element(By.ID, "byline-withdrawn"))
            wait(browser, 10).until(lambda d: REASON in withdrawn.text)
            listed = next(r for r in withdrawn.find_elements(By.CSS_SELECTOR, ".virtual-row") if lighthouse in r.text)
            assert REASON in listed.text and TITLE in listed.text and "admin key" in listed.text
            assert service.article(lighthouse) is None

            # The same question is no longer answered from it.
            gradio_tab(browser, "Chat")
            after = gradio_ask(browser, KEEPER)
            assert TITLE not in sources_of(after) and lighthouse not in sources_of(after)
            assert "Agnes Morrow" not in after.text
