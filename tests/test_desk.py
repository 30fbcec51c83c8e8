"""The editors' desk: the question log and readers' feedback kept and forgotten in a real store
(SQLite, and the shared PostgreSQL), the report over them, `POST /api/feedback` and
`GET /api/report` under the access rules, `byline report`, and a reader's feedback given with real
clicks in the widget and the chat, then read in the Editors tab."""

import csv
import io
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest

from index.question_log import FILE, Asked, Feedback, QuestionLog
from tests.fixtures_server import API_KEY, QUESTION, serve_in_thread
from tests.test_browser import DAMASCUS, browser, gradio_ask, gradio_open, screenshot, screenshots, wait, widget_ask, widget_root  # noqa: F401
from tests.test_shared_store import database, postgres  # noqa: F401

READER_KEY = "desk-reader-5e1c"
ADMIN = {"Authorization": f"Bearer {API_KEY}"}
READER = {"Authorization": f"Bearer {READER_KEY}"}
OLD = "2001-02-03 04:05:06"
REASON = "It names the wrong district"
EARLIER = [
    (3, "What happened in Damascus?", False),
    (3, "Who runs the Port Elwyn lighthouse now?", True),
    (2, "When does the Port Elwyn lighthouse reopen?", True),
    (2, "Which neighbourhoods did the Syrian army capture?", False),
    (1, "Is the Port Elwyn lighthouse keeper retiring?", True),
    (1, "What did the harbour council decide?", True),
    (1, "What happened in Damascus?", False),
]


def answer(question: str, abstained: bool = False, unsupported: str = ""):
    from rag.schema import AskResult, Citation, Claim

    text = "The army took Qaboun [1]." + (f" {unsupported}" if unsupported else "")
    claims = [Claim(text="The army took Qaboun [1].", start=0, end=25, citations=[1], supported=True)]
    if unsupported:
        claims.append(Claim(text=unsupported, start=26, end=26 + len(unsupported), supported=False))
    cited = [Citation(n=1, doc_id="damascus.txt", title="Damascus", sentence="The army took Qaboun.", start=0, end=21, score=1.0)]
    return AskResult(question=question, answer=text, abstained=abstained, citations=cited, claims=claims, standalone_question=question)


@pytest.mark.parametrize("where", ["sqlite", "postgresql"])
def test_the_log_keeps_questions_and_feedback_and_forgets_old_ones(where, tmp_path, request):
    from index.db import open_database
    from rag.desk import Desk
    from rag.settings import Settings

    url = request.getfixturevalue("database") if where == "postgresql" else ""
    log = QuestionLog(open_database(url, tmp_path / FILE))
    desk = Desk(Settings(store=tmp_path, log_questions=True, log_retention_days=30), log)
    log.add_asked(Asked(question="Who won the 2001 final?", answer_text="", refused=True, at=OLD))
    log.add_feedback(Feedback(question="Who won the 2001 final?", answer_text="", helpful=False, at=OLD))
    assert [a.question for a in log.asked("2001-02-03", "2001-02-03")] == ["Who won the 2001 final?"]
    assert log.asked("2001-02-04") == [] and len(log.feedback(None, "2001-02-03")) == 1

    # The first write deletes what is past the retention; later ones at most once an hour.
    given = answer("What happened in Damascus?", unsupported="Thousands fled.")
    desk.asked(given, "reader key 0a1b")
    desk.feedback("What happened in  Damascus?", given.answer, ["damascus.txt"], False, "  wrong\n district ", "reader key 0a1b")
    [new] = log.asked()
    assert new.refused is False and new.unsupported == ["Thousands fled."] and new.citations == ["damascus.txt"]
    assert new.key_name == "reader key 0a1b" and new.answerer == "extractive" and new.at > OLD
    assert new.feedback is not None and new.feedback.reason == "wrong district" and len(log.feedback()) == 1
    log.add_asked(Asked(question="Who won the 2001 final?", answer_text="", refused=True, at=OLD))
    assert desk.prune() == 0 and desk.prune(force=True) == 1
    assert [a.question for a in log.asked()] == ["What happened in Damascus?"]
    with pytest.raises(ValueError, match="'2024-02-30' is not a date"):
        log.asked("2024-02-30")
    # Off: nothing is logged but feedback.
    quiet = Desk(Settings(store=tmp_path, log_retention_days=0), log)
    quiet.asked(answer("Is anyone listening?"), "admin key 9f")
    quiet.feedback("Is anyone listening?", "No.", [], True, "", "admin key 9f")
    assert len(log.asked()) == 1 and len(log.feedback()) == 2 and quiet.prune(force=True) == 0


