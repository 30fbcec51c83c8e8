"""The UIs in headless Chromium (Debian's `chromium` + `chromium-driver`, driven by Selenium).

The session installs the two packages with apt-get when they are missing (as CI runs, as root);
where that is impossible the tests skip and say why. Screenshots go to docs/img/ with
BYLINE_SCREENSHOTS=1 (the README shows them), else to a temporary folder.
"""

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.fixtures_server import (  # noqa: F401  (fixtures)
    API_KEY,
    HARBOUR_ARTICLE,
    HARBOUR_DOC,
    HARBOUR_QUESTION,
    QUESTION,
    XSS_IMG,
    XSS_SCRIPT,
    corpus,
    host_site,
    open_server,
    server,
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
README_IMAGES = Path(__file__).resolve().parent.parent / "docs" / "img"
ANSWER_TIMEOUT = 90
# Counts elements an injected payload would have created, in the page and in open shadow roots.
INJECTED = """
const roots = [document, ...[...document.querySelectorAll('*')].filter(e => e.shadowRoot).map(e => e.shadowRoot)];
return roots.reduce((n, r) => n + r.querySelectorAll('img[src="x"]').length
    + [...r.querySelectorAll('script')].filter(s => s.textContent.includes('alert(')).length, 0);
"""


def chromium_problem() -> str | None:
    """Install Chromium and its driver if missing; say why not where that is impossible."""
    if CHROMIUM.exists() and CHROMEDRIVER.exists():
        return None
    if shutil.which("apt-get") is None:
        return "no apt-get here: install Debian's chromium and chromium-driver packages to run the browser tests"
    if os.geteuid() != 0:
        return "not root: run `apt-get install -y chromium chromium-driver` as root to run the browser tests"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium", "chromium-driver"]):
        try:
            done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=900)
        except subprocess.TimeoutExpired:
            return f"`{' '.join(command)}` timed out"
        if done.returncode != 0:
            return f"`{' '.join(command)}` failed: {done.stderr.strip()[-400:]}"
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        return f"apt-get installed chromium but {CHROMIUM} or {CHROMEDRIVER} is missing"
    return None


@pytest.fixture(scope="session")
def browser(tmp_path_factory) -> Iterator:
    problem = chromium_problem()
    if problem:
        pytest.skip(f"browser tests skipped: {problem}")
    os.environ["SE_OFFLINE"] = "true"  # never let selenium-manager look for drivers online
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1280,860",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ]:
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def wait(driver, seconds: float = ANSWER_TIMEOUT):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, seconds, poll_frequency=0.2)


def assert_nothing_injected(driver) -> None:
    from selenium.common.exceptions import NoAlertPresentException

    try:
        text = driver.switch_to.alert.text
    except NoAlertPresentException:
        text = None
    assert text is None, f"article text ran as script: alert({text})"
    assert driver.execute_script(INJECTED) == 0, "article markup became elements"


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory) -> Path:
    folder = README_IMAGES if os.environ.get("BYLINE_SCREENSHOTS") == "1" else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def screenshot(browser, screenshots: Path) -> Callable[[str], None]:
    def save(name: str) -> None:
        browser.save_screenshot(str(screenshots / name))

    return save


def widget_root(driver):
    from selenium.webdriver.common.by import By

    return wait(driver, 30).until(lambda d: d.find_element(By.ID, "byline-widget").shadow_root)


def gradio_ask(driver, url: str, question: str, expect: str):
    from selenium.webdriver.common.by import By

    driver.get(url)
    box = wait(driver, 60).until(lambda d: d.find_element(By.CSS_SELECTOR, "#byline-question textarea"))
    box.send_keys(question)
    driver.find_element(By.ID, "byline-ask").click()
    wait(driver).until(lambda d: expect in d.find_element(By.ID, "byline-sources").text)
    return driver.find_element(By.ID, "byline-sources")


