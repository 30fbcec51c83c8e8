"""The faces of Byline: CLI, Gradio chat, REST API and the embeddable widget."""

from index import offline as _offline  # noqa: F401
