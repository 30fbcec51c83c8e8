"""The UIs in headless Chromium (Debian's `chromium` + `chromium-driver`, driven by Selenium).

The session installs the two packages with apt-get when they are missing (as CI runs, as root);
where that is impossible the tests skip and say why. Screenshots go to docs/img/ with
BYLINE_SCREENSHOTS=1 (the README shows them), else to a temporary folder.
"""

import os
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.debian import install_problem
from tests.fake_llm import INVENTED_CLAIM, fake_llm
from ui.render import citation_label
from tests.fixtures_server import (
    API_KEY,
    HARBOUR_ARTICLE,
    HARBOUR_DOC,
    HARBOUR_QUESTION,
    QUESTION,
    XSS_IMG,
    XSS_SCRIPT,
    XSS_TITLE,
    XSS_URL,
    serve_in_thread,
)

# Real browsers, many processes or servers: `make test-slow` (CI runs it).
pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ROOT = Path(__file__).resolve().parent.parent
README_IMAGES = ROOT / "docs" / "img"
README_SERVER = "http://127.0.0.1:7860"  # the address the README's snippets name
ANSWER_TIMEOUT = 90
FOLLOW_UP = "And in Yarmouk?"  # rewritten: a follow-up shows what was searched for
# Answered from three sentences of the seed article: labels and markers have something to tell apart.
DAMASCUS = "What happened in Damascus?"
TARGET_MARK = "rgba(255, 212, 59, 1)"  # a :target passage's sentence (ui/gradio_app.py CSS)
# Counts what an injected payload would have created, in the page and in open shadow roots:
# elements, event-handler attributes, links to javascript: URLs.
INJECTED = """
const roots = [document, ...[...document.querySelectorAll('*')].filter(e => e.shadowRoot).map(e => e.shadowRoot)];
return roots.reduce((n, r) => n + r.querySelectorAll('img[src="x"], [href*="javascript:" i], [src*="javascript:" i]').length
    + [...r.querySelectorAll('script')].filter(s => s.textContent.includes('alert(')).length
    + [...r.querySelectorAll('*')].filter(e => [...e.attributes].some(a => a.name.startsWith('on') && a.value.includes('alert('))).length, 0);
"""


def chromium_problem() -> str | None:
    """Install Chromium and its driver if missing; say why not where that is impossible."""
    return install_problem(["chromium", "chromium-driver"], lambda: CHROMIUM.exists() and CHROMEDRIVER.exists(), "the browser tests")


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


def follow_link(driver, link, seconds: float = 10) -> None:
    """A real click on the in-page `link`, scrolled to the middle of the view (not under the chat's
    sticky header), tried again until the page's address holds its fragment: content still settling
    may cover it, and Gradio's chat scrolls itself to the bottom 300 ms after an answer lands, which
    can carry the link away from under a click."""
    from selenium.common.exceptions import ElementClickInterceptedException

    fragment = "#" + link.get_attribute("href").split("#", 1)[1]
    deadline = time.monotonic() + seconds
    while True:
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", link)
        try:
            link.click()
        except ElementClickInterceptedException:
            if time.monotonic() > deadline:
                raise
        if driver.execute_script("return location.hash") == fragment:
            return
        assert time.monotonic() < deadline, f"clicking {link.text} did not open {fragment}"
        time.sleep(0.25)


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


# Every text the status line under "Add to index" shows, Gradio's progress on it included, kept as it changes.
STATUS_SEEN = """
window.bylineStatusSeen = [];
new MutationObserver(() => {
  const status = document.getElementById('byline-status');
  if (status) window.bylineStatusSeen.push(status.innerText);
}).observe(document.body, {subtree: true, childList: true, characterData: true});
"""


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


@pytest.fixture(scope="session")
def llm_server(seed_service) -> Iterator[str]:
    """A server over the seed article whose LLM (a fake on 127.0.0.1) adds a claim no article makes."""
    from rag.service import Byline
    from ui.server import create_app

    for base_url in fake_llm():
        update = {"llm": "openai", "llm_base_url": base_url, "llm_model": "fake-model", "llm_api_key": "sk-fake"}
        service = Byline(seed_service.settings.model_copy(update=update))
        service.warm_up()
        yield from serve_in_thread(create_app(service))


