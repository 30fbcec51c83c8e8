"""The Gradio chat: answers with [n] markers, cited sentences shown in their passage."""

from html import escape

import gradio as gr

from rag.context import citation_context
from rag.models import AskResult, Turn
from rag.service import Byline
from ui.render import citations_panel

CSS = """
.byline-citation { border-left: 3px solid #e0a800; padding: 4px 10px; margin-bottom: 12px; }
.byline-citation mark { background: #fff3bf; color: inherit; padding: 0 2px; }
.byline-doc { color: #777; }
"""


def _history(messages: list[dict]) -> list[Turn]:
    turns = []
    for message in messages or []:
        content = message.get("content")
        if isinstance(content, list):
            content = " ".join(part.get("text", "") for part in content if isinstance(part, dict))
        turns.append(Turn(role=message.get("role", "user"), content=str(content or "")))
    return turns


def build_app(service: Byline) -> gr.Blocks:
    def contexts(result: AskResult):
        return [c for c in (citation_context(service.store.docs, cit) for cit in result.citations) if c]

    def respond(question: str, messages: list[dict]):
        question = (question or "").strip()
        if not question:
            yield "", messages, gr.skip()
            return
        messages = list(messages or []) + [{"role": "user", "content": escape(question)}]
        history = _history(messages[:-1])
        messages.append({"role": "assistant", "content": ""})
        try:
            for item in service.ask_stream(question, history):
                if isinstance(item, AskResult):
                    messages[-1]["content"] = escape(item.answer)
                    yield "", messages, citations_panel(contexts(item))
                else:
                    messages[-1]["content"] += escape(item)
                    yield "", messages, gr.skip()
        except Exception as error:  # one bad request must not take the UI down
            messages[-1]["content"] = escape(f"Sorry, that failed: {error}")
            yield "", messages, gr.skip()

    def ask_api(question: str) -> dict:
        return service.ask(question).model_dump()

    with gr.Blocks(title="Byline") as demo:
        gr.Markdown("## Byline — ask the articles\nEvery answer cites the exact sentences it comes from.")
        with gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(label="Conversation", height=520, sanitize_html=True)
                question = gr.Textbox(label="Question", placeholder="Ask about the indexed articles…", elem_id="byline-question")
                with gr.Row():
                    send = gr.Button("Ask", variant="primary", elem_id="byline-ask")
                    clear = gr.Button("New conversation")
            with gr.Column(scale=2):
                gr.Markdown("### Sources")
                sources = gr.HTML(citations_panel([]), elem_id="byline-sources")
        question.submit(respond, [question, chatbot], [question, chatbot, sources], api_visibility="private")
        send.click(respond, [question, chatbot], [question, chatbot, sources], api_visibility="private")
        clear.click(lambda: ([], citations_panel([])), None, [chatbot, sources], api_visibility="private")
        gr.api(ask_api, api_name="ask")
    demo.byline_css = CSS
    return demo
