"""The store's format version, kept in its manifest, and the steps that bring an older store up to it.

A change to what a store keeps (Chroma's metadata, the docstore's tables) raises VERSION and registers,
under the version it upgrades from, one step that rewrites a store of that version into the next: the
extension point is one function here plus its `@step(n)` line. A store is upgraded as it is opened,
one step and one saved version at a time, so an upgrade cut short resumes where it stopped. A store
written by a newer Byline than this one is refused, never read.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from index.store import Store

VERSION = 1  # the format this code writes
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