def widget_root(driver):
    from selenium.webdriver.common.by import By

    return wait(driver, 30).until(lambda d: d.find_element(By.ID, "byline-widget").shadow_root)


def gradio_ask(driver, question: str):
    """Ask in the open Gradio chat; return the new answer once its checked result is shown."""
    from selenium.webdriver.common.by import By

    answers = len(driver.find_elements(By.CSS_SELECTOR, "#byline-chat .byline-answer"))
    box = wait(driver, 60).until(lambda d: d.find_element(By.CSS_SELECTOR, "#byline-question textarea"))
    box.send_keys(question)
    driver.find_element(By.ID, "byline-ask").click()
    wait(driver).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#byline-chat .byline-answer")) > answers)
    return gradio_answers(driver)[-1]


def gradio_answers(driver) -> list:
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, "#byline-chat .byline-answer")


def gradio_open(driver, url: str) -> None:
    """Open the chat page at `url`, signing in with the admin key where the server asks for one."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver.get(url)
    if driver.current_url.endswith("/signin"):
        driver.find_element(By.ID, "key").send_keys(API_KEY + Keys.ENTER)
    wait(driver, 60).until(lambda d: d.find_element(By.CSS_SELECTOR, "#byline-question textarea"))


def widget_ask(root, question: str):
    """Ask in the widget; return the new answer bubble once it is finished."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    answers = len(root.find_elements(By.CSS_SELECTOR, ".msg.bot"))
    field = root.find_element(By.CSS_SELECTOR, "input[name=question]")
    field.send_keys(question + Keys.ENTER)
    # Done when the new answer is in and the Ask button is enabled again.
    wait(root).until(lambda r: len(r.find_elements(By.CSS_SELECTOR, ".msg.bot")) > answers and r.find_element(By.CSS_SELECTOR, "button.send").is_enabled())
    errors = root.find_elements(By.CSS_SELECTOR, ".msg.bot.error")
    assert not errors, errors[0].text
    return root.find_elements(By.CSS_SELECTOR, ".msg.bot")[-1]


def open_citation(root, index: int = 0):
    """Click citation `index` of the newest answer; return its passage box."""
    from selenium.webdriver.common.by import By

    answer = root.find_elements(By.CSS_SELECTOR, ".msg.bot")[-1]
    answer.find_elements(By.CSS_SELECTOR, ".cite")[index].click()
    return answer.find_elements(By.CSS_SELECTOR, ".context")[index]


def assert_labelled_by_their_sentences(labels: list[str], citations) -> None:
    """Each citation reads as the start of its own sentence, so no two read alike (quote marks aside:
    the label's own, and the sentence's, nested in them)."""
    assert len(labels) == len(citations) >= 1 and len(set(labels)) == len(labels)
    unquoted = str.maketrans("", "", '“”‘’"…')
    for label, citation in zip(labels, citations):
        words = label.translate(unquoted).split()
        assert citation.sentence.translate(unquoted).split()[: len(words)] == words and len(label) <= 93
        assert not label.startswith("““") and label.count("“") == label.count("”")


def test_gradio_earlier_answers_keep_their_sources(server, browser, screenshot):
    from selenium.webdriver.common.by import By

    from rag.schema import Turn

    expected = server.service.ask(DAMASCUS)
    gradio_open(browser, f"{server.url}/")
    first = gradio_ask(browser, DAMASCUS)
    assert expected.citations[0].sentence[:40] in first.text and "[1]" in first.text and "Searched for" not in first.text
    labels = [e.text for e in first.find_elements(By.CSS_SELECTOR, ".byline-label")]
    assert_labelled_by_their_sentences(labels, expected.citations)

    follow_up = gradio_ask(browser, FOLLOW_UP)
    searched = server.service.standalone(FOLLOW_UP, [Turn(role="user", content=DAMASCUS), Turn(role="assistant", content=expected.answer)])
    assert searched != FOLLOW_UP
    assert follow_up.find_element(By.CSS_SELECTOR, ".byline-searched").text == f"Searched for: “{searched}”"

    # Back in the first answer: its [2] opens its own sentence, highlighted in its passage.
    first = gradio_answers(browser)[0]
    marker = first.find_elements(By.CSS_SELECTOR, "a.byline-marker")[1]
    assert marker.text == "[2]" and marker.get_attribute("title").startswith(expected.citations[1].sentence)
    follow_link(browser, marker)
    passage = wait(browser, 10).until(lambda d: d.find_element(By.CSS_SELECTOR, ".byline-passage:target"))
    assert passage.get_attribute("id") == marker.get_attribute("href").split("#")[1] == "byline-a2-c2"
    assert passage.is_displayed() and first.find_element(By.ID, "byline-a2-c2") == passage
    sentence = passage.find_element(By.TAG_NAME, "mark")
    assert sentence.text == expected.citations[1].sentence and len(passage.text) > len(sentence.text)
    assert sentence.value_of_css_property("background-color") == TARGET_MARK
    browser.execute_script("arguments[0].scrollIntoView({block: 'start'}); window.scrollTo(0, 0)", first)
    screenshot("gradio-chat.png")