def widget_ask(root, question: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    answers = len(root.find_elements(By.CSS_SELECTOR, ".msg.bot"))
    field = root.find_element(By.CSS_SELECTOR, "input[name=question]")
    field.send_keys(question + Keys.ENTER)
    # Done when the new answer has its citations (the result event) or an error.
    wait(root).until(
        lambda r: len(r.find_elements(By.CSS_SELECTOR, ".msg.bot")) > answers
        and r.find_elements(By.CSS_SELECTOR, ".msg.bot")[-1].find_elements(By.CSS_SELECTOR, ".cite, .warnings")
        or r.find_elements(By.CSS_SELECTOR, ".msg.bot.error")
    )
    errors = root.find_elements(By.CSS_SELECTOR, ".msg.bot.error")
    assert not errors, errors[0].text


def open_citation(root, index: int = 0):
    """Click citation `index` of the newest answer; return its passage box."""
    from selenium.webdriver.common.by import By

    answer = root.find_elements(By.CSS_SELECTOR, ".msg.bot")[-1]
    answer.find_elements(By.CSS_SELECTOR, ".cite")[index].click()
    return answer.find_elements(By.CSS_SELECTOR, ".context")[index]


def test_gradio_chat_answers_with_highlighted_citations(server, browser, screenshot):
    from selenium.webdriver.common.by import By

    sources = gradio_ask(browser, f"{server.url}/", QUESTION, "Hajar al-Aswad")
    marks = [mark.text for mark in sources.find_elements(By.TAG_NAME, "mark")]
    assert any("Yarmouk camp and Hajar al-Aswad" in mark for mark in marks)
    chat = browser.find_element(By.ID, "byline-chat").text
    assert "Hajar al-Aswad" in chat and "[1]" in chat
    browser.execute_script("window.scrollTo(0, 0)")
    screenshot("gradio-chat.png")


def test_gradio_shows_article_markup_as_text(server, browser):
    from selenium.webdriver.common.by import By

    sources = gradio_ask(browser, f"{server.url}/", HARBOUR_QUESTION, "harbour bridge said")
    assert XSS_SCRIPT in sources.text and XSS_IMG in sources.text
    assert XSS_SCRIPT in browser.find_element(By.ID, "byline-chat").text
    assert_nothing_injected(browser)

    gradio_tab(browser, "Articles")
    table = wait(browser, 30).until(lambda d: d.find_element(By.ID, "byline-articles"))
    wait(browser, 30).until(lambda d: "<img src=x onerror=alert(3)>" in table.text)
    chooser = browser.find_element(By.CSS_SELECTOR, "#byline-article-id input")
    chooser.send_keys(HARBOUR_DOC)
    browser.find_element(By.ID, "byline-show").click()
    text = wait(browser, 30).until(
        lambda d: d.find_element(By.CSS_SELECTOR, "#byline-article-text textarea").get_attribute("value")
    )
    assert XSS_SCRIPT in text and XSS_IMG in text
    assert_nothing_injected(browser)


def test_widget_on_another_origin_streams_cited_answers(server, host_site, browser, screenshot):
    from selenium.webdriver.common.by import By

    host_url, folder = host_site
    (folder / "news.html").write_text(
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>The Elwyn Herald</title></head>"
        "<body style='font-family:sans-serif;margin:40px'><h1>The Elwyn Herald</h1>"
        "<p>Local news from the valley and the coast.</p>"
        f'<script src="{server.url}/widget.js" data-title="Ask the archive" data-key="{API_KEY}" async></script>'
        "</body></html>",
        encoding="utf-8",
    )
    assert host_url.rsplit(":", 1)[1] != server.url.rsplit(":", 1)[1]
    browser.get(f"{host_url}/news.html")
    root = widget_root(browser)
    launcher = root.find_element(By.CSS_SELECTOR, ".launcher")
    assert launcher.get_attribute("aria-label") == "Open chat: Ask the archive"
    launcher.click()
    assert root.find_element(By.CSS_SELECTOR, ".title").text == "Ask the archive"
    widget_ask(root, QUESTION)
    answer = root.find_elements(By.CSS_SELECTOR, ".msg.bot .answer")[-1].text
    assert "Hajar al-Aswad" in answer and "[1]" in answer
    passage = open_citation(root)
    sentence = passage.find_element(By.CSS_SELECTOR, "mark")
    assert "Yarmouk camp and Hajar al-Aswad" in sentence.text
    assert len(passage.text) > len(sentence.text)  # shown in its passage
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", sentence)
    screenshot("widget-chat.png")

    widget_ask(root, HARBOUR_QUESTION)
    passage = open_citation(root)
    assert XSS_SCRIPT in passage.find_element(By.CSS_SELECTOR, "mark").text
    assert XSS_IMG in passage.text
    assert_nothing_injected(browser)


def test_widget_refuses_without_a_valid_key(server, host_site, browser):
    from selenium.webdriver.common.by import By

    host_url, folder = host_site
    (folder / "nokey.html").write_text(
        f'<!doctype html><html><body><script src="{server.url}/widget.js" data-key="wrong" async></script></body></html>',
        encoding="utf-8",
    )
    browser.get(f"{host_url}/nokey.html")
    root = widget_root(browser)
    root.find_element(By.CSS_SELECTOR, ".launcher").click()
    root.find_element(By.CSS_SELECTOR, "input[name=question]").send_keys(QUESTION + "\n")
    error = wait(browser, 30).until(lambda d: root.find_elements(By.CSS_SELECTOR, ".msg.bot.error"))
    assert "API key" in error[0].text


def test_iframe_widget_and_api_json_show_markup_as_text(open_server, host_site, browser, screenshot):
    """Default settings: the /widget page calls its own origin (no CORS needed, no key)."""
    from selenium.webdriver.common.by import By

    upload = httpx.post(
        f"{open_server}/api/articles", files=[("files", (HARBOUR_DOC, HARBOUR_ARTICLE.encode(), "text/plain"))], timeout=120
    )
    assert upload.status_code == 200, upload.text
    host_url, folder = host_site
    (folder / "framed.html").write_text(
        f'<!doctype html><html><body><h1>Framed</h1><iframe id="chat" src="{open_server}/widget?title=Harbour%20desk"'
        ' style="width:420px;height:560px;border:1px solid #ccc"></iframe></body></html>',
        encoding="utf-8",
    )
    browser.get(f"{host_url}/framed.html")
    browser.switch_to.frame(browser.find_element(By.ID, "chat"))
    try:
        root = widget_root(browser)
        assert root.find_element(By.CSS_SELECTOR, ".title").text == "Harbour desk"
        assert not root.find_elements(By.CSS_SELECTOR, ".launcher")
        widget_ask(root, HARBOUR_QUESTION)
        passage = open_citation(root)
        assert XSS_SCRIPT in passage.find_element(By.CSS_SELECTOR, "mark").text
        assert_nothing_injected(browser)
        assert not [entry for entry in browser.get_log("browser") if "Content Security Policy" in entry["message"]]
    finally:
        browser.switch_to.default_content()
    screenshot("widget-iframe.png")

    browser.get(f"{open_server}/api/articles/{HARBOUR_DOC}")
    body = browser.find_element(By.TAG_NAME, "body").text
    assert XSS_SCRIPT in body and "onerror=alert(2)" in body
    assert_nothing_injected(browser)


def gradio_tab(driver, name: str) -> None:
    from selenium.webdriver.common.by import By

    tab = f"//button[@role='tab' and normalize-space()='{name}']"
    wait(driver, 60).until(lambda d: d.find_element(By.XPATH, tab)).click()


def test_gradio_uploads_lists_filters_and_deletes(server, browser, screenshot, tmp_path):
    from selenium.webdriver.common.by import By

    from rag.models import Filters

    article = tmp_path / "ferry.md"
    article.write_text(
        "---\nsource: Harbour Times\ndate: 2025-02-10\n---\n# Night ferry returns\n\n"
        "The night ferry between Port Elwyn and Skerry Point returned on Monday after a two-year pause.\n",
        encoding="utf-8",
    )
    browser.get(f"{server.url}/")
    gradio_tab(browser, "Articles")
    upload = wait(browser, 30).until(lambda d: d.find_element(By.CSS_SELECTOR, "#byline-upload input[type=file]"))
    upload.send_keys(str(article))
    wait(browser, 60).until(lambda d: "ferry" in d.find_element(By.ID, "byline-upload").text)  # the name may wrap before ".md"
    browser.find_element(By.ID, "byline-add").click()
    wait(browser).until(lambda d: "Added 1" in d.find_element(By.ID, "byline-status").text)
    wait(browser, 30).until(lambda d: "Night ferry returns" in d.find_element(By.ID, "byline-articles").text)
    assert server.service.article("ferry.md") is not None
    screenshot("gradio-articles.png")

    # Only the new article is dated 2025: the chat, so filtered, cannot cite the Syria article.
    expected = server.service.ask(QUESTION, filters=Filters(date_from="2025-01-01"))
    assert {c.doc_id for c in expected.citations} <= {"ferry.md"}
    gradio_tab(browser, "Chat")
    browser.find_element(By.XPATH, "//button[contains(., 'Filters')]").click()
    wait(browser, 10).until(lambda d: d.find_element(By.CSS_SELECTOR, "#byline-date-from textarea, #byline-date-from input")).send_keys("2025-01-01")
    browser.find_element(By.CSS_SELECTOR, "#byline-question textarea").send_keys(QUESTION)
    browser.find_element(By.ID, "byline-ask").click()
    wait(browser).until(lambda d: expected.answer[:40] in d.find_element(By.ID, "byline-chat").text)
    assert "Yarmouk" not in browser.find_element(By.ID, "byline-sources").text

    gradio_tab(browser, "Articles")
    chooser = wait(browser, 10).until(lambda d: d.find_element(By.CSS_SELECTOR, "#byline-article-id input"))
    chooser.clear()
    chooser.send_keys("ferry.md")
    browser.find_element(By.ID, "byline-delete").click()
    wait(browser, 30).until(lambda d: "Deleted ferry.md" in d.find_element(By.ID, "byline-status").text)
    wait(browser, 30).until(lambda d: "Night ferry returns" not in d.find_element(By.ID, "byline-articles").text)
    assert server.service.article("ferry.md") is None


def test_api_docs_page_renders_offline(server, browser):
    from selenium.webdriver.common.by import By

    browser.get(f"{server.url}/api/docs")
    wait(browser, 30).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".op")) >= 8)
    paths = {element.text for element in browser.find_elements(By.CSS_SELECTOR, ".op .path")}
    assert {"/api/ask", "/api/ask/stream", "/api/search", "/api/articles", "/api/articles/{doc_id}"} <= paths
