"""The `byline` command: a thin layer over `rag.service.Byline`."""

import json
import sys
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Annotated, Optional

import typer

from index.loaders import LOADERS

# Plain help (no rich): flags show no "<bool>" type, and `--help` needs no rich import.
app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    help="Ask news articles questions; get answers that cite their sentences.",
)

StoreOption = Annotated[Optional[Path], typer.Option("--store", help="Store folder (default ./.byline, env BYLINE_STORE).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the JSON result.")]
AsOfOption = Annotated[Optional[str], typer.Option("--as-of", help="Prefer articles published shortly before this ISO date.")]
QueriesOption = Annotated[Optional[Path], typer.Option("--queries", help="JSONL file of {id, question}: one JSON result per line on stdout.")]
PruneOption = Annotated[bool, typer.Option("--prune", help="Remove the articles that have left a feed or sitemap (and are in no other).")]


def _settings(**overrides):
    """The settings from the environment; a bad value is a one-line error naming its variable."""
    from pydantic import ValidationError

    from rag.settings import Settings
    from ui.settings_table import invalid

    try:
        return Settings(**overrides)
    except ValidationError as error:
        _fail(invalid(error))


def _service(store: Path | None, existing: bool = False, **overrides):
    """The service over the store the settings name; `existing`: refuse a store folder that is not there
    (reading it would create it)."""
    settings = _settings(**({"store": store} if store else {}), **overrides)
    if existing and not settings.database_url and not settings.store.exists():  # a shared store keeps its texts elsewhere
        _fail(f"there is no store at {settings.store}: make one with `byline ingest PATH_OR_URL{f' --store {store}' if store else ''}`")
    from rag.service import Byline

    try:
        return Byline(settings)
    except RuntimeError as error:
        _fail(str(error))


def _ready_service(store: Path | None):
    """The service with its answerer and models loaded; an answerer that cannot start, or whose model
    server cannot answer, is a one-line error."""
    from rag.answerers import answerer_target

    try:
        answerer_target(_settings().llm)  # a misspelt BYLINE_LLM is said before anything loads
    except ValueError as error:
        _fail(str(error))
    service = _service(store, existing=True)
    try:
        problem = service.answerer_problem()  # the answerer first: one that cannot answer fails before the models load
        if problem is None:
            service.warm_up()
    except (ValueError, RuntimeError) as error:  # BYLINE_LLM names no answerer, or its package or model is missing
        _fail(str(error))
    if problem:
        _fail(f"{problem} (or BYLINE_LLM=extractive answers without it)")
    return service


def _filters(as_of: str | None):
    from rag.schema import Filters

    return Filters(as_of=as_of) if as_of else None


def _fail(message: str) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(1)


def _writing(write):
    """Run a store write; another process writing for longer than BYLINE_WRITE_WAIT is a one-line error."""
    from index.store import StoreBusy

    try:
        return write()
    except StoreBusy as error:
        _fail(str(error))


@contextmanager
def _working(message: str):
    """A spinner on the terminal saying what a slow command is doing; silent when stderr is not a terminal."""
    if not sys.stderr.isatty():
        yield SimpleNamespace(update=lambda message: None)
        return
    from rich.console import Console

    with Console(stderr=True).status(message) as status:
        yield status


def _one_or_batch(call, text: str | None, queries: Path | None, as_of: str | None, what: str):
    """Run `call(text, filters, id)` once, or per line of `queries` (then return None)."""
    if queries:
        _run_batch(queries, lambda q, i, f: call(q, f or _filters(as_of), i))
        return None
    if not text:
        _fail(f"give a {what} or --queries FILE")
    try:
        return call(text, _filters(as_of), None)
    except (ValueError, RuntimeError) as error:  # a bad question, or an answerer that cannot start
        _fail(str(error))