def test_gradio_marks_an_unsupported_claim(llm_server, browser, screenshot):
    from selenium.webdriver.common.by import By

    gradio_open(browser, f"{llm_server}/")
    answer = gradio_ask(browser, QUESTION)
    supported, unsupported = answer.find_elements(By.CSS_SELECTOR, ".byline-claim")
    assert "byline-unsupported" not in supported.get_attribute("class") and "Yarmouk" in supported.text
    assert "byline-unsupported" in unsupported.get_attribute("class")
    assert unsupported.text == f"⚠ {INVENTED_CLAIM}"
    assert unsupported.get_attribute("title").startswith("Not supported by the articles: ")
    assert unsupported.value_of_css_property("background-color") != supported.value_of_css_property("background-color")
    warnings = [e.text for e in answer.find_elements(By.CSS_SELECTOR, ".byline-warning")]
    assert any("not supported" in w and INVENTED_CLAIM in w for w in warnings)
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", answer)
    screenshot("gradio-unsupported.png")


def test_gradio_shows_article_markup_as_text(server, browser):
    from selenium.webdriver.common.by import By

    gradio_open(browser, f"{server.url}/")
    answer = gradio_ask(browser, HARBOUR_QUESTION)
    assert XSS_SCRIPT in answer.find_element(By.CSS_SELECTOR, ".byline-text").text
    follow_link(browser, answer.find_element(By.CSS_SELECTOR, "a.byline-marker"))
    passage = wait(browser, 10).until(lambda d: d.find_element(By.CSS_SELECTOR, ".byline-passage:target"))
    assert XSS_SCRIPT in passage.text and XSS_IMG in passage.text
    assert XSS_TITLE in answer.find_element(By.CSS_SELECTOR, ".byline-facts").text
    assert_nothing_injected(browser)

    gradio_tab(browser, "Articles")
    table = wait(browser, 30).until(lambda d: d.find_element(By.ID, "byline-articles"))
    wait(browser, 30).until(lambda d: XSS_TITLE in table.text)
    chooser = browser.find_element(By.CSS_SELECTOR, "#byline-article-id input")
    chooser.send_keys(HARBOUR_DOC)
    browser.find_element(By.ID, "byline-show").click()
    text = wait(browser, 30).until(lambda d: d.find_element(By.CSS_SELECTOR, "#byline-article-text textarea").get_attribute("value"))
    assert text.startswith(XSS_TITLE) and XSS_URL in text and XSS_SCRIPT in text and XSS_IMG in text
    assert_nothing_injected(browser)


