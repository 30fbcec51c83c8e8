"""The Gradio UI: a chat whose answers cite their sentences, and the list of indexed articles."""

from collections.abc import Callable
from html import escape

import gradio as gr

from index.store import StoreBusy
from rag.desk import desk_for
from rag.history import recent_turns
from rag.schema import AskResult, Filters, Turn
from rag.service import FILE_TYPES, Byline
from ui.access import ADMIN, request_key_name, request_role
from ui.article_list import ARTICLE_COLUMNS, ArticleView, article_page, moved
from ui.desk_tab import editors_tab
from ui.gradio_files import UploadedFiles
from ui.render import chat_answer, counted
from ui.feed_lines import SOURCE_COLUMNS, add_url_status, awaited_markdown, remove_markdown, source_rows, sync_markdown
from ui.uploads import _markdown_text as markdown_text
from ui.uploads import upload_paths
from ui.welcome import example_questions, welcome_markdown

CSS = """
.byline-answer .byline-text { margin: 0; }
/* Gradio's toolbar and its "scroll down" arrow float over the answers' first and last lines: the
   buttons under the chat and the scrollbar do their work. */
#byline-chat .top-panel, #byline-chat .scroll-down-button-container, .byline-markdown { display: none; }
.byline-searched { color: #666; font-size: 0.9em; margin: 0 0 6px; }
.byline-answer a.byline-marker { color: var(--color-accent, #e07b00); text-decoration: none; font-weight: 600; white-space: nowrap; }
.byline-answer a.byline-marker:hover { text-decoration: underline; }
.byline-unsupported { background: #fdecea; color: #8c1c13; text-decoration: underline wavy #c0392b; text-underline-offset: 3px; }
.byline-warning { color: #8a6d00; font-size: 0.9em; margin: 6px 0 0; }
.byline-sources { margin-top: 8px; border-top: 1px solid #dde1e6; padding-top: 4px; }
.byline-sources-head { color: #666; font-size: 0.85em; margin: 0; }
.byline-citation { border-left: 3px solid #e0a800; padding: 2px 8px; margin: 4px 0; }
.byline-citation summary { cursor: pointer; }
.byline-facts { color: #777; }
.byline-also { display: block; color: #777; }
.byline-passage p { margin: 4px 0; }
.byline-passage mark { background: #fff3bf; color: #1a1a1a; padding: 0 2px; }
.byline-passage:target { outline: 2px solid #e0a800; outline-offset: 2px; }
.byline-passage:target mark { background: #ffd43b; }
"""
WITHDRAWN_COLUMNS = ["doc_id", "withdrawn", "by", "reason", "title"]
ADMIN_ONLY = "This needs an admin key (BYLINE_API_KEYS), as the Articles and Editors tabs do; this key may ask questions only."
LISTED_ARTICLES = 200  # a page of the article list (ui/article_list.py)
SYNC_POLL = 2.0  # seconds between refreshes of the sources table while one is queued or syncing
CHAT_HEIGHT = "max(260px, calc(100vh - 400px))"
# Under each answer: a thumb up or down; the other choices say why it is not helpful.
FEEDBACK_OPTIONS = ("Like", "Dislike", "Wrong or misleading", "Did not answer the question", "Out of date")


def copy_js(button_id: str, whole: bool) -> str:
    """Client code copying the newest answer, or the whole conversation, as the Markdown each answer
    carries (ui/render.py chat_answer); the button says "Copied" for a moment."""
    return f"""() => {{
  const blocks = [...document.querySelectorAll('#byline-chat .byline-markdown')].map(e => e.textContent);
  const text = {"true" if whole else "false"} ? blocks.join('\\n\\n---\\n\\n') : blocks[blocks.length - 1] || '';
  if (!text) return;
  if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text);
  else {{
    const area = document.createElement('textarea');
    area.value = text;
    document.body.appendChild(area);
    area.select();
    document.execCommand('copy');
    area.remove();
  }}
  const button = document.getElementById('{button_id}');
  const label = button.textContent;
  button.textContent = 'Copied';
  setTimeout(() => {{ button.textContent = label; }}, 1500);
}}"""