def _read_queries(path: Path):
    """Yield (id, question, as_of, error) for each line of a JSONL queries file."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        _fail(f"{path}: cannot read queries ({error})")
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            question = record.get("question") or record.get("query")
            if not isinstance(question, str) or not question.strip():
                raise ValueError("missing field 'question'")
            yield record.get("id"), question, record.get("as_of"), None
        except (ValueError, AttributeError) as error:
            yield None, None, None, f"{path} line {number}: {error}"


def _run_batch(path: Path, answer) -> None:
    failed = False
    for query_id, question, as_of, error in _read_queries(path):
        if error:
            typer.echo(error, err=True)
            print(json.dumps({"id": query_id, "error": error}), flush=True)
            failed = True
            continue
        try:
            result = answer(question, query_id, _filters(as_of))
        except Exception as error:  # one failing query must not end the batch: it gets an error line
            typer.echo(f"{path}: query {query_id!r}: {error}", err=True)
            print(json.dumps({"id": query_id, "error": str(error)}), flush=True)
            failed = True
            continue
        print(result.model_dump_json(), flush=True)
    if failed:
        raise typer.Exit(1)


@app.command()
def ingest(
    sources: Annotated[
        list[str],
        typer.Argument(
            help=f"Files or folders ({' '.join(LOADERS)}), or web addresses: article pages, RSS/Atom feeds and"
            " sitemaps (feeds and sitemaps are registered for `byline sync`).",
            metavar="PATH_OR_URL",
            show_default=False,
        ),
    ],
    prune: PruneOption = False,
    follow_links: Annotated[
        bool,
        typer.Option("--follow-links", help="Also read links to files outside the folders given (skipped by default)."),
    ] = False,
    store: StoreOption = None,
):
    """Index articles into the store; unchanged articles are skipped."""
    from rag.feeds import is_web_address

    service = _service(store)
    paths = [Path(source) for source in sources if not is_web_address(source)]
    urls = [source.strip() for source in sources if is_web_address(source)]
    failed = _ingest_files(service, paths, follow_links) if paths else False
    if urls:
        failed = _print_reports(_web_feeds(service).add(urls, prune)) or failed
    if failed:
        raise typer.Exit(1)


def _ingest_files(service, paths: list[Path], follow_links: bool = False) -> bool:
    """Ingest files and folders, print what happened; True when some could not be read."""
    from ui.progress import ingest_progress

    with ingest_progress() as progress:
        report = _writing(lambda: service.ingest(paths, progress, follow_links))
    from ui.render import counted

    typer.echo(
        f"{counted(report.articles, 'article')} ({report.added} added, {report.updated} updated, {report.unchanged} unchanged),"
        f" {counted(report.chunks, 'new chunk')}, {counted(len(report.skipped), 'file')} skipped"
    )
    if report.repaired:
        typer.echo(f"repaired {counted(report.repaired, 'article')} that an interrupted write had left half-stored", err=True)
    for skipped in report.skipped:
        typer.echo(f"skipped {skipped.path}: {skipped.reason}", err=True)
    for error in report.errors:
        typer.secho(f"error: {error}", fg=typer.colors.RED, err=True)
    return bool(report.errors)


def _web_feeds(service):
    from rag.feeds import web_feeds

    return web_feeds(service)


def _print_reports(reports) -> bool:
    """Print what reading each web source did; True when any had an error."""
    from ui.feed_lines import report_line

    for report in reports:
        if report.kind:  # one that could not be read at all has only its error
            typer.echo(report_line(report))
        for skipped in report.skipped:
            typer.echo(f"skipped {skipped}", err=True)
        for error in report.errors:
            typer.secho(f"error: {error}", fg=typer.colors.RED, err=True)
    return any(report.errors for report in reports)


sources_app = typer.Typer(rich_markup_mode=None)
app.add_typer(sources_app, name="sources")


@sources_app.callback(invoke_without_command=True)
def sources(ctx: typer.Context, as_json: JsonOption = False, store: StoreOption = None):
    """List the registered feeds and sitemaps: articles, last sync (STALE past BYLINE_STALE_AFTER_HOURS), last error
    (`byline sources remove URL` removes one)."""
    if ctx.invoked_subcommand is not None:
        return
    from dataclasses import asdict

    from index.feeds.registry import FILE, FeedRegistry
    from ui.feed_lines import source_line

    settings = _settings(**({"store": store} if store else {}))
    folder = settings.store
    shared = settings.database_url  # the registry is in the shared database, not a file of the folder
    registered = FeedRegistry.in_store(folder, shared).all() if shared or (folder / FILE).exists() else []
    hours = settings.stale_after_hours
    if as_json:
        print(json.dumps([{**asdict(source), "stale": source.stale(hours)} for source in registered], indent=2))
    elif not registered:
        typer.echo("No feeds or sitemaps are registered: add one with `byline ingest URL`.")
    for source in [] if as_json else registered:
        typer.echo(source_line(source, hours))


@sources_app.command("remove")
def remove_source(
    url: Annotated[str, typer.Argument(help="The feed or sitemap, as `byline sources` lists it.", metavar="URL", show_default=False)],
    prune: Annotated[bool, typer.Option("--prune", help="Also delete the articles that it alone brought in (no other feed or sitemap lists them).")] = False,
    store: StoreOption = None,
):
    """Unregister a feed or sitemap; with --prune, delete the articles that only it brought in."""
    from rag.feeds import NotRegistered, SyncRunning
    from ui.feed_lines import removed_line

    try:
        removed = _writing(lambda: _web_feeds(_service(store, existing=True)).remove(url, prune))
    except (NotRegistered, SyncRunning) as error:
        _fail(str(error))
    typer.echo(removed_line(url.strip(), prune, removed))


@app.command()
def sync(prune: PruneOption = False, store: StoreOption = None):
    """Read the registered feeds and sitemaps again: add new articles, update changed ones."""
    service = _service(store, existing=True)
    reports = _web_feeds(service).sync(prune)
    if not reports:
        typer.echo("No feeds or sitemaps are registered: add one with `byline ingest URL`.")
    if _print_reports(reports):
        raise typer.Exit(1)


@app.command()
def search(
    query: Annotated[Optional[str], typer.Argument()] = None,
    k: Annotated[int, typer.Option("--k", min=1, help="Number of documents.")] = 10,
    per_doc: Annotated[int, typer.Option("--per-doc", min=1, help="Chunks per document.")] = 1,
    as_json: JsonOption = False,
    queries: QueriesOption = None,
    as_of: AsOfOption = None,
    store: StoreOption = None,
):
    """Find the articles that best match QUERY."""
    service = _service(store, existing=True)
    result = _one_or_batch(lambda q, f, i: service.search(q, k=k, per_doc=per_doc, filters=f, id=i), query, queries, as_of, "QUERY")
    if result is None or as_json:
        return result and print(result.model_dump_json(indent=2))
    if not result.results:
        from rag.service import EMPTY_STORE

        typer.echo("No matching articles." if service.count() else EMPTY_STORE)
    from ui.render import also_in_line, shorten

    for hit in result.results:
        typer.secho(f"{hit.rank}. {hit.title}  [{hit.doc_id}]  score {hit.score:.3f}", bold=True)
        typer.echo(f"   {shorten(hit.text, 200)}")
        if hit.also_in:
            typer.echo(f"   {also_in_line(hit.also_in)}")


@app.command()
def ask(
    question: Annotated[Optional[str], typer.Argument()] = None,
    as_json: JsonOption = False,
    queries: QueriesOption = None,
    as_of: AsOfOption = None,
    store: StoreOption = None,
):
    """Answer QUESTION from the articles, citing their sentences (`byline chat` takes follow-ups)."""
    with _working("Loading the store and the embedding model…") as status:
        service = _ready_service(store)
        status.update("Searching the articles and checking the answer…")
        result = _one_or_batch(lambda q, f, i: service.ask(q, filters=f, id=i), question, queries, as_of, "QUESTION")
    if result is None or as_json:
        return result and print(result.model_dump_json(indent=2))
    _print_answer(service, result)


@app.command()
def chat(as_of: AsOfOption = None, store: StoreOption = None):
    """Talk with the articles: a question a line, and follow-ups ("And in May?") read with the
    conversation before them; /new starts a new conversation, Ctrl-D ends. Reads piped lines too."""
    from rag.history import recent_turns
    from rag.schema import Turn

    with _working("Loading the store and the embedding model…"):
        service = _ready_service(store)
    typing = sys.stdin.isatty()
    if typing:
        import readline  # noqa: F401  line editing and history for input()

        typer.echo("Ask a question; follow-ups are read with the conversation. /new starts over, Ctrl-D ends.", err=True)
    turns: list[Turn] = []
    while (question := _next_line("> " if typing else "")) is not None:
        if question == "/new":
            turns = []
            typer.echo("New conversation.", err=True)
        if not question or question == "/new":
            continue
        if not typing:  # a piped transcript shows what was asked
            typer.secho(f"> {question}", bold=True)
        with _working("Searching the articles and checking the answer…"):
            try:
                result = service.ask(question, recent_turns(turns, service.settings), _filters(as_of))
            except ValueError as error:  # e.g. a question over its length limit: the conversation goes on
                typer.secho(f"error: {error}", fg=typer.colors.RED, err=True)
                continue
        _print_answer(service, result)
        typer.echo()
        turns += [Turn(role="user", content=question), Turn(role="assistant", content=result.answer)]


def _next_line(prompt: str) -> str | None:
    """The next line typed or piped, stripped; None at the end of the input (Ctrl-D) or on Ctrl-C."""
    try:
        return input(prompt).strip()
    except (EOFError, KeyboardInterrupt):
        if sys.stdin.isatty():
            typer.echo(err=True)  # the prompt's line is left open
        return None


def _print_answer(service, result) -> None:
    """An answer with its numbered sources on stdout (and, for a rewritten follow-up, what was searched); warnings on stderr."""
    from ui.render import citation_lines, searched_for

    if searched := searched_for(result):
        typer.secho(f"Searched for: “{searched}”", dim=True)
    typer.echo(result.answer)
    for line in citation_lines(result.citations, service.citation_contexts(result.citations)):
        typer.echo(line)
    for warning in result.warnings:
        typer.secho(f"warning: {warning}", fg=typer.colors.YELLOW, err=True)


@app.command()
def serve(
    host: Annotated[str, typer.Option(envvar="BYLINE_HOST", help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(envvar="BYLINE_PORT", help="Port.")] = 7860,
    sync_every: Annotated[
        Optional[str],
        typer.Option(
            "--sync-every", metavar="INTERVAL", help="Sync the registered feeds and sitemaps in the background now and every INTERVAL (90s, 15m, 2h)."
        ),
    ] = None,
    store: StoreOption = None,
):
    """Serve the chat UI, the REST API and the widget."""
    from ui.listening import bind, serve_on

    every = _interval(sync_every) if sync_every else None
    sock = bind(host, port)  # before the model loads: a busy port fails in a second, not a minute
    if isinstance(sock, str):
        _fail(sock)
    typer.echo(f"Loading the store and the models for http://{host}:{port} …", err=True)
    service = _service(store)
    if not service.settings.keys_configured() and not _loopback(host):
        typer.secho(
            f"warning: no keys are set, and --host {host} serves beyond this machine: anyone who reaches it may list, "
            "upload and delete articles. Set BYLINE_API_KEYS (and BYLINE_READER_KEYS) before exposing a server; "
            "see docs/deploy.md.",
            fg=typer.colors.YELLOW,
            err=True,
        )
    try:
        service.warm_up()
    except (ValueError, RuntimeError) as error:  # e.g. BYLINE_LLM_MODEL_PATH names no model
        _fail(str(error))
    if problem := service.answerer_problem():  # served anyway: its answers say so, and /healthz is not ready
        typer.secho(f"warning: {problem}; until then answers are extractive", fg=typer.colors.YELLOW, err=True)
    # Imported after the model, not in a thread beside it: on this 2-core machine, shared, two threads
    # importing under the GIL started slower than one (bench/startup.py, docs/benchmarks.md).
    from ui.server import create_app

    _log_writes()
    try:
        web_app = create_app(service, bind_host=host, ui_later=True)  # the API answers while the chat page builds
    except ValueError as error:  # e.g. a key in BYLINE_API_KEYS that no header can carry
        _fail(str(error))
    background = None
    if every:
        from rag.feeds import BackgroundSync

        background = BackgroundSync(service, every)
        background.start()
    try:
        serve_on(web_app, sock, lambda url: typer.echo(f"Byline on {url}  (API docs at /api/docs)"))
    finally:
        if background:
            background.stop()


def _loopback(host: str) -> bool:
    import ipaddress

    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host.lower() == "localhost"


def _log_writes() -> None:
    """The access check's line for every write (ui/access.py), on stderr."""
    import logging

    writes = logging.getLogger("ui.access")
    if not writes.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
        writes.addHandler(handler)
    writes.setLevel(logging.INFO)