def test_widget_on_another_origin_streams_cited_answers(server, host_site, browser, screenshot):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    from rag.schema import Turn

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
    expected = server.service.ask(DAMASCUS)
    first = widget_ask(root, DAMASCUS)
    answer = first.find_element(By.CSS_SELECTOR, ".answer").text
    assert expected.citations[0].sentence[:40] in answer and "[1]" in answer and not first.find_elements(By.CSS_SELECTOR, ".searched")
    labels = [e.text for e in first.find_elements(By.CSS_SELECTOR, ".cite .label")]
    assert_labelled_by_their_sentences(labels, expected.citations)
    passage = open_citation(root)
    sentence = passage.find_element(By.CSS_SELECTOR, "mark")
    assert sentence.text == expected.citations[0].sentence
    assert len(passage.text) > len(sentence.text)  # shown in its passage

    follow_up = widget_ask(root, FOLLOW_UP)
    searched = server.service.standalone(FOLLOW_UP, [Turn(role="user", content=DAMASCUS), Turn(role="assistant", content=expected.answer)])
    assert searched != FOLLOW_UP
    assert follow_up.find_element(By.CSS_SELECTOR, ".searched").text == f"Searched for: “{searched}”"
    widget_ask(root, HARBOUR_QUESTION)
    passage = open_citation(root)
    assert XSS_SCRIPT in passage.find_element(By.CSS_SELECTOR, "mark").text
    assert XSS_IMG in passage.text
    assert_nothing_injected(browser)

    # The first answer's [2], two answers later: pointing at it lights its source; clicking opens it.
    marker = first.find_elements(By.CSS_SELECTOR, ".answer .marker")[1]
    source = first.find_elements(By.CSS_SELECTOR, ".cite")[1]
    assert marker.text == "[2]" and marker.get_attribute("title").startswith(expected.citations[1].sentence)
    ActionChains(browser).move_to_element(marker).perform()
    wait(browser, 5).until(lambda d: "pointed" in source.get_attribute("class"))
    marker.click()
    passage = first.find_elements(By.CSS_SELECTOR, ".context")[1]
    wait(browser, 5).until(lambda d: passage.is_displayed())
    assert "current" in passage.get_attribute("class") and source.get_attribute("aria-expanded") == "true"
    sentence = passage.find_element(By.CSS_SELECTOR, "mark")
    assert sentence.text == expected.citations[1].sentence
    assert sentence.value_of_css_property("background-color") == TARGET_MARK
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", sentence)
    screenshot("widget-chat.png")


def widget_page(folder: Path, name: str, server_url: str, attributes: str = "") -> str:
    (folder / name).write_text(
        f'<!doctype html><html><body><script src="{server_url}/widget.js" data-key="{API_KEY}" {attributes} async></script></body></html>',
        encoding="utf-8",
    )
    return name


def test_widget_keeps_the_conversation_per_tab_and_follows_dark_mode(server, host_site, browser):
    """The passage names its article for readers; the conversation survives a reload in the tab until
    "New conversation"; the panel is dark with the system unless data-theme says otherwise."""
    from selenium.webdriver.common.by import By

    host_url, folder = host_site
    page = host_url + "/" + widget_page(folder, "kept.html", server.url, 'data-title="Kept"')  # a conversation of its own
    root = open_widget(browser, page)
    answer = widget_ask(root, HARBOUR_QUESTION)
    passage = open_citation(root)
    article = passage.find_element(By.CSS_SELECTOR, ".article")
    assert article.text == f"{XSS_TITLE} · Coastal Courier · 2024-03-05"
    assert "characters" not in passage.text and HARBOUR_DOC not in passage.text
    assert not article.find_elements(By.TAG_NAME, "a")  # its URL is javascript:, no link

    shown = answer.find_element(By.CSS_SELECTOR, ".answer").text
    root = open_widget(browser, page)
    answers = root.find_elements(By.CSS_SELECTOR, ".msg.bot")
    assert [a.find_element(By.CSS_SELECTOR, ".answer").text for a in answers] == [shown]
    assert XSS_SCRIPT in open_citation(root).find_element(By.CSS_SELECTOR, "mark").text
    assert_nothing_injected(browser)
    root.find_element(By.CSS_SELECTOR, ".new").click()
    assert not root.find_elements(By.CSS_SELECTOR, ".msg")
    assert not open_widget(browser, page).find_elements(By.CSS_SELECTOR, ".msg")

    def panel_colour(name: str, attributes: str = "") -> str:
        root = open_widget(browser, f"{host_url}/{widget_page(folder, name, server.url, attributes)}")
        return root.find_element(By.CSS_SELECTOR, ".panel").value_of_css_property("background-color")

    white, dark = "rgba(255, 255, 255, 1)", "rgba(29, 31, 35, 1)"
    assert panel_colour("light.html") == white and panel_colour("dark.html", 'data-theme="dark"') == dark
    root = open_widget(browser, f"{host_url}/{widget_page(folder, 'dark-answer.html', server.url, 'data-theme=' + chr(34) + 'dark' + chr(34))}")
    widget_ask(root, HARBOUR_QUESTION)
    assert root.find_element(By.CSS_SELECTOR, ".feedback button").value_of_css_property("background-color") == dark  # not a white button
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    try:
        assert panel_colour("light.html") == dark and panel_colour("light-forced.html", 'data-theme="light"') == white
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})


