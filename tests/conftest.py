"""Shared fixtures: a store with the seed article, built once per test session."""

import shutil
from pathlib import Path

import pytest

from index import offline as _offline  # noqa: F401

# The web fixtures (a served corpus, real servers), for every test module that asks for them.
pytest_plugins = ["tests.fixtures_server"]

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_DOC = "000_0624aa70254fa434.txt"
# The JSON contract of `ask` and `search`: stop 6's fields keep their names; `claims` and
# `standalone_question` were added, and `also_in` (the copies of a story, each ALSO_IN_FIELDS), and
# citations' `updated` (when their article last changed).
ASK_FIELDS = {"id", "question", "answer", "abstained", "citations", "warnings", "claims", "standalone_question"}
CITATION_FIELDS = {"n", "doc_id", "title", "sentence", "start", "end", "score", "also_in", "updated"}
CLAIM_FIELDS = {"text", "start", "end", "citations", "supported", "reason"}
HIT_FIELDS = {"rank", "doc_id", "title", "url", "score", "text", "also_in"}
ALSO_IN_FIELDS = {"doc_id", "title", "source", "url"}


@pytest.fixture(scope="session")
def seed_settings(tmp_path_factory):
    from rag.settings import Settings

    return Settings(store=tmp_path_factory.mktemp("seed-store"))


@pytest.fixture(scope="session")
def seed_service(seed_settings):
    """A `Byline` service over a real Chroma store holding the seed article."""
    from rag.service import Byline

    with Byline(seed_settings) as service:
        report = service.ingest([SEEDS])
        assert report.added == 1 and not report.errors
        yield service


@pytest.fixture
def fresh_store(tmp_path, seed_settings):
    """An empty store in a temp folder, with the same settings as the seed store."""
    from rag.service import Byline

    with Byline(seed_settings.model_copy(update={"store": tmp_path / "store"})) as service:
        yield service


@pytest.fixture
def seed_copy(tmp_path) -> Path:
    folder = tmp_path / "articles"
    shutil.copytree(SEEDS, folder)
    return folder