def chat_turn(
    service: Byline,
    question: str,
    messages: list[dict],
    turns: list[dict],
    filters: Filters | None,
    on_answer: Callable[[AskResult, int], None] | None = None,
):
    """Ask `question` after the conversation `turns` (plain text; its newest turns within the limits are
    sent); yield the chat's messages (HTML) as the answer streams, each with the conversation once
    answered (None before, and on failure). `on_answer` is given the result and its message's index."""
    messages = list(messages or []) + [{"role": "user", "content": escape(question)}, {"role": "assistant", "content": ""}]
    turn = len(messages)  # numbers this answer's source anchors apart from earlier answers'
    try:
        for item in service.ask_stream(question, recent_turns([Turn(**t) for t in turns or []], service.settings), filters):
            if isinstance(item, AskResult):
                messages[-1]["content"] = chat_answer(item, service.citation_contexts(item.citations), turn)
                if on_answer:
                    on_answer(item, turn - 1)
                answered = [{"role": "user", "content": question}, {"role": "assistant", "content": item.answer}]
                yield messages, list(turns or []) + answered
            else:
                messages[-1]["content"] += escape(item)
                yield messages, None
    except Exception as error:  # one bad request must not take the UI down
        messages[-1]["content"] = escape(f"Sorry, that failed: {error}")
        yield messages, None


def _filters(source: str | None, date_from: str | None, date_to: str | None) -> Filters | None:
    filters = Filters(source=source or None, date_from=(date_from or "").strip() or None, date_to=(date_to or "").strip() or None)
    return None if filters.is_empty() else filters