def test_the_report_groups_refusals_by_topic_and_escapes_formulas(tmp_path):
    from rag.report import build_report, report_csv, topics

    log = QuestionLog.in_store(tmp_path)
    for question, refused in [
        ("Who won the World Cup in 2022?", True),
        ("Where is the World Cup final?", True),
        ("How tall is Mount Everest?", True),
        ("What happened in Damascus?", False),
        ("what happened in damascus", False),
        ('=HYPERLINK("http://x")', False),
    ]:
        log.add_asked(Asked(question=question, answer_text="An answer.", refused=refused))
    log.add_feedback(Feedback(question="What happened in Damascus?", answer_text="An answer.", helpful=False, reason="@wrong"))
    report = build_report(log)
    assert (report.questions, report.refused, report.not_helpful) == (6, 3, 1)
    assert [(a.question, a.count) for a in report.most_asked][0] == ("What happened in Damascus?", 2)
    assert [(t.topic, t.count) for t in report.refusal_topics] == [("World Cup", 2), ("Mount Everest", 1)]
    assert [(m.question, m.reason) for m in report.marked_not_helpful] == [("What happened in Damascus?", "@wrong")]
    assert [(d.answered, d.refused) for d in report.per_day] == [(3, 3)]
    assert [t.topic for t in topics(["Who is the mayor?", "Who will be mayor next year?"])] == ["mayor"]
    rows = list(csv.DictReader(io.StringIO(report_csv(log))))
    assert len(rows) == 6 and rows[3]["feedback"] == "not helpful" and rows[3]["reason"] == "'@wrong"
    assert rows[5]["question"].startswith("'=HYPERLINK")