def test_widget_marks_an_unsupported_claim(llm_server, browser):
    from selenium.webdriver.common.by import By

    browser.get(f"{llm_server}/widget")
    answer = widget_ask(widget_root(browser), QUESTION)
    claims = answer.find_elements(By.CSS_SELECTOR, ".answer .claim")
    assert [c.get_attribute("class") for c in claims] == ["claim", "claim unsupported"]
    assert claims[1].text == f"⚠ {INVENTED_CLAIM}"
    assert claims[1].get_attribute("title").startswith("Not supported by the articles: ")
    assert [m.text for m in answer.find_elements(By.CSS_SELECTOR, ".answer .marker")] == ["[1]"]  # after the first claim
    assert claims[1].value_of_css_property("background-color") != claims[0].value_of_css_property("background-color")
    assert INVENTED_CLAIM in answer.find_element(By.CSS_SELECTOR, ".warnings").text


def readme_html_snippets() -> list[str]:
    return re.findall(r"^```html\n(.*?)^```", (ROOT / "README.md").read_text(encoding="utf-8"), flags=re.M | re.S)


def open_widget(driver, page_url: str):
    """Load `page_url` and open the widget on it (in its first frame, if it frames the widget)."""
    from selenium.webdriver.common.by import By

    driver.get_log("browser")  # forget what earlier pages logged
    driver.get(page_url)
    frames = driver.find_elements(By.TAG_NAME, "iframe")
    if frames:
        driver.switch_to.frame(frames[0])
    root = widget_root(driver)
    for launcher in root.find_elements(By.CSS_SELECTOR, ".launcher"):
        launcher.click()
    return root


def widget_error(driver, root, question: str = QUESTION) -> tuple[str, str]:
    """Ask `question`; return the error the widget shows and what it logged to the console."""
    from selenium.webdriver.common.by import By

    errors = len(root.find_elements(By.CSS_SELECTOR, ".msg.bot.error"))
    root.find_element(By.CSS_SELECTOR, "input[name=question]").send_keys(question + "\n")
    wait(driver, 30).until(lambda d: len(root.find_elements(By.CSS_SELECTOR, ".msg.bot.error")) > errors)
    logged = [e["message"] for e in driver.get_log("browser") if "Byline widget" in e["message"]]
    return root.find_elements(By.CSS_SELECTOR, ".msg.bot.error")[-1].text, " ".join(logged)


def test_readme_snippets_work_as_written(server, host_site, browser):
    """Each HTML snippet of the README, with only the server's address changed, on a page of another
    origin that the server allows, without API keys: it answers, or says the key left in it is a placeholder."""
    from selenium.webdriver.common.by import By

    from rag.service import Byline
    from rag.settings import Settings
    from ui.server import create_app

    snippets = readme_html_snippets()
    assert len(snippets) >= 2 and all(README_SERVER in snippet for snippet in snippets)
    host_url, folder = host_site
    keyless = Byline(Settings(store=server.service.settings.store, cors_origins=host_url))
    for url in serve_in_thread(create_app(keyless)):
        for n, snippet in enumerate(snippets):
            (folder / f"readme-{n}.html").write_text(
                f"<!doctype html><html><head><meta charset=utf-8></head><body>{snippet.replace(README_SERVER, url)}</body></html>",
                encoding="utf-8",
            )
            root = open_widget(browser, f"{host_url}/readme-{n}.html")
            try:
                if "…" not in snippet:
                    answer = widget_ask(root, QUESTION)
                    assert "Yarmouk" in answer.find_element(By.CSS_SELECTOR, ".answer").text
                    assert answer.find_elements(By.CSS_SELECTOR, ".cite") and answer.find_elements(By.CSS_SELECTOR, ".marker")
                    continue
                # A placeholder key: said as soon as the widget opens, and again when asked, never a raw browser error.
                shown = root.find_element(By.CSS_SELECTOR, ".msg.bot.error").text
                assert shown.startswith("This widget's key is not a valid key: replace “…”") and "BYLINE_READER_KEYS" in shown
                assert "or drop it on a server without keys" in shown  # this server has none
                error, logged = widget_error(browser, root)
                assert error == shown and "ISO-8859-1" not in root.find_element(By.CSS_SELECTOR, ".panel").text
                assert "BYLINE_READER_KEYS" in logged
            finally:
                browser.switch_to.default_content()


