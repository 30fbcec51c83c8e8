"""The REST API of `byline serve`: the real app in-process through Starlette's test client, and
streaming once through uvicorn on a real port."""

import json
import re

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.conftest import ASK_FIELDS, CITATION_FIELDS, SEED_DOC
from tests.fake_llm import INVENTED_CLAIM, closed_port, fake_llm, scripted_model, serve_model
from tests.fixtures_server import API_KEY, HARBOUR_DOC, QUESTION, VALLEY_DOC, XSS_IMG, XSS_SCRIPT

EXTERNAL = re.compile(r"""(src|href)\s*=\s*["']?(https?:)?//""", re.I)  # a resource from another host
AUTH = {"Authorization": f"Bearer {API_KEY}"}
HARVEST = "Why was the apple harvest a record this year?"  # answered by VALLEY_DOC only
BRIDGE = "When did the harbour bridge reopen to traffic?"  # answered by HARBOUR_DOC only


@pytest.fixture(scope="module")
def client(served_service) -> TestClient:
    """The app over the session's served corpus (API keys on), in this process, without a key."""
    from ui.server import create_app

    return TestClient(create_app(served_service))


@pytest.fixture(scope="module")
def api(client) -> TestClient:
    """The same app, sending the API key."""
    return TestClient(client.app, headers=AUTH)


def events(response: httpx.Response) -> list[tuple[str, dict]]:
    """Parse a Server-Sent Events body into (event, data) pairs."""
    parsed = []
    for block in response.text.split("\n\n"):
        lines = [line for line in block.split("\n") if line]
        if not lines:
            continue
        name = next(line[6:].strip() for line in lines if line.startswith("event:"))
        data = "\n".join(line[5:].lstrip() for line in lines if line.startswith("data:"))
        parsed.append((name, json.loads(data)))
    return parsed


def test_health_and_openapi(client, api):
    assert client.get("/healthz").json()["status"] == "ok"
    spec = api.get("/api/openapi.json").json()
    for path in ["/api/ask", "/api/ask/stream", "/api/search", "/api/articles", "/api/articles/{doc_id}", "/healthz"]:
        assert path in spec["paths"], path
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and "/api/openapi.json" in docs.text
    assert not EXTERNAL.search(docs.text)


def test_health_names_the_answerer_and_its_model_and_says_whether_it_can_answer(client, served_service):
    from rag.service import Byline
    from ui.dependencies import get_service

    def health(service: Byline) -> dict:
        client.app.dependency_overrides[get_service] = lambda: service
        try:
            return client.get("/healthz").json()
        finally:
            client.app.dependency_overrides.clear()

    shown = client.get("/healthz").json()
    assert shown["status"] == "ok" and shown["articles"] == served_service.count()
    assert (shown["answerer"], shown["model"], shown["ready"]) == ("extractive", None, True)
    ollama = served_service.settings.model_copy(update={"llm": "ollama", "llm_model": "test-model"})
    for url in serve_model(scripted_model()):
        with Byline(ollama.model_copy(update={"llm_base_url": url})) as up:
            assert {k: health(up)[k] for k in ("answerer", "model", "ready")} == {"answerer": "ollama", "model": "test-model", "ready": True}
    with Byline(ollama.model_copy(update={"llm_base_url": f"http://127.0.0.1:{closed_port()}"})) as down:
        assert health(down)["ready"] is False


def test_ask_returns_the_cli_contract_with_exact_citations(api):
    result = api.post("/api/ask", json={"question": QUESTION}).json()
    assert set(result) == ASK_FIELDS
    assert result["abstained"] is False and result["question"] == QUESTION
    assert result["citations"] and all(set(c) == CITATION_FIELDS for c in result["citations"])
    first = result["citations"][0]
    assert first["doc_id"] == SEED_DOC and "Hajar al-Aswad" in first["sentence"]
    text = api.get(f"/api/articles/{SEED_DOC}").json()["text"]
    assert text[first["start"] : first["end"]] == first["sentence"]