INTERVAL_UNITS = {"s": 1, "m": 60, "h": 3600}


def _interval(text: str) -> float:
    """Seconds in "90s", "15m", "2h" or a plain number of seconds."""
    value, unit = text.strip().lower(), "s"
    if value[-1:] in INTERVAL_UNITS:
        value, unit = value[:-1], value[-1]
    try:
        seconds = float(value) * INTERVAL_UNITS[unit]
    except ValueError:
        seconds = 0
    if not seconds > 0:
        _fail(f"--sync-every {text!r}: give a time such as 90s, 15m or 2h")
    return seconds


@app.command("eval")
def evaluate(
    dataset: Annotated[Path, typer.Argument(help="Folder with article JSONL files and a questions JSONL file.")],
    k: Annotated[int, typer.Option("--k", min=1, help="Documents retrieved per question.")] = 10,
    baseline: Annotated[bool, typer.Option("--baseline", help="Also run plain LlamaIndex, dense-only and BM25-only.")] = False,
    as_json: JsonOption = False,
    store: Annotated[Optional[Path], typer.Option("--store", help="Store to use (default: a cache keyed by corpus and settings).")] = None,
    question_dates: Annotated[bool, typer.Option("--question-dates/--no-question-dates", help="Use each question's date as its as-of date.")] = True,
    limit: Annotated[Optional[int], typer.Option("--limit", min=1, help="Ask only the first N answer questions (a slow LLM).")] = None,
):
    """Measure retrieval, citations and abstention on an evaluation folder."""
    from rag.evaluation.report import render_table
    from rag.evaluation.runner import run_eval

    try:
        report = run_eval(dataset, k=k, store=store, baseline=baseline, progress=lambda m: typer.echo(m, err=True), use_dates=question_dates, limit=limit)
    except ValueError as error:
        _fail(str(error))
    print(report.to_json() if as_json else render_table(report))


