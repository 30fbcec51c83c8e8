"""The store's format version, kept in its manifest, and the steps that bring an older store up to it.

A change to what a store keeps (Chroma's metadata, the docstore's tables) raises VERSION and registers,
under the version it upgrades from, one step that rewrites a store of that version into the next: the
extension point is one function here plus its `@step(n)` line. A store is upgraded as it is opened,
one step and one saved version at a time, so an upgrade cut short resumes where it stopped. A store
written by a newer Byline than this one is refused, never read.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

from index import search_text

if TYPE_CHECKING:
    from index.store import Store

VERSION = 3  # the format this code writes
KEY = "format_version"  # its name in the manifest

Step = Callable[["Store"], None]
STEPS: dict[int, Step] = {}  # version -> the step that upgrades a store of that version to the next


class StoreTooNew(RuntimeError):
    """The store was written by a newer Byline, in a format this one does not know."""


def step(version: int) -> Callable[[Step], Step]:
    """Register `function` as the upgrade of a store of format `version` to `version + 1`."""

    def register(function: Step) -> Step:
        if version in STEPS:
            raise ValueError(f"two upgrades of format version {version}: {STEPS[version].__name__} and {function.__name__}")
        STEPS[version] = function
        return function

    return register


@step(0)
def _version_kept(store: "Store") -> None:
    """Stores from before the version was kept already hold version 1's format: only the version is written."""


# Format 1's name for the docstore's table of copy groups (index/copies.py).
_STORY_GROUPS = "CREATE TABLE IF NOT EXISTS story_groups (doc_id TEXT PRIMARY KEY, group_id TEXT NOT NULL, signature {blob} NOT NULL, method TEXT NOT NULL)"


@step(1)
def _copy_groups_named(store: "Store") -> None:
    """Format 1 kept the copy groups in a table named `story_groups`: its rows move to `copy_groups`
    (which the docstore made as it opened), and it goes."""
    database = store.docs.database
    database.write(database.schema(_STORY_GROUPS))  # a store without one reads as one with no rows
    # (WHERE true: SQLite reads an ON CONFLICT right after FROM as part of a join)
    with database.transaction():
        database.write(
            "INSERT INTO copy_groups (doc_id, group_id, signature, method)"
            " SELECT doc_id, group_id, signature, method FROM story_groups WHERE true ON CONFLICT (doc_id) DO NOTHING"
        )
        database.write("DROP TABLE story_groups")


@step(2)
def _articles_searched(store: "Store") -> None:
    """Format 2 had no `article_search` (index/search_text.py), which the docstore made as it
    opened: every article's row is written."""
    docs = store.docs
    with docs.transaction():
        docs.database.write_many(search_text.INSERT, [search_text.row(a) for a in docs.metadata().values()])


def upgrade(store: "Store", manifest: dict, where: str, save: Callable[[dict], None]) -> dict:
    """`manifest` (a store's, read at `where`) at VERSION: each missing step run on `store` and the
    version it reached saved with `save`. StoreTooNew for a store of a later version than VERSION."""
    version = manifest.get(KEY, 0)
    if not isinstance(version, int) or version < 0:
        raise ValueError(f"The store {where} has format_version {version!r} in its manifest: expected a whole number")
    if version > VERSION:
        raise StoreTooNew(
            f"The store {where} has format version {version}, newer than version {VERSION} that this Byline "
            "reads: open it with the Byline that wrote it, or a later one."
        )
    while version < VERSION:
        STEPS[version](store)
        version += 1
        manifest = {**manifest, KEY: version}
        save(manifest)
    return manifest
