"""The REST API of `byline serve`: the real app on a real port, over HTTP."""

import json
import re
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import ASK_FIELDS, CITATION_FIELDS, SEED_DOC
from tests.fake_llm import INVENTED_CLAIM, fake_llm
from tests.fixtures_server import (  # noqa: F401  (fixtures)
    API_KEY,
    HARBOUR_DOC,
    QUESTION,
    VALLEY_DOC,
    XSS_IMG,
    XSS_SCRIPT,
    api,
    corpus,
    host_site,
    open_server,
    server,
    serve_in_thread,
)

EXTERNAL = re.compile(r"""(src|href)\s*=\s*["']?(https?:)?//""", re.I)  # a resource from another host


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


def test_health_and_openapi(server, api):
    assert httpx.get(f"{server.url}/healthz").json()["status"] == "ok"
    spec = api.get("/api/openapi.json").json()
    for path in ["/api/ask", "/api/ask/stream", "/api/search", "/api/articles", "/api/articles/{doc_id}", "/healthz"]:
        assert path in spec["paths"], path
    docs = httpx.get(f"{server.url}/api/docs")
    assert docs.status_code == 200 and "/api/openapi.json" in docs.text
    assert not EXTERNAL.search(docs.text)


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
    for filters, allowed in [
        ({"source": "Valley Gazette"}, {VALLEY_DOC}),
        ({"doc_ids": [HARBOUR_DOC]}, {HARBOUR_DOC}),
        ({"date_from": "2024-01-01"}, {HARBOUR_DOC}),
        ({"date_from": "2023-01-01", "date_to": "2023-12-31"}, {VALLEY_DOC}),
    ]:
        result = api.post("/api/ask", json={"question": QUESTION, "filters": filters}).json()
        assert {c["doc_id"] for c in result["citations"]} <= allowed, filters
    unfiltered = api.post("/api/ask", json={"question": QUESTION, "filters": {"source": "The Associated Press"}}).json()
    assert unfiltered["citations"] and {c["doc_id"] for c in unfiltered["citations"]} == {SEED_DOC}


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


def test_stream_sends_deltas_then_one_result_with_contexts(api):
    with api.stream("POST", "/api/ask/stream", json={"question": QUESTION}) as response:
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


def test_api_keys_are_required_when_configured(server):
    for method, path in [("POST", "/api/ask"), ("GET", "/api/search?q=army"), ("GET", "/api/articles"), ("DELETE", f"/api/articles/{SEED_DOC}")]:
        missing = httpx.request(method, f"{server.url}{path}", json={"question": QUESTION})
        assert missing.status_code == 401 and "Authorization: Bearer" in missing.json()["detail"], path
        wrong = httpx.request(method, f"{server.url}{path}", headers={"Authorization": "Bearer nope"}, json={"question": QUESTION})
        assert wrong.status_code == 401, path
    upload = httpx.post(f"{server.url}/api/articles", files=[("files", ("x.txt", b"Text.", "text/plain"))])
    assert upload.status_code == 401
    assert httpx.get(f"{server.url}/api/articles/{SEED_DOC}", headers={"Authorization": f"Bearer {API_KEY}"}).status_code == 200
    assert httpx.get(f"{server.url}/healthz").status_code == 200


def test_cors_allows_the_configured_origin_only(server):
    def preflight(origin: str) -> httpx.Response:
        return httpx.options(
            f"{server.url}/api/ask/stream",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization,content-type",
            },
        )

    allowed = preflight(server.host_url)
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == server.host_url
    assert "authorization" in allowed.headers["access-control-allow-headers"].lower()
    refused = preflight("http://evil.example")
    assert refused.status_code == 400 and "access-control-allow-origin" not in refused.headers


def test_default_settings_no_keys_and_same_origin_only(open_server):
    assert httpx.get(f"{open_server}/api/articles").json()["total"] == 0
    cross = httpx.get(f"{open_server}/api/articles", headers={"Origin": "http://127.0.0.1:1"})
    assert cross.status_code == 200 and "access-control-allow-origin" not in cross.headers
    preflight = httpx.options(
        f"{open_server}/api/ask", headers={"Origin": "http://127.0.0.1:1", "Access-Control-Request-Method": "POST"}
    )
    assert "access-control-allow-origin" not in preflight.headers


def test_widget_assets_are_served_and_self_contained(server):
    script = httpx.get(f"{server.url}/widget.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert "innerHTML" not in script.text and "insertAdjacentHTML" not in script.text
    assert "document.currentScript" in script.text and "/api/ask/stream" in script.text
    page = httpx.get(f"{server.url}/widget")
    assert page.status_code == 200 and 'src="/widget.js"' in page.text
    assert not EXTERNAL.search(page.text)


def llm_app(server, **llm_settings):
    from rag.service import Byline
    from ui.server import create_app

    settings = server.service.settings.model_copy(update={"llm": "openai", "llm_model": "test-model", **llm_settings})
    return create_app(Byline(settings))


@pytest.fixture(scope="module")
def llm_api(server) -> Iterator[str]:
    for base_url in fake_llm():
        yield from serve_in_thread(llm_app(server, llm_base_url=base_url))


def test_stream_relays_only_checked_llm_claims(llm_api):
    headers = {"Authorization": f"Bearer {API_KEY}"}
    response = httpx.post(f"{llm_api}/api/ask/stream", json={"question": QUESTION}, headers=headers, timeout=120)
    stream = events(response)
    streamed = "".join(data["text"] for name, data in stream if name == "delta")
    name, result = stream[-1]
    assert name == "result"
    supported = [c for c in result["claims"] if c["supported"]]
    assert supported and all(c["text"] in streamed for c in supported)
    assert INVENTED_CLAIM not in streamed and INVENTED_CLAIM in result["answer"]
    assert any(INVENTED_CLAIM in w for w in result["warnings"])
    assert "Yarmouk" in result["contexts"][0]["sentence"]


def test_llm_server_down_gives_the_extractive_answer_not_a_crash(server):
    for url in serve_in_thread(llm_app(server, llm_base_url="http://127.0.0.1:9/v1", llm_timeout=2)):
        headers = {"Authorization": f"Bearer {API_KEY}"}
        for path in ["/api/ask", "/api/ask/stream"]:
            response = httpx.post(f"{url}{path}", json={"question": QUESTION}, headers=headers, timeout=120)
            assert response.status_code == 200, path
            result = response.json() if path == "/api/ask" else events(response)[-1][1]
            assert result["citations"] and any("extractive answer instead" in w for w in result["warnings"]), path
        assert httpx.get(f"{url}/healthz").json()["status"] == "ok"