def build_app(service: Byline) -> gr.Blocks:
    settings = service.settings
    keyed = settings.keys_configured()

    def require_admin(request: gr.Request | None) -> None:
        """Refuse the Articles tab's calls to readers: anyone can call a handler directly."""
        if request_role(request.headers if request else {}, settings) != ADMIN:
            raise gr.Error(ADMIN_ONLY)

    desk = desk_for(service)

    def respond(
        question: str,
        messages: list[dict],
        turns: list[dict],
        shown: dict,
        source: str | None,
        date_from: str,
        date_to: str,
        request: gr.Request,
    ):
        """The chat's answer; `shown` keeps each answer (by its message's index) for the feedback buttons."""
        question = (question or "").strip()
        if not question:
            yield "", messages, gr.skip(), gr.skip()
            return
        shown = dict(shown or {})

        def keep(result: AskResult, index: int) -> None:
            desk.asked(result, request_key_name(request.headers))
            shown[str(index)] = {"question": result.question, "answer": result.answer, "citations": [c.doc_id for c in result.citations]}

        for messages_now, answered in chat_turn(service, question, messages, turns, _filters(source, date_from, date_to), keep):
            yield "", messages_now, *((gr.skip(), gr.skip()) if answered is None else (answered, shown))

    def welcome():
        """The empty chat's words and examples, as the archive is now; on load only, so that headlines
        (article text) never sit in the page's config script."""
        return gr.update(placeholder=welcome_markdown(service), examples=[{"text": q} for q in example_questions(service)])

    def example_text(event: gr.SelectData) -> str:
        return event.value["text"]

    def rate(shown: dict, event: gr.LikeData, request: gr.Request) -> None:
        """A thumb or a reason under an answer; taking a thumb back (an empty choice) stores nothing."""
        answer = (shown or {}).get(str(event.index))
        if answer is None or event.liked == "":
            return
        reason = event.liked if isinstance(event.liked, str) else ""
        desk.feedback(**answer, helpful=event.liked is True, reason=reason, key_name=request_key_name(request.headers))

    def ask_api(question: str) -> dict:
        return service.ask(question).model_dump()

    def source_choices() -> list[tuple[str, str]]:
        return [("All sources", "")] + [(source, source) for source in service.sources()]

    def article_table(view: ArticleView | None = None):
        """A page of the article list (`view`: its search and first row; the newest by default), the
        line saying which, the article choices, the source filter's choices, the view shown, and
        the paging buttons."""
        page = article_page(service, view or ArticleView(), LISTED_ARTICLES)
        return (
            page.rows,
            page.summary(),
            gr.update(choices=[row[0] for row in page.rows]),
            gr.update(choices=source_choices()),
            page.view,
            gr.update(interactive=page.has_previous),
            gr.update(interactive=page.has_next),
        )

    def source_table(rows: list[list[str]], busy: bool):
        """The registered feeds and sitemaps (`source_rows`), the remove list's choices, and the
        timer: ticking while one is queued or syncing."""
        return rows, gr.update(choices=[row[0] for row in rows]), gr.Timer(active=busy)

    def withdrawn_table() -> list[list[str]]:
        return [[w.doc_id, w.withdrawn_at, w.withdrawn_by, w.reason, w.title] for w in service.withdrawals()]

    def opened(request: gr.Request):
        """On page load: the Articles tab and its lists for admins; readers get the source filter only."""
        if request_role(request.headers, settings) == ADMIN:
            return (gr.update(visible=True), *article_table(), *source_table(*source_rows(service)), withdrawn_table())
        hidden = ([], gr.update(choices=[]), gr.Timer(active=False), [])
        nothing = ([], "", gr.update(choices=[]), gr.update(choices=source_choices()), ArticleView(), *(gr.update(interactive=False),) * 2)
        return (gr.update(visible=False), *nothing, *hidden)

    def find_articles(query: str | None, request: gr.Request):
        """The article list's search: the first page of the articles whose doc_id, title or source holds its words."""
        require_admin(request)
        return article_table(ArticleView(query or "", 0))

    def page_articles(pages: int):
        def turn(view: ArticleView | None, request: gr.Request):
            require_admin(request)
            return article_table(moved(view or ArticleView(), pages, LISTED_ARTICLES))

        return turn

    def upload(paths: list[str] | None, view: ArticleView | None, request: gr.Request, progress=gr.Progress()):
        """Store the uploaded files, telling how far it has got on the status line; the status no longer
        follows a feed ("" awaited)."""
        require_admin(request)
        if not paths:
            return ("Choose one or more files first.", *article_table(view), "")
        progress(0, desc=f"Reading {counted(len(paths), 'file')}")
        message = upload_paths(service, paths, lambda share, said: progress(share, desc=said))
        return (message, *article_table(view), "")

    def add_url(url: str | None, view: ArticleView | None, request: gr.Request):
        """Read `url`; for a feed or sitemap, the status follows its reading (`awaited`, the timer's tick)."""
        require_admin(request)
        message, awaited = add_url_status(service, url or "")
        return (message, *article_table(view), *source_table(*source_rows(service)), awaited)

    articles_kept = (gr.skip(),) * 7  # article_table's outputs, left as they are

    def refresh_sources(view: ArticleView | None, request: gr.Request):
        require_admin(request)
        return (*source_table(*source_rows(service)), *article_table(view))

    def poll_sources(view: ArticleView | None, awaited: str | None, request: gr.Request):
        """The timer's tick: the sources table; the articles too once nothing syncs any more; the status
        line, while it speaks of a feed or sitemap being read (`awaited`), says how far, then what it read."""
        require_admin(request)
        rows, busy = source_rows(service)
        followed = (gr.skip(), gr.skip())
        if awaited:
            message, reading = awaited_markdown(service, awaited)
            followed = (message, awaited if reading else "")
        return (*source_table(rows, busy), *(articles_kept if busy else article_table(view)), *followed)

    def sync_now(view: ArticleView | None, request: gr.Request):
        require_admin(request)
        yield ("Reading the feeds and sitemaps again…", gr.skip(), gr.skip(), gr.Timer(active=True), *articles_kept)
        yield (sync_markdown(service), *source_table(*source_rows(service)), *article_table(view))

    def remove_source(url: str | None, prune: bool, view: ArticleView | None, request: gr.Request):
        require_admin(request)
        return (remove_markdown(service, url, bool(prune)), *source_table(*source_rows(service)), *article_table(view))

    def show_article(doc_id: str | None, request: gr.Request) -> str:
        require_admin(request)
        stored = service.article(doc_id) if doc_id else None
        if stored is None:
            return "" if not doc_id else f"No article with doc_id '{doc_id}'."
        a = stored.article
        facts = " · ".join(x for x in (a.source, a.date, a.url) if x)
        return f"{a.title}\n{facts}\n\n{a.text}"

    def first_cell(rows, event: gr.SelectData) -> str:
        """A click in a table: its row's first cell (an article's doc_id, a source's URL)."""
        return str(rows.iloc[event.index[0], 0])

    def delete_article(doc_id: str | None, view: ArticleView | None, request: gr.Request):
        require_admin(request)
        if not doc_id:
            return ("Choose an article to delete.", "", *article_table(view), "")
        message = f"Deleted {doc_id}." if service.delete(doc_id) else f"No article with doc_id '{doc_id}'."
        return (message, "", *article_table(view), "")

    def withdraw_article(doc_id: str | None, reason: str | None, view: ArticleView | None, request: gr.Request):
        """Remove an article for good (no ingest or sync adds it again), keeping the reason."""
        require_admin(request)
        if not doc_id:
            return ("Choose an article to withdraw.", gr.skip(), gr.skip(), *articles_kept, gr.skip(), "")
        try:
            record = service.withdraw(doc_id, reason or "", by=request_key_name(request.headers))
        except (LookupError, ValueError, StoreBusy) as error:
            return (markdown_text(str(error)), gr.skip(), gr.skip(), *articles_kept, gr.skip(), "")
        message = markdown_text(f"Withdrew {doc_id}: no ingest, upload or feed sync will add it again. Reason: {record.reason}")
        return (message, "", "", *article_table(view), withdrawn_table(), "")

    with gr.Blocks(title="Byline") as demo:
        sign_out = " · [Sign out](/signout)" if keyed else ""
        gr.Markdown(
            "## Byline — ask the articles\nEvery answer cites the exact sentences it comes from: open a source,"
            f" or click its [n], to read it in its passage.{sign_out}"
        )
        with gr.Tab("Chat"):
            # Each answer carries its own sources: a [n] marker opens its sentence, highlighted in its passage.
            # No label or toolbar over the first answer; sized to keep the question box in view at 1280x720.
            chatbot = gr.Chatbot(
                label="Conversation",
                show_label=False,
                buttons=[],
                height=CHAT_HEIGHT,
                sanitize_html=True,
                render_markdown=False,
                elem_id="byline-chat",
                placeholder=welcome_markdown(service),
                feedback_options=FEEDBACK_OPTIONS,
            )
            turns = gr.State([])
            shown = gr.State({})
            question = gr.Textbox(label="Question", placeholder="Ask about the indexed articles…", elem_id="byline-question")
            with gr.Row():
                send = gr.Button("Ask", variant="primary", elem_id="byline-ask")
                clear = gr.Button("New conversation", elem_id="byline-clear")
                copy_answer = gr.Button("Copy answer as Markdown", size="sm", elem_id="byline-copy-answer")
                copy_all = gr.Button("Copy conversation as Markdown", size="sm", elem_id="byline-copy-all")
            with gr.Accordion("Filters", open=False):
                with gr.Row():
                    source = gr.Dropdown(source_choices(), value="", label="Source", allow_custom_value=True, elem_id="byline-source")
                    date_from = gr.Textbox(label="From date", placeholder="YYYY-MM-DD", elem_id="byline-date-from")
                    date_to = gr.Textbox(label="To date", placeholder="YYYY-MM-DD", elem_id="byline-date-to")
        # With keys, shown on load to admin keys only (`opened`).
        with gr.Tab("Articles", visible=not keyed) as articles_tab:
            with gr.Row():
                files = UploadedFiles(label="Upload articles", file_count="multiple", file_types=list(FILE_TYPES), elem_id="byline-upload")
                with gr.Column():
                    add = gr.Button("Add to index", variant="primary", elem_id="byline-add")
                    status = gr.Markdown(elem_id="byline-status", min_height=48)
                    awaited = gr.State("")  # the feed or sitemap whose reading the status line follows
            with gr.Row():
                url = gr.Textbox(label="Add from URL", placeholder="https://… an article page, an RSS/Atom feed or a sitemap", scale=4, elem_id="byline-url")
                fetch = gr.Button("Add from URL", scale=1, elem_id="byline-add-url")
            with gr.Accordion("Feeds and sitemaps", open=True):
                # Cells are plain text: a feed's URL or error is never markup.
                feeds = gr.Dataframe(
                    headers=SOURCE_COLUMNS,
                    datatype="str",
                    interactive=False,
                    wrap=True,
                    column_widths=["30%", "9%", "10%", "9%", "20%", "22%"],
                    elem_id="byline-feeds",
                )
                with gr.Row():
                    feed = gr.Dropdown(label="Feed or sitemap", allow_custom_value=True, scale=3, elem_id="byline-feed-url")
                    prune = gr.Checkbox(label="also delete its articles", elem_id="byline-feed-prune")
                    refresh = gr.Button("Refresh", elem_id="byline-feeds-refresh")
                    sync = gr.Button("Sync now", elem_id="byline-sync")
                    unregister = gr.Button("Remove source", variant="stop", elem_id="byline-remove-feed")
                feed_status = gr.Markdown(elem_id="byline-feed-status")
                poll = gr.Timer(SYNC_POLL, active=False)
            with gr.Row(equal_height=True):
                search = gr.Textbox(
                    label="Search articles",
                    placeholder="words of a title, a source or a doc_id",
                    scale=4,
                    elem_id="byline-article-search",
                )
                find = gr.Button("Search", scale=1, elem_id="byline-article-find")
            with gr.Row(equal_height=True):
                previous = gr.Button("← Previous", size="sm", interactive=False, scale=0, elem_id="byline-articles-previous")
                listing = gr.Markdown(elem_id="byline-listing")
                following = gr.Button("Next →", size="sm", interactive=False, scale=0, elem_id="byline-articles-next")
            view_state = gr.State(ArticleView())
            table = gr.Dataframe(
                headers=ARTICLE_COLUMNS,
                datatype="str",
                interactive=False,
                wrap=True,
                column_widths=["22%", "44%", "12%", "16%", "6%"],
                elem_id="byline-articles",
            )
            with gr.Row():
                chosen = gr.Dropdown(label="Article", allow_custom_value=True, elem_id="byline-article-id")
                view = gr.Button("Show", elem_id="byline-show")
                remove = gr.Button("Delete", variant="stop", elem_id="byline-delete")
            with gr.Row():
                withdraw_reason = gr.Textbox(
                    label="Reason for withdrawing", placeholder="e.g. legal: retracted after a complaint", scale=4, elem_id="byline-withdraw-reason"
                )
                withdraw = gr.Button("Withdraw", variant="stop", scale=1, elem_id="byline-withdraw")
            with gr.Accordion("Withdrawn articles (never added again)", open=False):
                withdrawn = gr.Dataframe(headers=WITHDRAWN_COLUMNS, datatype="str", interactive=False, wrap=True, elem_id="byline-withdrawn")
            article_text = gr.Textbox(label="Article text", lines=14, interactive=False, elem_id="byline-article-text")

        inputs = [question, chatbot, turns, shown, source, date_from, date_to]
        # Every way of asking shares one queue answering `chat_concurrency` questions at once.
        asking = {"concurrency_limit": settings.chat_concurrency, "concurrency_id": "chat", "api_visibility": "private"}
        question.submit(respond, inputs, [question, chatbot, turns, shown], **asking)
        send.click(respond, inputs, [question, chatbot, turns, shown], **asking)
        chatbot.example_select(example_text, None, question, api_visibility="private").then(respond, inputs, [question, chatbot, turns, shown], **asking)
        copy_answer.click(None, js=copy_js("byline-copy-answer", whole=False))
        copy_all.click(None, js=copy_js("byline-copy-all", whole=True))
        clear.click(lambda: ([], [], {}), None, [chatbot, turns, shown], api_visibility="private")
        chatbot.like(rate, shown, None, api_visibility="private")
        listed = [table, listing, chosen, source, view_state, previous, following]
        add.click(upload, [files, view_state], [status, *listed, awaited], api_visibility="private", show_progress_on=status).then(
            lambda: None, None, files, api_visibility="private"
        )
        fed = [feeds, feed, poll]
        for trigger in (fetch.click, url.submit):
            trigger(add_url, [url, view_state], [status, *listed, *fed, awaited], api_visibility="private")
        for trigger in (search.submit, find.click):
            trigger(find_articles, search, listed, api_visibility="private", show_progress_on=table)
        previous.click(page_articles(-1), view_state, listed, api_visibility="private", show_progress_on=table)
        following.click(page_articles(1), view_state, listed, api_visibility="private", show_progress_on=table)
        refresh.click(refresh_sources, view_state, [*fed, *listed], api_visibility="private")
        poll.tick(poll_sources, [view_state, awaited], [*fed, *listed, status, awaited], api_visibility="private", show_progress="hidden")
        sync.click(sync_now, view_state, [feed_status, *fed, *listed], api_visibility="private")
        unregister.click(remove_source, [feed, prune, view_state], [feed_status, *fed, *listed], api_visibility="private")
        feeds.select(first_cell, feeds, feed, api_visibility="private")
        table.select(first_cell, table, chosen, api_visibility="private")
        view.click(show_article, chosen, article_text, api_visibility="private")
        remove.click(delete_article, [chosen, view_state], [status, article_text, *listed, awaited], api_visibility="private")
        withdraw.click(
            withdraw_article,
            [chosen, withdraw_reason, view_state],
            [status, article_text, withdraw_reason, *listed, withdrawn, awaited],
            api_visibility="private",
        )
        demo.load(opened, None, [articles_tab, *listed, *fed, withdrawn], api_visibility="private")
        demo.load(welcome, None, chatbot, api_visibility="private")
        # After the Articles tab's: its own load event comes second.
        editors_tab(demo, service, lambda request: request_role(request.headers, settings) == ADMIN, require_admin, not keyed)
        gr.api(ask_api, api_name="ask")
    demo.byline_css = CSS
    return demo
