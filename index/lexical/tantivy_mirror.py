"""A PostgreSQL docstore's lexical index mirrored into tantivy, in a folder of each server's own
(BYLINE_DATABASE_URL, with BYLINE_LEXICAL_INDEX auto or tantivy).

PostgreSQL keeps the `chunk_terms` rows and its own index of them (postgres.py), which servers with
the other setting go on using. A trigger also logs the id of every row added or deleted
(`lexical_log`, numbered as written). A server catches its folder up with the log before each search
and after each of its own writes: each logged chunk's document is deleted, then added again from its
row if the row is still there; then the folder's `applied` file records the last number applied.
A transaction that changes rows locks the log against other writers (readers go on) until it
commits, so the log's numbers commit in order and what is past `applied` is exactly what the folder
lacks (writers hold the store's write lock anyway, index/db/postgres.py); applying a change twice does
no harm, which is what makes reading the number before the rows safe. A missing or unreadable folder, or one far
behind (a bulk fill), is built again from every row. After its writes a server deletes the log up to REBUILD_FROM
changes back, once it holds twice that, and records how far (`lexical_log_pruned`): a folder behind that point
would be rebuilt anyway, and sees that it must be. Searching is tantivy.py's: FTS5's ranking.
"""

import logging
from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path

from index.lexical.postgres import SCHEMA as POSTGRES_SCHEMA
from index.lexical.postgres import PostgresLexicalIndex
from index.lexical.tantivy import REBUILD_FROM, ROWS, TantivyIndex

LOG = "lexical_log"
PRUNED = "lexical_log_pruned"  # the log is deleted up to this number
SCHEMA = (
    POSTGRES_SCHEMA
    + f"""
CREATE TABLE IF NOT EXISTS {LOG} (seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, id BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS {PRUNED} (one INTEGER PRIMARY KEY CHECK (one = 1), upto BIGINT NOT NULL);
INSERT INTO {PRUNED} VALUES (1, 0) ON CONFLICT DO NOTHING;
CREATE OR REPLACE FUNCTION chunk_terms_logged() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Held to the commit: transactions that change rows log them one after another, so numbers commit in order.
    LOCK TABLE {LOG} IN EXCLUSIVE MODE;
    INSERT INTO {LOG} (id) VALUES (CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END);
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS chunk_terms_logged ON chunk_terms;
CREATE TRIGGER chunk_terms_logged AFTER INSERT OR DELETE ON chunk_terms FOR EACH ROW EXECUTE FUNCTION chunk_terms_logged();
"""
)
APPLIED = "applied"

log = logging.getLogger(__name__)


class TantivyMirror(TantivyIndex):
    schema = ""  # its tables are made as it opens, before the folder is brought up to date with them

    def __init__(self, database, folder: Path):
        self._db = database
        self._sql = PostgresLexicalIndex(database)  # keeps PostgreSQL's own index in bulk fills
        database.script(SCHEMA)  # the log before anything is read, so that no change goes unlogged
        self._folder = folder
        if not self._start(folder, keep=self._applied() is not None):
            self._rebuild()
        self._catch_up()

    def _applied(self) -> int | None:
        """The log number the folder holds every change up to; None where it holds none it can vouch for."""
        try:
            return int((self._folder / APPLIED).read_text())
        except (OSError, ValueError):
            return None

    def _last(self) -> int:
        return self._db.rows(f"SELECT greatest((SELECT max(seq) FROM {LOG}), upto) FROM {PRUNED}")[0][0]

    def _pruned(self) -> int:
        return self._db.rows(f"SELECT upto FROM {PRUNED}")[0][0]

    def _filling(self) -> AbstractContextManager[None]:
        """PostgreSQL's bulk fill (postgres.py); the folder catches up at the end (built again, when far behind)."""
        return self._sql.filled_at_end()

    def written(self) -> None:
        """After a write: catch up, then delete the log up to REBUILD_FROM changes back, once it holds twice that.
        A folder further behind is built again anyway; one behind what was deleted sees that it is."""
        self._catch_up()
        if self._deferred:
            return
        last, pruned = self._last(), self._pruned()
        if last - pruned >= 2 * REBUILD_FROM:
            with self._db.transaction():
                self._db.write(f"DELETE FROM {LOG} WHERE seq <= ?", (last - REBUILD_FROM,))
                self._db.write(f"UPDATE {PRUNED} SET upto = greatest(upto, ?)", (last - REBUILD_FROM,))

    def _catch_up(self) -> None:
        """Apply the log past what the folder holds."""
        if self._deferred:
            return
        last = self._last()
        applied = self._applied()
        if applied is None or applied < self._pruned() or last - applied >= REBUILD_FROM:
            self._rebuild()
        elif last > applied:
            self._apply(applied, last)

    def _apply(self, applied: int, last: int) -> None:
        with self._writer() as writer:
            recorded = self._applied()  # another process on this folder may have applied some meanwhile
            applied = applied if recorded is None else max(applied, recorded)
            if applied >= last:
                return
            ids = [id for (id,) in self._db.rows(f"SELECT DISTINCT id FROM {LOG} WHERE seq > ? AND seq <= ?", (applied, last))]
            complete = self._pruned() <= applied  # else another server deleted some of those changes meanwhile
            if complete:
                rows = self._db.rows(f"{ROWS} WHERE id = ANY(?)", (ids,)) if ids else []
                self._replace(writer, ids, rows)
                writer.commit()
                self._record(last)
        if not complete:
            self._rebuild()

    def _rebuild(self) -> None:
        """Index every row, as the only documents; the log's number first, so a change made while rows are read is applied again later."""
        log.info("building the lexical index's mirror in %s from the database's rows", self._folder)
        last = self._last()
        with self._writer(threads=0) as writer:
            writer.delete_all_documents()
            with self._db.transaction():
                for batch in self._db.batches(ROWS):
                    self._add(writer, batch)
            writer.commit()
            self._record(last)

    def _record(self, last: int) -> None:
        written = self._folder / f"{APPLIED}.new"
        written.write_text(str(last))
        written.replace(self._folder / APPLIED)

    def search(self, terms: list[str], limit: int, where: Sequence[tuple[str, str, object]] = (), any_of: bool = False) -> list[tuple[int, float]]:
        """tantivy.py's search, once the folder has caught up with the log."""
        self._catch_up()
        return super().search(terms, limit, where, any_of)