def test_ask_uses_history_and_rejects_bad_requests(api):
    history = [{"role": "user", "content": QUESTION}, {"role": "assistant", "content": "Yarmouk camp."}]
    result = api.post("/api/ask", json={"question": "Who said so?", "history": history}).json()
    assert result["citations"] and result["citations"][0]["doc_id"] == SEED_DOC
    assert api.post("/api/ask", json={"question": ""}).status_code == 422
    assert api.post("/api/ask", content=b"{not json", headers={"Content-Type": "application/json"}).status_code == 422
    bad_date = api.post("/api/ask", json={"question": QUESTION, "filters": {"date_from": "last week"}})
    assert bad_date.status_code == 422 and "last week" in bad_date.json()["detail"]


def test_filters_on_ask(api):
    """Each filter keeps the article that answers (which is then cited) or drops it (then it is not)."""
    for question, answering, filters, kept in [
        (HARVEST, VALLEY_DOC, {"source": "Valley Gazette"}, {VALLEY_DOC}),
        (HARVEST, VALLEY_DOC, {"source": "Coastal Courier"}, {HARBOUR_DOC}),
        (BRIDGE, HARBOUR_DOC, {"doc_ids": [HARBOUR_DOC]}, {HARBOUR_DOC}),
        (BRIDGE, HARBOUR_DOC, {"doc_ids": [SEED_DOC, VALLEY_DOC]}, {SEED_DOC, VALLEY_DOC}),
        (BRIDGE, HARBOUR_DOC, {"date_from": "2024-01-01"}, {HARBOUR_DOC}),
        (BRIDGE, HARBOUR_DOC, {"date_to": "2023-12-31"}, {VALLEY_DOC}),
        (HARVEST, VALLEY_DOC, {"date_from": "2023-01-01", "date_to": "2023-12-31"}, {VALLEY_DOC}),
        (HARVEST, VALLEY_DOC, {"date_from": "2024-01-01"}, {HARBOUR_DOC}),
        (QUESTION, SEED_DOC, {"source": "The Associated Press"}, {SEED_DOC}),
        (QUESTION, SEED_DOC, {"source": "Valley Gazette"}, {VALLEY_DOC}),
    ]:
        result = api.post("/api/ask", json={"question": question, "filters": filters}).json()
        cited = {c["doc_id"] for c in result["citations"]}
        assert cited <= kept and (answering in cited) == (answering in kept), (question, filters, cited)


def test_search_filters_keep_only_matching_articles(api):
    query = "bridge harvest army"
    everything = {hit["doc_id"] for hit in api.get("/api/search", params={"q": query, "k": 10}).json()["results"]}
    assert {SEED_DOC, HARBOUR_DOC, VALLEY_DOC} <= everything
    for params, expected in [
        ({"date_from": "2024-01-01"}, {HARBOUR_DOC}),
        ({"date_to": "2023-12-31"}, {VALLEY_DOC}),
        ({"source": "Valley Gazette"}, {VALLEY_DOC}),
        ([("doc_ids", SEED_DOC), ("doc_ids", VALLEY_DOC)], {SEED_DOC, VALLEY_DOC}),
    ]:
        query_params = [("q", query), *(params.items() if isinstance(params, dict) else params)]
        hits = api.get("/api/search", params=query_params).json()["results"]
        assert {hit["doc_id"] for hit in hits} == expected, params


def test_search_contract(api):
    result = api.get("/api/search", params={"q": "Yarmouk camp", "k": 2}).json()
    assert set(result) == {"id", "query", "results"} and result["query"] == "Yarmouk camp"
    assert len(result["results"]) <= 2 and result["results"][0]["doc_id"] == SEED_DOC
    assert [hit["rank"] for hit in result["results"]] == list(range(1, len(result["results"]) + 1))
    assert api.get("/api/search", params={"q": "  "}).status_code == 422
    assert api.get("/api/search").status_code == 422


def test_stream_over_a_real_port_sends_deltas_then_one_result_with_contexts(server):
    with httpx.stream("POST", f"{server.url}/api/ask/stream", json={"question": QUESTION}, headers=AUTH, timeout=120) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        response.read()
    stream = events(response)
    names = [name for name, _ in stream]
    assert names[-1] == "result" and names.count("result") == 1
    assert "delta" in names and set(names[:-1]) == {"delta"}
    result = stream[-1][1]
    assert ASK_FIELDS <= set(result)
    assert "".join(data["text"] for name, data in stream if name == "delta") == result["answer"]
    contexts = {c["n"]: c for c in result["contexts"]}
    for citation in result["citations"]:
        context = contexts[citation["n"]]
        assert context["sentence"] == citation["sentence"]
        assert context["before"] or context["after"]


