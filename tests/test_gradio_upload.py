"""The Articles tab's upload event reads only files Gradio saved for an upload: a client that names
another file on the server, as a hostile page or script can with a raw queue/join, stores nothing.

Real servers on 127.0.0.1, open and keyed, each over an empty store.
"""

import os
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
    settings = seed_settings.model_copy(
        update={"store": tmp_path_factory.mktemp(f"upload-{request.param}"), "api_keys": ADMIN_KEY if keyed else ""}
    )
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
        done = gradio_call(url, headers, upload, [[file_data(path)]])
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
    done = gradio_call(url, headers, upload, [[file_data(saved.json()[0], "ferry.txt")]])
    assert done["success"] is True, done
    assert "Added 1" in done["output"]["data"][0]
    assert service.article("ferry.txt") is not None