@app.command()
def articles(
    search: Annotated[str, typer.Option("--search", help="Only articles whose title, source or doc_id holds each of these words (any case).")] = "",
    page: Annotated[Optional[int], typer.Option("--page", min=1, help="Which page of --limit articles to list (1: the newest).")] = None,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many articles (instead of --page).")] = 0,
    limit: Annotated[int, typer.Option(min=1, help="Articles listed at a time.")] = 50,
    store: StoreOption = None,
):
    """List indexed articles, newest first: doc_id, date, source, chunks and title, tab-separated; which
    of them are shown (and the next page) on stderr."""
    from ui.article_list import MAX_QUERY
    from ui.render import counted

    if page is not None and offset:
        _fail("give --page or --offset, not both")
    offset = (page - 1) * limit if page is not None else offset
    query = " ".join(search.split())[:MAX_QUERY]
    service = _service(store, existing=True)
    listed, matched = service.articles(offset, limit, query), service.count(query)
    for stored in listed:
        a = stored.article
        typer.echo(f"{a.doc_id}\t{a.date or '-'}\t{a.source or '-'}\t{counted(stored.chunks, 'chunk')}\t{a.title}")
    typer.echo(_articles_shown(offset, len(listed), matched, query, limit), err=True)


def _articles_shown(offset: int, shown: int, matched: int, query: str, limit: int) -> str:
    """The line under `byline articles`' list: which articles it shows of how many, and how to see the next ones."""
    from ui.render import counted

    which = f" matching “{query}”" if query else ""
    if not shown:
        if not matched:
            return f"no article's title, source or doc_id holds “{query}”" if query else "the store holds no articles"
        return f"no articles past the first {matched:,}{which}"
    told = f"{offset + 1:,}–{offset + shown:,} of {counted(matched, 'article')}{which}, newest first"
    if offset + shown < matched:
        page = f"--page {offset // limit + 2}" if offset % limit == 0 else f"--offset {offset + shown}"
        told += f"; next: {page} --limit {limit}"
    return told