def test_widget_says_why_the_server_refuses(server, host_site, browser):
    """A wrong key, a page whose origin CORS does not allow, a reader key copied to another site, one
    question too many, a server that went down: each said in plain words in the widget, with the
    setting to change in the console."""
    from fastapi import FastAPI

    from rag.service import Byline
    from rag.settings import Settings
    from ui.server import create_app
    from ui.widget import widget_router

    host_url, folder = host_site

    def page(name: str, server_url: str, key: str) -> str:
        (folder / name).write_text(
            f'<!doctype html><html><body><script src="{server_url}/widget.js" data-key="{key}" async></script></body></html>',
            encoding="utf-8",
        )
        return name

    error, logged = widget_error(browser, open_widget(browser, f"{host_url}/{page('wrong-key.html', server.url, 'wrong')}"))
    assert error.startswith("The server refused this chat's key. The server said: Unknown")
    assert "data-key" in logged and "BYLINE_READER_KEYS" in logged

    # localhost is another origin than 127.0.0.1, the one BYLINE_CORS_ORIGINS allows.
    other_origin = host_url.replace("127.0.0.1", "localhost")
    error, logged = widget_error(browser, open_widget(browser, f"{other_origin}/{page('cors.html', server.url, API_KEY)}"))
    assert error == f"The Byline server at {server.url} does not accept questions from this page ({other_origin})."
    assert f"Add {other_origin} to BYLINE_CORS_ORIGINS" in logged

    # A reader key bound to the host page's origin, one question a minute. Copied to another site
    # (one CORS allows) it is refused; on its own site, a second question is one too many.
    reader_key = "reader-widget-5c1d"
    limited = Settings(store=server.service.settings.store, cors_origins=other_origin, reader_keys=f"{reader_key} {host_url}", rate_limit=1)
    for url in serve_in_thread(create_app(Byline(limited))):
        error, logged = widget_error(browser, open_widget(browser, f"{other_origin}/{page('copied.html', url, reader_key)}"))
        assert error.startswith(f"This chat's key may not be used on this page ({other_origin}). The server said: ")
        assert f"Add {other_origin} to the key's origins in BYLINE_READER_KEYS" in logged
        root = open_widget(browser, f"{host_url}/{page('limited.html', url, reader_key)}")
        widget_ask(root, QUESTION)
        error, logged = widget_error(browser, root)
        assert re.fullmatch(r"Too many questions for now: please try again in \d+ seconds?\. The server said: .+", error), error
        assert "BYLINE_RATE_LIMIT" in logged

    widget_only = FastAPI()
    widget_only.include_router(widget_router(Settings()))
    going = serve_in_thread(widget_only)
    gone = next(going)
    root = open_widget(browser, f"{host_url}/{page('down.html', gone, API_KEY)}")
    going.close()  # the port is closed now
    error, logged = widget_error(browser, root)
    assert error == f"The Byline server at {gone} cannot be reached. Please try again later."
    assert "byline serve" in logged


