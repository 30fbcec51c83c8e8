"""The Gradio app answers through its own Python client on a local port."""

import socket

import pytest


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


def test_chat_escapes_article_html(seed_service):
    from rag.context import citation_context
    from ui.render import citations_panel

    context = citation_context(seed_service.store.docs, seed_service.ask("Who captured Hajar al-Aswad?").citations[0])
    context.sentence = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    html = citations_panel([context])
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_chat_shows_why_it_abstained_escaped(fresh_store, tmp_path):
    from ui.render import chat_answer

    (tmp_path / "ferry.md").write_text("# Night ferry returns\n\nThe night ferry returned after a long pause. Riders cheered at the harbour.\n")
    fresh_store.ingest([tmp_path / "ferry.md"])
    result = fresh_store.ask("How many riders cheered the night ferry at the harbour?")
    assert result.abstained and result.warnings
    bubble = chat_answer(result)
    assert bubble.startswith(result.answer) and "⚠ The question asks for a number" in bubble
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


def test_chat_history_is_plain_text_again():
    from ui.gradio_app import _history

    turns = _history([{"role": "user", "content": "What did Iran&#x27;s spokesman say about &lt;b&gt;?"}])
    assert turns[0].content == "What did Iran's spokesman say about <b>?"
