"""The Articles tab's upload event reads only files Gradio saved for an upload: a client that names
another file on the server, as a hostile page or script can with a raw queue/join, stores nothing.

Real servers on 127.0.0.1, open and keyed, each over an empty store.
"""

import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.fixtures_server import serve_in_thread
from tests.gradio_events import gradio_call, gradio_events
from ui.gradio_files import NOT_UPLOADED

ADMIN_KEY = "admin-5d1f"
ARTICLE = b"# Night ferry returns\n\nThe night ferry to Port Elwyn returned after a long pause. Riders cheered at the harbour.\n"
SECRET = "The vault code is 4711, the night porter said on Tuesday.\n"


@pytest.fixture(scope="module", params=["open", "keyed"])
def upload_server(request, tmp_path_factory, seed_settings) -> Iterator[tuple[str, dict, object]]:
    from rag.service import Byline
    from ui.server import create_app

    keyed = request.param == "keyed"
    settings = seed_settings.model_copy(update={"store": tmp_path_factory.mktemp(f"upload-{request.param}"), "api_keys": ADMIN_KEY if keyed else ""})
    headers = {"Authorization": f"Bearer {ADMIN_KEY}"} if keyed else {}
    with Byline(settings) as service:
        for url in serve_in_thread(create_app(service)):
            yield url, headers, service


def file_data(path: str, name: str = "x.txt") -> dict:
    return {"path": path, "meta": {"_type": "gradio.FileData"}, "orig_name": name}


def test_upload_event_refuses_files_gradio_did_not_save(upload_server, tmp_path):
    from gradio.processing_utils import hash_file
    from gradio.utils import get_upload_folder

    url, headers, service = upload_server
    secret = tmp_path / "secret.txt"
    secret.write_text(f"{SECRET}{uuid.uuid4()}\n")  # a new file for Gradio's cache, named by a hash of its bytes
    # Inside Gradio's upload folder, but a link to the file outside it; and a path climbing out.
    folder = Path(get_upload_folder()) / uuid.uuid4().hex
    folder.mkdir(parents=True)
    (folder / "link.txt").symlink_to(secret)
    climbing = f"{folder}/{os.path.relpath(secret, folder)}"
    upload = gradio_events(url, headers)["byline-add"]
    for path in (str(secret), str(folder / "link.txt"), climbing):
        done = gradio_call(url, headers, upload, [[file_data(path)], None])
        assert done["success"] is False, (path, done)
        assert NOT_UPLOADED in done["output"]["error"], done["output"]["error"]
    assert service.count() == 0
    # Refused before Gradio copies the file into its cache, where /gradio_api/file= would serve it.
    assert not (Path(get_upload_folder()) / hash_file(secret)).exists()
    assert "4711" not in str(service.search("vault code night porter").model_dump())


def test_upload_event_stores_a_file_uploaded_through_gradio(upload_server):
    url, headers, service = upload_server
    saved = httpx.post(f"{url}/gradio_api/upload", files=[("files", ("ferry.txt", ARTICLE, "text/plain"))], headers=headers)
    assert saved.status_code == 200, saved.text
    upload = gradio_events(url, headers)["byline-add"]
    done = gradio_call(url, headers, upload, [[file_data(saved.json()[0], "ferry.txt")], None])
    assert done["success"] is True, done
    assert "Added 1" in done["output"]["data"][0]
    assert service.article("ferry.txt") is not None


def test_upload_tells_its_progress_and_the_list_pages_and_searches(upload_server, monkeypatch):
    """Issue 20: an upload tells how far it has got (Gradio's progress, on the status line) before its
    result; the article list is searched by title, source and doc_id and read a page at a time."""
    import ui.gradio_app

    url, headers, service = upload_server
    notes = [
        (f"note-{n}.md", f"---\nsource: {'Harbour Times' if n % 2 else 'Valley Post'}\n---\n# {title}\n\n{title} was reported on day {n}.\n")
        for n, title in enumerate(["Tram line approved", "Bridge reopens", "Ferry 100% on time", "Library extends hours"])
    ]
    saved = httpx.post(f"{url}/gradio_api/upload", files=[("files", (name, text.encode(), "text/markdown")) for name, text in notes], headers=headers)
    assert saved.status_code == 200, saved.text
    events, page, told = gradio_events(url, headers), uuid.uuid4().hex[:12], []
    files = [file_data(path, name) for path, (name, _) in zip(saved.json(), notes, strict=True)]
    done = gradio_call(url, headers, events["byline-add"], [files, None], session=page, told=told)
    assert done["success"] is True and "Added 4" in done["output"]["data"][0], done
    said = [unit["desc"] for progress in told for unit in progress or []]
    assert said and all(d == "Reading 4 files" or re.fullmatch(r"Adding 4 files: \d articles? read(, \d+ of \d+ chunks? embedded)?", d) for d in said), said
    assert any(d.startswith("Adding 4 files") for d in said), said

    def shown(name: str, *data) -> tuple[list[str], str, list]:
        out = gradio_call(url, headers, events[name], list(data), session=page)
        assert out["success"] is True, out
        table, line, _, _, _, previous, following = out["output"]["data"][:7]
        return [row[0] for row in table["data"]], line, [previous["interactive"], following["interactive"]]

    # The newest first; "ferry 100%" is words, not a LIKE pattern; an id, a source, in any case.
    found = shown("byline-article-search", "FERRY 100%")
    assert found[:2] == (["note-2.md"], f"Showing 1 article matching “FERRY 100%” ({service.count()} indexed articles in all), newest first.")
    # (One upload's articles share their ingest time to the second: their order is not asserted.)
    assert sorted(shown("byline-article-find", "harbour note")[0]) == ["note-1.md", "note-3.md"]
    assert shown("byline-article-find", "note-0")[0] == ["note-0.md"]
    assert shown("byline-article-find", "10%")[0] == []
    assert "No article's title, source or doc\\_id holds “zebra”" in shown("byline-article-find", "zebra")[1]
    # Pages of 2, the newest first: the 4 notes, then the ferry of the previous test (when it ran first).
    monkeypatch.setattr(ui.gradio_app, "LISTED_ARTICLES", 2)
    total = service.count()
    first = shown("byline-article-find", "")
    assert first[1] == f"Showing 1–2 of {total} indexed articles, newest first." and first[2] == [False, True]
    second = shown("byline-articles-next", None)
    assert second[1].startswith(f"Showing 3–4 of {total}") and second[2] == [True, total > 4]
    assert len(set(first[0] + second[0])) == 4 and shown("byline-articles-previous", None)[0] == first[0]
    first = shown("byline-article-find", "note")
    assert first[1] == f"Showing 1–2 of 4 articles matching “note” ({total} indexed articles in all), newest first."
    second = shown("byline-articles-next", None)
    assert sorted(first[0] + second[0]) == [name for name, _ in notes] and second[2] == [True, False]
    # Deleting keeps the search and the page; a page left empty shows the one before.
    for doc_id in second[0]:
        assert gradio_call(url, headers, events["byline-delete"], [doc_id, None], session=page)["success"]
    after = shown("byline-articles-previous", None)  # the view was moved back onto the last page
    assert after[0] == first[0] and after[2] == [False, False]