def test_iframe_widget_and_api_json_show_markup_as_text(open_server, host_site, browser, screenshot):
    """Default settings: the /widget page calls its own origin (no CORS needed, no key)."""
    from selenium.webdriver.common.by import By

    upload = httpx.post(f"{open_server}/api/articles", files=[("files", (HARBOUR_DOC, HARBOUR_ARTICLE.encode(), "text/plain"))], timeout=120)
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

    from rag.schema import Filters

    article = tmp_path / "ferry.md"
    article.write_text(
        "---\nsource: Harbour Times\ndate: 2025-02-10\n---\n# Night ferry returns\n\n"
        "The night ferry between Port Elwyn and Skerry Point returned on Monday after a two-year pause.\n",
        encoding="utf-8",
    )
    # With it, a desk's notes from 2024: many files, whose upload tells its progress under the button.
    notes = [tmp_path / f"desk-note-{n:02}.md" for n in range(11)]
    for n, note in enumerate(notes):
        sentences = " ".join(f"Council item {n}.{k} on the harbour tram was deferred to the spring session." for k in range(12))
        note.write_text(f"---\nsource: Desk Notes\ndate: 2024-03-{n + 1:02}\n---\n# Desk note {n}\n\n{sentences}\n", encoding="utf-8")
    gradio_open(browser, f"{server.url}/")
    gradio_tab(browser, "Articles")
    upload = wait(browser, 30).until(lambda d: d.find_element(By.CSS_SELECTOR, "#byline-upload input[type=file]"))
    upload.send_keys("\n".join(str(path) for path in [article, *notes]))
    wait(browser, 60).until(lambda d: "ferry" in d.find_element(By.ID, "byline-upload").text)  # the name may wrap before ".md"
    browser.execute_script(STATUS_SEEN)
    browser.find_element(By.ID, "byline-add").click()
    wait(browser, 60).until(lambda d: "Added 12" in d.find_element(By.ID, "byline-status").text)
    seen = browser.execute_script("return window.bylineStatusSeen")
    assert any(re.search(r"Adding 12 files: \d+ articles? read", text) for text in seen), seen
    wait(browser, 30).until(lambda d: "Night ferry returns" in d.find_element(By.ID, "byline-articles").text)
    assert server.service.article("ferry.md") is not None
    window = browser.get_window_size()
    browser.set_window_size(1280, 1400)  # the README's picture: the upload, the feeds and the article list
    screenshot("gradio-articles.png")
    browser.set_window_size(window["width"], window["height"])
    # The list's search (Enter): the ferry alone, and the line says so; Previous and Next are off.
    search = browser.find_element(By.CSS_SELECTOR, "#byline-article-search textarea, #byline-article-search input")
    search.send_keys("HARBOUR ferry\n")
    wait(browser, 30).until(lambda d: "matching “HARBOUR ferry”" in d.find_element(By.ID, "byline-listing").text)
    assert "Syria" not in browser.find_element(By.ID, "byline-articles").text
    assert not browser.find_element(By.ID, "byline-articles-next").is_enabled()

    # A refused address is shown as written, and links to itself (no Markdown escapes).
    refused = "http://127.0.0.1:9/feeds/late-news.xml"
    browser.find_element(By.CSS_SELECTOR, "#byline-url textarea, #byline-url input").send_keys(refused)
    browser.find_element(By.ID, "byline-add-url").click()
    link = wait(browser, 30).until(lambda d: d.find_element(By.CSS_SELECTOR, "#byline-status a"))
    assert link.text == refused and link.get_attribute("href") == refused and "\\" not in browser.find_element(By.ID, "byline-status").text

    # Only the new article is dated 2025: the chat, so filtered, cannot cite the Syria article.
    expected = server.service.ask(QUESTION, filters=Filters(date_from="2025-01-01"))
    assert {c.doc_id for c in expected.citations} <= {"ferry.md"}
    gradio_tab(browser, "Chat")
    browser.find_element(By.XPATH, "//button[contains(., 'Filters')]").click()
    wait(browser, 10).until(lambda d: d.find_element(By.CSS_SELECTOR, "#byline-date-from textarea, #byline-date-from input")).send_keys("2025-01-01")
    answer = gradio_ask(browser, QUESTION)
    assert expected.answer[:40] in answer.text
    assert "Yarmouk" not in answer.get_attribute("textContent")  # nor in its sources, open or closed

    gradio_tab(browser, "Articles")
    chooser = wait(browser, 10).until(lambda d: d.find_element(By.CSS_SELECTOR, "#byline-article-id input"))
    chooser.clear()
    chooser.send_keys("ferry.md")
    browser.find_element(By.ID, "byline-delete").click()
    wait(browser, 30).until(lambda d: "Deleted ferry.md" in d.find_element(By.ID, "byline-status").text)
    wait(browser, 30).until(lambda d: "Night ferry returns" not in d.find_element(By.ID, "byline-articles").text)
    assert server.service.article("ferry.md") is None
    server.service.delete_many([note.name for note in notes])  # the session's store as the other tests expect it