def test_stream_rejects_bad_filters_before_streaming(api):
    response = api.post("/api/ask/stream", json={"question": QUESTION, "filters": {"date_to": "soon"}})
    assert response.status_code == 422 and "soon" in response.json()["detail"]


def test_article_list_paging_and_detail(api):
    page = api.get("/api/articles", params={"limit": 50}).json()
    assert page["total"] >= 3
    listed = {a["doc_id"]: a for a in page["articles"]}
    assert set(listed[SEED_DOC]) == {"doc_id", "title", "date", "source", "chunks"}
    assert listed[VALLEY_DOC]["source"] == "Valley Gazette" and listed[VALLEY_DOC]["date"] == "2023-06-01"
    assert listed[SEED_DOC]["chunks"] >= 1
    first, second = (api.get("/api/articles", params={"offset": n, "limit": 1}).json()["articles"] for n in (0, 1))
    assert len(first) == len(second) == 1 and first[0]["doc_id"] != second[0]["doc_id"]
    assert api.get("/api/articles", params={"limit": 0}).status_code == 422
    # q: words each held by the doc_id, title or source, any case; total counts the matches.
    valley = api.get("/api/articles", params={"q": "  valley   GAZETTE "}).json()
    assert valley["q"] == "valley GAZETTE" and valley["total"] == len(valley["articles"]) >= 1
    assert VALLEY_DOC in [a["doc_id"] for a in valley["articles"]] and all(a["source"] == "Valley Gazette" for a in valley["articles"])
    assert api.get("/api/articles", params={"q": "%"}).json()["total"] == 0  # a word, not a LIKE pattern
    assert [a["doc_id"] for a in api.get("/api/articles", params={"q": SEED_DOC}).json()["articles"]] == [SEED_DOC]
    assert api.get("/api/articles", params={"q": "x" * 201}).status_code == 422
    assert page["q"] == ""
    missing = api.get("/api/articles/no-such-article.txt")
    assert missing.status_code == 404 and "no-such-article.txt" in missing.json()["detail"]


def test_article_text_with_markup_is_returned_verbatim_as_json(api):
    response = api.get(f"/api/articles/{HARBOUR_DOC}")
    assert response.headers["content-type"] == "application/json"
    article = response.json()
    assert XSS_SCRIPT in article["text"] and XSS_IMG in article["text"]
    assert article["source"] == "Coastal Courier" and article["date"] == "2024-03-05"


def test_upload_search_and_delete(api):
    jsonl = "\n".join(
        json.dumps({"id": f"lighthouse-{n}", "title": f"Lighthouse keeper {n}", "text": text})
        for n, text in enumerate(
            [
                "The lighthouse keeper of Skerry Point retired on Friday after forty years of service.",
                "A new automated lamp at Skerry Point lighthouse was switched on by the harbour board.",
            ]
        )
    )
    files = [
        ("files", ("tides.md", b"# Tide tables\n\nThe spring tide at Skerry Point peaked at 6.1 metres on Sunday.\n", "text/markdown")),
        ("files", ("lights.jsonl", jsonl.encode(), "application/x-ndjson")),
    ]
    before = api.get("/api/articles").json()["total"]
    report = api.post("/api/articles", files=files)
    assert report.status_code == 200, report.text
    assert report.json()["added"] == 3 and set(report.json()["doc_ids"]) == {"tides.md", "lighthouse-0", "lighthouse-1"}
    try:
        assert api.get("/api/articles").json()["total"] == before + 3
        hits = api.get("/api/search", params={"q": "Skerry Point lighthouse keeper retired"}).json()["results"]
        assert hits[0]["doc_id"] == "lighthouse-0"
        again = api.post("/api/articles", files=files[:1]).json()
        assert again["unchanged"] == 1 and again["added"] == 0
    finally:
        for doc_id in ["tides.md", "lighthouse-0", "lighthouse-1"]:
            assert api.delete(f"/api/articles/{doc_id}").json() == {"deleted": doc_id}
    assert api.get("/api/articles/tides.md").status_code == 404
    assert api.delete("/api/articles/tides.md").status_code == 404
    assert api.get("/api/articles").json()["total"] == before
    hits = api.get("/api/search", params={"q": "Skerry Point lighthouse keeper retired"}).json()["results"]
    assert all(not hit["doc_id"].startswith("lighthouse") for hit in hits)


