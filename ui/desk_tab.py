"""The Gradio app's Editors tab (admin keys only): the report of rag/report.py for a span of days,
questions per day as a plot, and its CSV from `GET /api/report?format=csv`."""

from html import escape
from urllib.parse import urlencode

import gradio as gr
import pandas as pd

from rag.desk import desk_for
from rag.report import Report, build_report
from rag.service import Byline
from ui.render import counted

OUTCOME_COLOURS = {"answered": "#1f4e79", "refused": "#e0a800"}


def report_views(report: Report) -> tuple:
    """The tab's outputs: the summary, the plot's data and the four tables."""
    summary = (
        f"**{counted(report.questions, 'question')}** logged, {report.refused} refused;"
        f" readers marked {report.helpful} answers helpful and {report.not_helpful} not helpful."
    )
    if not report.questions:
        summary += " (Questions are logged only while BYLINE_LOG_QUESTIONS is set.)"
    per_day = pd.DataFrame(
        [(d.day, outcome, count) for d in report.per_day for outcome, count in (("answered", d.answered), ("refused", d.refused))],
        columns=["day", "outcome", "questions"],
    )
    return (
        summary,
        per_day,
        [[a.question, a.count, a.refused] for a in report.most_asked],
        [[t.topic, t.count, " / ".join(t.questions)] for t in report.refusal_topics],
        [[m.at, m.question, m.reason, m.answer, " ".join(m.citations)] for m in report.marked_not_helpful],
        [[m.at, m.question, " | ".join(m.unsupported), m.answer] for m in report.unsupported_claims],
    )


def csv_link(date_from: str, date_to: str) -> str:
    query = urlencode({"format": "csv", **{k: v.strip() for k, v in (("date_from", date_from), ("date_to", date_to)) if v and v.strip()}})
    return f'<a id="byline-report-csv" href="/api/report?{escape(query)}" download="byline-report.csv">Download as CSV</a>'


def editors_tab(demo: gr.Blocks, service: Byline, is_admin, require_admin, visible: bool) -> None:
    """The tab, shown on page load to admins only (`is_admin(request)`); every call checks `require_admin`."""
    with gr.Tab("Editors", visible=visible) as tab:
        with gr.Row():
            date_from = gr.Textbox(label="From date", placeholder="YYYY-MM-DD", elem_id="byline-report-from")
            date_to = gr.Textbox(label="To date", placeholder="YYYY-MM-DD", elem_id="byline-report-to")
            show = gr.Button("Show", variant="primary", elem_id="byline-report-show")
        summary = gr.Markdown(elem_id="byline-report-summary")
        download = gr.HTML(csv_link("", ""))
        plot = gr.BarPlot(
            x="day",
            y="questions",
            color="outcome",
            color_map=OUTCOME_COLOURS,
            title="Questions per day",
            height=260,
            elem_id="byline-report-plot",
        )
        tables = [
            gr.Dataframe(headers=headers, datatype="str", interactive=False, wrap=True, label=label, column_widths=widths, elem_id=elem_id)
            for label, headers, widths, elem_id in (
                ("Most asked", ["question", "asked", "refused"], ["76%", "12%", "12%"], "byline-report-asked"),
                ("Not answered, by topic", ["topic", "questions", "some of them"], ["20%", "12%", "68%"], "byline-report-topics"),
                (
                    "Marked not helpful",
                    ["when (UTC)", "question", "reason", "answer", "cited"],
                    ["14%", "20%", "18%", "36%", "12%"],
                    "byline-report-unhelpful",
                ),
                (
                    "Answers with unsupported claims",
                    ["when (UTC)", "question", "unsupported claims", "answer"],
                    ["14%", "22%", "28%", "36%"],
                    "byline-report-unsupported",
                ),
            )
        ]
    outputs = [summary, plot, *tables, download]

    def shown(date_from: str, date_to: str, request: gr.Request):
        require_admin(request)
        try:
            report = build_report(desk_for(service).log, (date_from or "").strip() or None, (date_to or "").strip() or None)
        except ValueError as error:
            raise gr.Error(str(error)) from None
        return (*report_views(report), csv_link(date_from, date_to))

    def opened(request: gr.Request):
        if not is_admin(request):
            return (gr.update(visible=False), *(gr.skip(),) * len(outputs))
        return (gr.update(visible=True), *shown("", "", request))

    for trigger in (show.click, date_from.submit, date_to.submit, tab.select):
        trigger(shown, [date_from, date_to], outputs, api_visibility="private")
    demo.load(opened, None, [tab, *outputs], api_visibility="private")
