"""The Gradio app answers through its own Python client on a local port."""

import socket
from html import escape

import pytest

from rag.schema import Filters, Turn


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def gradio_url(seed_service):
    from ui.gradio_app import build_app

    demo = build_app(seed_service)
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    yield f"http://127.0.0.1:{port}/"
    demo.close()


def test_gradio_client_gets_a_cited_answer(gradio_url):
    from gradio_client import Client

    client = Client(gradio_url, verbose=False)
    result = client.predict("Which neighbourhoods did the Syrian army capture?", api_name="/ask")
    assert result["abstained"] is False
    assert any("Hajar al-Aswad" in c["sentence"] for c in result["citations"])
    assert "[1]" in result["answer"]


def test_each_chat_answer_keeps_its_own_sources(seed_service):
    from ui.gradio_app import chat_turn

    messages, turns = [], []
    for question in ("Which neighbourhoods did the Syrian army capture?", "Who is the spokesman of Iran's <b>Foreign Ministry</b>?"):
        *_, (messages, turns) = chat_turn(seed_service, question, messages, turns, None)
    first, second = messages[1]["content"], messages[3]["content"]
    assert 'href="#byline-a2-c1"' in first and 'id="byline-a2-c1"' in first
    assert 'href="#byline-a4-c1"' in second and 'id="byline-a4-c1"' in second and "byline-a2" not in second
    assert messages[2]["content"] == "Who is the spokesman of Iran&#x27;s &lt;b&gt;Foreign Ministry&lt;/b&gt;?"
    # The conversation handed to the next question is the plain text, not the chat's HTML.
    assert turns[2] == {"role": "user", "content": "Who is the spokesman of Iran's <b>Foreign Ministry</b>?"}
    assert turns[1]["content"] == seed_service.ask("Which neighbourhoods did the Syrian army capture?").answer
    assert "<" not in turns[3]["content"]


def test_chat_shows_a_rewritten_follow_up(seed_service):
    from ui.gradio_app import chat_turn

    history = [{"role": "user", "content": "Which neighbourhoods did the Syrian army capture?"}, {"role": "assistant", "content": "…"}]
    *_, (messages, _) = chat_turn(seed_service, "Who helped them?", [], history, None)
    searched = seed_service.standalone("Who helped them?", [Turn(**t) for t in history])
    assert searched != "Who helped them?"
    assert f"Searched for: “{escape(searched)}”" in messages[-1]["content"]


def test_chat_turn_failure_is_shown_not_raised(seed_service):
    from ui.gradio_app import chat_turn

    *_, (messages, answered) = chat_turn(seed_service, "Who won?", [], [], Filters(date_from="bad"))
    assert answered is None and messages[-1]["content"].startswith("Sorry, that failed:")


def test_chat_shows_why_it_abstained_escaped(fresh_store, tmp_path):
    from ui.render import chat_answer

    (tmp_path / "ferry.md").write_text("# Night ferry returns\n\nThe night ferry returned after a long pause. Riders cheered at the harbour.\n")
    fresh_store.ingest([tmp_path / "ferry.md"])
    result = fresh_store.ask("How many riders cheered the night ferry at the harbour?")
    assert result.abstained and result.warnings
    bubble = chat_answer(result)
    assert escape(result.answer) in bubble and "⚠ The question asks for a number" in bubble
    result.warnings = ["<img src=x onerror=alert(1)>"]
    assert "<img" not in chat_answer(result) and "&lt;img" in chat_answer(result)


def test_source_filter_choices_are_the_distinct_sources(fresh_store, seed_copy):
    (seed_copy / "ferry.md").write_text(
        "---\nsource: Harbour Times\n---\n# Night ferry returns\n\nThe night ferry returned on Monday after a two-year pause.\n",
        encoding="utf-8",
    )
    (seed_copy / "bridge.md").write_text(
        "---\nsource: Harbour Times\n---\n# Bridge reopens\n\nThe harbour bridge reopened on Tuesday after repairs.\n",
        encoding="utf-8",
    )
    (seed_copy / "note.txt").write_text("A note with no source at all, about the harbour.\n", encoding="utf-8")
    fresh_store.ingest([seed_copy])
    assert fresh_store.article("note.txt").article.source is None
    assert fresh_store.sources() == ["Harbour Times", "The Associated Press"]


def test_the_chat_answers_several_questions_at_once(seed_service):
    """Every way of asking (Enter, Ask, an example) shares one queue of `chat_concurrency` at once."""
    from ui.gradio_app import build_app

    asking = [fn for fn in build_app(seed_service).fns.values() if fn.concurrency_id == "chat"]
    assert len(asking) == 3 and {fn.concurrency_limit for fn in asking} == {seed_service.settings.chat_concurrency} != {1}


def test_messages_link_their_web_addresses_as_written():
    """Escaped, 'http://127\\.0\\.0\\.1' was shown with its backslashes and linked to 127%5C.0%5C…"""
    from ui.uploads import _markdown_text

    said = _markdown_text("http://127.0.0.1:8000/feeds/a.xml: a feed is registered (see https://x.example/a_b).")
    assert said == r"<http://127.0.0.1:8000/feeds/a.xml>: a feed is registered \(see <https://x.example/a_b>\)\."
    assert _markdown_text("javascript:alert(1) <b>") == r"javascript:alert\(1\) &lt;b&gt;"