def test_bad_upload_names_the_file_and_keeps_the_good_ones(api):
    before = api.get("/api/articles").json()["total"]
    good = ("files", ("good.txt", b"The ferry to Skerry Point sails at noon on weekdays.\n", "text/plain"))
    png = ("files", ("broken.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "text/plain"))
    mixed = api.post("/api/articles", files=[good, png])
    assert mixed.status_code == 200 and mixed.json()["doc_ids"] == ["good.txt"]
    assert [error.split(":")[0] for error in mixed.json()["errors"]] == ["broken.txt, line 3"]
    assert api.delete("/api/articles/good.txt").status_code == 200
    wrong_type = api.post("/api/articles", files=[("files", ("report.pdf", b"%PDF-1.4", "application/pdf"))])
    assert wrong_type.status_code == 422 and "report.pdf" in wrong_type.json()["detail"]
    bad_json = api.post("/api/articles", files=[("files", ("feed.json", b"{oops", "application/json"))])
    assert bad_json.status_code == 422 and "feed.json, line 1: invalid JSON" in bad_json.json()["detail"]
    too_big = api.post("/api/articles", files=[good, ("files", ("huge.txt", b"word " * 300_000, "text/plain"))])
    assert too_big.status_code == 413 and "BYLINE_MAX_UPLOAD_MB" in too_big.json()["detail"]
    not_multipart = api.post("/api/articles", content=b"garbage", headers={"Content-Type": "multipart/form-data; boundary=x"})
    assert not_multipart.status_code == 400
    assert api.get("/api/articles/good.txt").status_code == 404
    assert api.get("/api/articles").json()["total"] == before
    assert api.get("/healthz").json()["status"] == "ok"


def test_overriding_get_service_puts_another_store_and_its_settings_behind_the_routes(api, seed_settings, tmp_path):
    from rag.service import Byline
    from ui.dependencies import get_service

    other = Byline(seed_settings.model_copy(update={"store": tmp_path / "other", "max_upload_mb": 1}))
    served = api.get("/api/articles").json()["total"]
    note = ("files", ("note.txt", b"The night ferry to Skerry Point was cancelled because of fog.\n", "text/plain"))
    api.app.dependency_overrides[get_service] = lambda: other
    try:
        assert api.get("/api/articles").json()["total"] == 0
        assert api.post("/api/articles", files=[note]).json()["doc_ids"] == ["note.txt"]
        big = api.post("/api/articles", files=[("files", ("big.txt", b"word " * 250_000, "text/plain"))])
        assert big.status_code == 413 and "the limit is 1 MB" in big.json()["detail"]
        assert api.get("/healthz").json()["articles"] == 1
    finally:
        api.app.dependency_overrides.clear()
    assert other.count() == 1 and api.get("/api/articles").json()["total"] == served
    assert api.get("/api/articles/note.txt").status_code == 404


def test_api_keys_are_required_when_configured(client):
    for method, path in [("POST", "/api/ask"), ("GET", "/api/search?q=army"), ("GET", "/api/articles"), ("DELETE", f"/api/articles/{SEED_DOC}")]:
        missing = client.request(method, path, json={"question": QUESTION})
        assert missing.status_code == 401 and "Authorization: Bearer" in missing.json()["detail"], path
        wrong = client.request(method, path, headers={"Authorization": "Bearer nope"}, json={"question": QUESTION})
        assert wrong.status_code == 401, path
    upload = client.post("/api/articles", files=[("files", ("x.txt", b"Text.", "text/plain"))])
    assert upload.status_code == 401
    assert client.get(f"/api/articles/{SEED_DOC}", headers=AUTH).status_code == 200
    assert client.get("/healthz").status_code == 200


def test_cors_allows_the_configured_origin_only(client, host_site):
    host_url, _ = host_site

    def preflight(origin: str) -> httpx.Response:
        return client.options(
            "/api/ask/stream",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization,content-type",
            },
        )

    allowed = preflight(host_url)
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == host_url
    assert "authorization" in allowed.headers["access-control-allow-headers"].lower()
    refused = preflight("http://evil.example")
    assert refused.status_code == 400 and "access-control-allow-origin" not in refused.headers


def test_default_settings_no_keys_and_same_origin_only(tmp_path):
    from rag.service import Byline
    from rag.settings import Settings
    from ui.server import create_app

    open_app = TestClient(create_app(Byline(Settings(store=tmp_path / "store"))))
    assert open_app.get("/api/articles").json()["total"] == 0
    cross = open_app.get("/api/articles", headers={"Origin": "http://127.0.0.1:1"})
    assert cross.status_code == 200 and "access-control-allow-origin" not in cross.headers
    preflight = open_app.options("/api/ask", headers={"Origin": "http://127.0.0.1:1", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in preflight.headers


def test_widget_assets_are_served_and_self_contained(client):
    script = client.get("/widget.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert "innerHTML" not in script.text and "insertAdjacentHTML" not in script.text
    assert "document.currentScript" in script.text and "/api/ask/stream" in script.text
    page = client.get("/widget")
    assert page.status_code == 200 and 'src="/widget.js"' in page.text
    assert not EXTERNAL.search(page.text)


def test_only_configured_sites_may_frame_the_widget_page(served_service):
    """A reader key bound to a site must not work in a frame on another: /widget's frame-ancestors
    names the configured origins (CORS and reader keys'); with none configured, any site may frame it."""
    from rag.service import Byline
    from rag.settings import Settings
    from ui.server import create_app

    bound = served_service.settings.model_copy(
        update={"cors_origins": "https://news.example", "reader_keys": "widget-key https://blog.example", "api_keys": ""}
    )
    policy = TestClient(create_app(Byline(bound))).get("/widget").headers["content-security-policy"]
    assert policy.endswith("frame-ancestors 'self' https://blog.example https://news.example")
    open_settings = Settings(store=served_service.settings.store, cors_origins="", reader_keys="", api_keys="")
    policy = TestClient(create_app(Byline(open_settings))).get("/widget").headers["content-security-policy"]
    assert policy.endswith("frame-ancestors *")


def llm_api(served_service, **llm_settings) -> TestClient:
    """The app over the served corpus with an OpenAI-compatible LLM answering, in-process, sending the key."""
    from rag.service import Byline
    from ui.server import create_app

    settings = served_service.settings.model_copy(update={"llm": "openai", "llm_model": "test-model", **llm_settings})
    return TestClient(create_app(Byline(settings)), headers=AUTH)


def test_stream_relays_only_checked_llm_claims(served_service):
    for base_url in fake_llm():
        response = llm_api(served_service, llm_base_url=base_url).post("/api/ask/stream", json={"question": QUESTION})
    stream = events(response)
    streamed = "".join(data["text"] for name, data in stream if name == "delta")
    name, result = stream[-1]
    assert name == "result"
    supported = [c for c in result["claims"] if c["supported"]]
    assert supported and all(c["text"] in streamed for c in supported)
    assert INVENTED_CLAIM not in streamed and INVENTED_CLAIM in result["answer"]
    assert any(INVENTED_CLAIM in w for w in result["warnings"])
    assert "Yarmouk" in result["contexts"][0]["sentence"]


def test_llm_server_down_gives_the_extractive_answer_not_a_crash(served_service):
    down = llm_api(served_service, llm_base_url="http://127.0.0.1:9/v1", llm_timeout=2)
    for path in ["/api/ask", "/api/ask/stream"]:
        response = down.post(path, json={"question": QUESTION})
        assert response.status_code == 200, path
        result = response.json() if path == "/api/ask" else events(response)[-1][1]
        assert result["citations"] and any("extractive answer instead" in w for w in result["warnings"]), path
    assert down.get("/healthz").json()["status"] == "ok"
