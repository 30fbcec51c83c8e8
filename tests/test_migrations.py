"""The store's format version: a store written before it was kept opens, answers as before and gets it
written; a store of a later version than this code is refused, naming the version and the store."""

import json

import pytest

from index import migrations
from index.migrations import KEY, STEPS, VERSION, StoreTooNew
from index.store import MANIFEST, Store

QUESTION = "What did the article report?"


def test_every_version_below_the_current_one_has_its_upgrade():
    assert sorted(STEPS) == list(range(VERSION))


def test_a_store_written_before_the_version_was_kept_opens_as_it_was_and_gets_it(fresh_store, seed_copy, seed_settings):
    from rag.service import Byline

    assert fresh_store.ingest([seed_copy]).added == 1
    path = fresh_store.store.path
    before = [(h.doc_id, h.text, h.score) for h in fresh_store.search(QUESTION, k=3).results]
    manifest = json.loads((path / MANIFEST).read_text())
    assert manifest[KEY] == VERSION
    del manifest[KEY]  # as the previous version wrote it
    (path / MANIFEST).write_text(json.dumps(manifest, indent=2))
    fresh_store.store.close()

    with Byline(seed_settings.model_copy(update={"store": path})) as reopened:
        assert json.loads((path / MANIFEST).read_text()) == {**manifest, KEY: VERSION}
        assert [(h.doc_id, h.text, h.score) for h in reopened.search(QUESTION, k=3).results] == before
        assert reopened.ingest([seed_copy]).unchanged == 1


def test_a_store_of_a_later_version_is_refused_naming_it_and_the_store(tmp_path, seed_settings):
    settings = seed_settings.model_copy(update={"store": tmp_path / "store"})
    Store(settings).close()
    file = tmp_path / "store" / MANIFEST
    newer = {**json.loads(file.read_text()), KEY: VERSION + 1}
    file.write_text(json.dumps(newer))
    with pytest.raises(StoreTooNew, match=rf"{tmp_path / 'store'} has format version {VERSION + 1}, newer than version {VERSION}"):
        Store(settings)
    assert json.loads(file.read_text()) == newer  # left as it was


def test_an_upgrade_runs_each_step_and_saves_each_version(monkeypatch):
    ran, saved = [], []
    monkeypatch.setattr(migrations, "VERSION", 3)
    monkeypatch.setattr(migrations, "STEPS", {n: (lambda store, n=n: ran.append(n)) for n in range(3)})
    assert migrations.upgrade("store", {"x": 1, KEY: 1}, "at here", saved.append) == {"x": 1, KEY: 3}
    assert ran == [1, 2] and saved == [{"x": 1, KEY: 2}, {"x": 1, KEY: 3}]
    with pytest.raises(ValueError, match="at here has format_version 'two'"):
        migrations.upgrade("store", {KEY: "two"}, "at here", saved.append)