@app.command()
def delete(doc_id: str, store: StoreOption = None):
    """Remove one article from the store."""
    service = _service(store, existing=True)
    if not _writing(lambda: service.delete(doc_id)):
        _fail(f"no article with doc_id '{doc_id}'")
    typer.echo(f"deleted {doc_id}")


@app.command()
def withdraw(
    doc_id: Annotated[str, typer.Argument(help="The article's doc_id, as `byline articles` lists it.", show_default=False)],
    reason: Annotated[str, typer.Option("--reason", help="Why it is withdrawn, kept for the desk (`byline withdrawn`).")] = "",
    undo: Annotated[bool, typer.Option("--undo", help="Allow a withdrawn article again: the next ingest or sync of it stores it.")] = False,
    store: StoreOption = None,
):
    """Withdraw an article: remove it from the store, and keep every later ingest, upload and feed sync from adding it again."""
    service = _service(store)
    if undo:
        if not _web_feeds(service).restore(doc_id):
            _fail(f"'{doc_id}' is not withdrawn (`byline withdrawn` lists the withdrawn articles)")
        typer.echo(f"{doc_id} may be added again: the next ingest or sync that reads it stores it")
        return
    try:
        record = _writing(lambda: service.withdraw(doc_id, reason, by="command line"))
    except (LookupError, ValueError) as error:
        _fail(str(error))
    typer.echo(f"withdrew {doc_id}: {record.reason}")