def test_api_docs_page_renders_offline(server, browser):
    from selenium.webdriver.common.by import By

    browser.get(f"{server.url}/api/docs")
    wait(browser, 30).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".op")) >= 8)
    paths = {element.text for element in browser.find_elements(By.CSS_SELECTOR, ".op .path")}
    assert {"/api/ask", "/api/ask/stream", "/api/search", "/api/articles", "/api/articles/{doc_id}"} <= paths
    assert_nothing_injected(browser)


# Elements that float (absolute, fixed, sticky) over an answer's box in the chat: none may.
OVER_ANSWERS = """
const chat = document.getElementById('byline-chat');
const boxes = [...chat.querySelectorAll('.byline-answer')].map(e => e.getBoundingClientRect());
return [...chat.querySelectorAll('*')].filter(e => {
  const style = getComputedStyle(e), r = e.getBoundingClientRect();
  return ['absolute', 'fixed', 'sticky'].includes(style.position) && style.visibility !== 'hidden' && style.opacity !== '0'
    && r.width > 0 && r.height > 0 && !e.closest('.byline-answer, [data-testid=status-tracker]')  // progress, while an event runs
    && boxes.some(a => r.left < a.right && r.right > a.left && r.top < a.bottom && r.bottom > a.top);
}).map(e => e.outerHTML.slice(0, 120));
"""


def emulate(driver, width: int, height: int) -> None:
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})


def clipboard(driver) -> str:
    return driver.execute_async_script("navigator.clipboard.readText().then(arguments[0], e => arguments[0]('failed: ' + e))")


def test_gradio_welcomes_answers_examples_and_copies_markdown(server, browser, screenshot):
    """At 1280x720 the empty chat says how many articles and which answerer, offers questions from the
    headlines, and keeps the question box in view; nothing floats over an answer (desktop, 390 px);
    the copy buttons copy Markdown with numbered sources."""
    from selenium.webdriver.common.by import By

    emulate(browser, 1280, 720)
    try:
        gradio_open(browser, f"{server.url}/")
        chat = browser.find_element(By.ID, "byline-chat")
        welcome = f"{server.service.count()} articles indexed · answers by the extractive answerer"
        wait(browser, 30).until(lambda d: welcome in chat.text)
        # The headlines' questions come with the page's load event, which may land after the welcome's words.
        examples = wait(browser, 30).until(lambda d: chat.find_elements(By.CSS_SELECTOR, "button.example"))
        valley = "What is the latest on “Valley orchards report a record apple harvest”?"
        assert valley in [e.text for e in examples]
        for element in ("#byline-question textarea", "#byline-ask"):
            assert browser.find_element(By.CSS_SELECTOR, element).rect["y"] + 40 <= 720, f"{element} is below the fold"
        screenshot("gradio-welcome.png")

        next(e for e in examples if e.text == valley).click()
        wait(browser).until(lambda d: len(gradio_answers(d)) == 1)
        assert "record apple harvest" in gradio_answers(browser)[0].text
        answer = gradio_ask(browser, DAMASCUS)
        expected = server.service.ask(DAMASCUS)
        browser.execute_script("document.querySelector('#byline-chat [role=log]').scrollTop = 0")
        assert browser.execute_script(OVER_ANSWERS) == []

        browser.execute_cdp_cmd("Browser.grantPermissions", {"origin": server.url, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
        browser.find_element(By.ID, "byline-copy-answer").click()
        wait(browser, 5).until(lambda d: "Copied" in d.find_element(By.ID, "byline-copy-answer").text)
        copied = clipboard(browser)
        assert copied.startswith(f"**Q: {DAMASCUS}**\n\n{expected.answer[:40]}") and "<" not in copied
        assert f"Sources:\n- [1] {citation_label(expected.citations[0])} — " in copied
        browser.find_element(By.ID, "byline-copy-all").click()
        wait(browser, 5).until(lambda d: clipboard(d) != copied)
        whole = clipboard(browser)
        assert whole.startswith(f"**Q: {valley}**") and whole.endswith(copied) and "\n\n---\n\n" in whole
        assert answer.find_element(By.CSS_SELECTOR, ".byline-markdown").get_attribute("textContent") == copied

        emulate(browser, 390, 760)
        browser.execute_script("document.querySelector('#byline-chat [role=log]').scrollTop = 0")
        assert browser.execute_script(OVER_ANSWERS) == []
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