def test_byline_report_prints_the_report_and_csv(tmp_path):
    """The installed script, in its own process: CSV, JSON, a bad date, and a store with no log."""
    log = QuestionLog.in_store(tmp_path / "store")
    log.add_asked(Asked(question="Who won the World Cup?", answer_text="", refused=True, key_name="reader key 0a1b", at=OLD))
    log.add_asked(Asked(question="What happened in Damascus?", answer_text="Qaboun fell.", key_name="reader key 0a1b"))
    script = Path(sys.executable).with_name("byline")

    def byline(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([script, "report", "--store", str(tmp_path / "store"), *args], capture_output=True, text=True, timeout=120)

    listed = byline("--csv", "--from", "2001-02-03", "--to", "2001-02-03")
    assert listed.returncode == 0, listed.stderr
    assert [(r["question"], r["outcome"], r["key"]) for r in csv.DictReader(io.StringIO(listed.stdout))] == [
        ("Who won the World Cup?", "refused", "reader key 0a1b")
    ]
    bad = byline("--to", "yesterday")
    assert bad.returncode == 1 and "error: 'yesterday' is not a date: write it as YYYY-MM-DD" in bad.stderr
    empty = subprocess.run([script, "report", "--store", str(tmp_path / "none")], capture_output=True, text=True, timeout=120)
    assert empty.returncode == 0 and "Nothing is logged" in empty.stdout and not (tmp_path / "none").exists()


def test_byline_report_text(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from ui.cli import app

    QuestionLog.in_store(tmp_path).add_asked(Asked(question="Who won the World Cup?", answer_text="", refused=True))
    shown = CliRunner().invoke(app, ["report", "--store", str(tmp_path)])
    assert shown.exit_code == 0, shown.output
    assert "Questions from the start to today: 1 (1 refused)" in shown.output
    assert "Not answered, by topic:\n     1 × World Cup: Who won the World Cup?" in shown.output


@dataclass
class Desk:
    url: str
    service: object


@pytest.fixture(scope="module")
def desk(seed_service, seed_settings, host_site) -> Iterator[Desk]:
    """A server over the seed store that logs questions: an admin key, a reader key, the host site's pages."""
    from rag.service import Byline
    from ui.server import create_app

    update = {
        "api_keys": API_KEY,
        "reader_keys": READER_KEY,
        "cors_origins": host_site[0],
        "log_questions": True,
        "rate_limit": 0,
        "rate_limit_per_address": 0,
    }
    service = Byline(seed_settings.model_copy(update=update))
    for url in serve_in_thread(create_app(service)):
        yield Desk(url, service)


def _reader_name() -> str:
    import hashlib

    return f"reader key {hashlib.sha256(READER_KEY.encode()).hexdigest()[:16]}"


def test_readers_may_send_feedback_and_only_admins_read_the_report(desk):
    from tests.gradio_events import gradio_call, gradio_events

    question = QUESTION
    asked = httpx.post(f"{desk.url}/api/ask", json={"question": question}, headers=READER, timeout=120).json()
    given = {"question": question, "answer": asked["answer"], "citations": [c["doc_id"] for c in asked["citations"]], "helpful": False, "reason": REASON}
    assert httpx.post(f"{desk.url}/api/feedback", json=given).status_code == 401
    assert httpx.post(f"{desk.url}/api/feedback", json=given, headers=READER).json() == {"stored": True}
    assert httpx.post(f"{desk.url}/api/feedback", json={**given, "reason": "x" * 301}, headers=READER).status_code == 422
    assert httpx.post(f"{desk.url}/api/feedback", json={**given, "helpful": "no"}, headers=READER).status_code == 422
    assert httpx.get(f"{desk.url}/api/report").status_code == 401
    assert httpx.get(f"{desk.url}/api/report", headers=READER).status_code == 403
    assert httpx.get(f"{desk.url}/api/report?date_from=2024-13-01", headers=ADMIN).status_code == 422

    report = httpx.get(f"{desk.url}/api/report", headers=ADMIN).json()
    assert question in [a["question"] for a in report["most_asked"]]
    marked = [m for m in report["marked_not_helpful"] if m["question"] == question]
    assert marked[0]["reason"] == REASON and marked[0]["answer"] == asked["answer"] and marked[0]["answerer"] == "extractive"
    exported = httpx.get(f"{desk.url}/api/report", params={"format": "csv"}, headers=ADMIN)
    assert exported.headers["content-type"].startswith("text/csv") and "attachment" in exported.headers["content-disposition"]
    row = [r for r in csv.DictReader(io.StringIO(exported.text)) if r["question"] == question][0]
    assert (row["kind"], row["outcome"], row["feedback"], row["reason"]) == ("question", "answered", "not helpful", REASON)
    # The key by its name: never the key, never the reader's address.
    assert row["key"] == _reader_name() and READER_KEY not in exported.text and "127.0.0.1" not in exported.text

    fns = gradio_events(desk.url, ADMIN)
    refused = gradio_call(desk.url, {**READER, "X-Byline-Role": "admin"}, fns["byline-report-show"], ["", ""])
    assert refused["success"] is False and "needs an admin key" in refused["output"]["error"]
    shown = gradio_call(desk.url, ADMIN, fns["byline-report-show"], ["", ""])["output"]["data"]
    assert "logged" in shown[0] and question in [row[0] for row in shown[2]["data"]]


def test_feedback_counts_against_a_reader_keys_rate_limit(seed_settings):
    from fastapi.testclient import TestClient

    from rag.service import Byline
    from ui.server import create_app

    update = {"api_keys": API_KEY, "reader_keys": READER_KEY, "rate_limit": 2, "rate_limit_per_address": 0}
    given = {"question": "Who?", "answer": "Nobody.", "helpful": True}
    app = create_app(Byline(seed_settings.model_copy(update=update)), clock=lambda: 0.0)  # the minute never passes
    with TestClient(app, base_url="http://127.0.0.1") as client:
        statuses = [client.post("/api/feedback", json=given, headers=READER).status_code for _ in range(3)]
        assert statuses == [200, 200, 429]
        assert client.post("/api/feedback", json=given, headers=ADMIN).status_code == 200


def test_feedback_from_the_widget_and_the_chat_reaches_the_editors_tab(desk, host_site, browser, screenshot):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    log = QuestionLog.in_store(desk.service.settings.store)
    host_url, folder = host_site
    (folder / "desk.html").write_text(
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>The Elwyn Herald</title></head><body><h1>The Elwyn Herald</h1>"
        f'<script src="{desk.url}/widget.js" data-key="{READER_KEY}" data-page async></script></body></html>',
        encoding="utf-8",
    )
    browser.get(f"{host_url}/desk.html")
    root = widget_root(browser)
    bubble = widget_ask(root, DAMASCUS)
    votes = bubble.find_elements(By.CSS_SELECTOR, ".feedback button.vote")
    assert [(v.tag_name, v.text, v.get_attribute("aria-label"), v.get_attribute("aria-pressed")) for v in votes] == [
        ("button", "Yes", "Helpful", "false"),
        ("button", "No", "Not helpful", "false"),
    ]
    assert bubble.find_element(By.CSS_SELECTOR, ".feedback").get_attribute("aria-label") == "Was this answer helpful?"
    votes[1].send_keys(Keys.SPACE)  # by keyboard
    reason = bubble.find_element(By.CSS_SELECTOR, ".feedback .reason input")
    wait(browser, 5).until(lambda d: reason.is_displayed())
    assert votes[1].get_attribute("aria-pressed") == "true" and browser.execute_script(
        "return arguments[0].shadowRoot.activeElement === arguments[1]", browser.find_element(By.ID, "byline-widget"), reason
    )
    reason.send_keys(REASON + Keys.ENTER)
    thanks = bubble.find_element(By.CSS_SELECTOR, ".feedback .thanks")
    wait(browser, 10).until(lambda d: thanks.text == "Thanks for your feedback.")
    assert thanks.get_attribute("role") == "status" and not votes[0].is_enabled()
    stored = [f for f in log.feedback() if f.reason == REASON and f.question == DAMASCUS]
    assert stored and not stored[-1].helpful and stored[-1].key_name == _reader_name() and stored[-1].citations

    # The chat: a thumb down under the answer, from an admin signed in.
    gradio_open(browser, f"{desk.url}/")
    gradio_ask(browser, DAMASCUS)
    before = len(log.feedback())
    dislike = wait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#byline-chat button[aria-label='Dislike']"))
    dislike[-1].click()
    wait(browser, 10).until(lambda d: len(log.feedback()) > before)
    assert log.feedback()[-1].helpful is False and log.feedback()[-1].key_name.startswith("admin key ")

    # Earlier days' questions, some the archive could not answer: the tab groups those by topic.
    for days_ago, question, refused in EARLIER:
        at = (datetime.now(timezone.utc) - timedelta(days=days_ago)).strftime("%Y-%m-%d 10:00:00")
        log.add_asked(Asked(question=question, answer_text="", refused=refused, at=at))
    tab = [t for t in browser.find_elements(By.CSS_SELECTOR, "button[role=tab]") if t.text == "Editors"][0]
    tab.click()
    table = wait(browser, 30).until(lambda d: d.find_element(By.ID, "byline-report-unhelpful"))
    wait(browser, 30).until(lambda d: REASON in table.text)
    assert DAMASCUS in browser.find_element(By.ID, "byline-report-asked").text
    link = browser.find_element(By.ID, "byline-report-csv")
    assert link.get_attribute("href").endswith("/api/report?format=csv")
    wait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#byline-report-plot canvas, #byline-report-plot svg"))
    assert "Port Elwyn lighthouse" in browser.find_element(By.ID, "byline-report-topics").text
    browser.set_window_size(1280, 1500)
    time.sleep(0.5)  # the plot draws itself
    screenshot("editors-desk.png")
    browser.set_window_size(1280, 860)