@app.command()
def withdrawn(as_json: JsonOption = False, store: StoreOption = None):
    """List the withdrawn articles: doc_id, when, by whom, why, title (the newest first)."""
    from dataclasses import asdict

    records = _service(store).withdrawals()
    if as_json:
        print(json.dumps([asdict(record) for record in records], indent=2))
    elif not records:
        typer.echo("No article is withdrawn.")
    for record in [] if as_json else records:
        typer.echo("\t".join([record.doc_id, record.withdrawn_at, record.withdrawn_by or "-", record.reason, record.title]))


@app.command("copy-store")
def copy_store(
    source: Annotated[Path, typer.Argument(help="The store folder to copy from (an embedded store).", show_default=False)],
    store: StoreOption = None,
):
    """Copy a store folder, as it is, into the empty store the settings name (BYLINE_CHROMA_URL and
    BYLINE_DATABASE_URL: a shared store); nothing is embedded again."""
    service = _service(store)
    with _working(f"Copying {source} …") as status:
        try:
            copied = _writing(lambda: service.copy_from(source, lambda what, done, total: status.update(f"Copying {what}: {done:,} of {total:,}")))
        except (RuntimeError, ValueError) as error:  # refused, not a store, or built with other settings
            _fail(str(error))
    typer.echo(f"copied {copied['articles']:,} articles, {copied['chunks']:,} chunk vectors and {copied['sources']:,} feeds and sitemaps")


@app.command()
def report(
    date_from: Annotated[Optional[str], typer.Option("--from", help="First day, YYYY-MM-DD.")] = None,
    date_to: Annotated[Optional[str], typer.Option("--to", help="Last day, YYYY-MM-DD.")] = None,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print every question of those days as CSV.")] = False,
    as_json: JsonOption = False,
    store: StoreOption = None,
):
    """The editors' report: most asked questions, refusals by topic, answers marked not helpful or with
    unsupported claims, questions per day (questions are logged with BYLINE_LOG_QUESTIONS)."""
    from index.question_log import FILE, QuestionLog
    from rag.report import build_report, report_csv, report_text

    settings = _settings(**({"store": store} if store else {}))
    if not settings.database_url and not (settings.store / FILE).exists():
        typer.echo(f"Nothing is logged in {settings.store} yet: no reader has given feedback, and questions are logged only with BYLINE_LOG_QUESTIONS.")
        return
    log = QuestionLog.in_store(settings.store, settings.database_url)
    try:
        if as_csv:
            sys.stdout.write(report_csv(log, date_from, date_to))
            return
        found = build_report(log, date_from, date_to)
    except ValueError as error:
        _fail(str(error))
    print(found.model_dump_json(indent=2) if as_json else report_text(found))


@app.command("settings")
def show_settings(markdown: Annotated[bool, typer.Option("--markdown", help="Print the README's settings table.")] = False):
    """Print every setting: its value, default and meaning (keys masked)."""
    from ui import settings_table

    print(settings_table.markdown() if markdown else settings_table.text(_settings()))


if __name__ == "__main__":
    app()
