"""Calling a running Gradio app's events as its page does (tests/test_access.py, tests/test_feeds.py)."""

import json
import uuid

import httpx


def gradio_events(url: str, headers: dict) -> dict[str, tuple[int, int | None]]:
    """Each Gradio event's (fn_index, trigger id), by its trigger's elem_id, or its event ('load',
    'tick') or api name: the first event of a trigger."""
    config = httpx.get(f"{url}/config", headers=headers).json()
    elem_ids = {c["id"]: c.get("props", {}).get("elem_id") for c in config["components"]}
    fns: dict[str, tuple[int, int | None]] = {}
    for n, dep in enumerate(config["dependencies"]):
        for target, event in dep["targets"] or [(None, dep["api_name"])]:
            fns.setdefault(elem_ids.get(target) or event, (n, target))
    return fns


def gradio_call(url: str, headers: dict, fn: tuple[int, int | None], data: list, session: str = "", told: list | None = None) -> dict:
    """A Gradio event as its page sends it: join the queue, then read the session's events until it
    completes (a generator's last output). `session`: the page's (its gr.State values), a new one by
    default; `told` collects the progress messages ("progress_data") sent on the way."""
    session = session or uuid.uuid4().hex[:12]
    body = {"data": data, "fn_index": fn[0], "trigger_id": fn[1], "session_hash": session, "event_data": None}
    joined = httpx.post(f"{url}/gradio_api/queue/join", json=body, headers=headers)
    if joined.status_code != 200:
        return {"status": joined.status_code, **joined.json()}
    with httpx.stream("GET", f"{url}/gradio_api/queue/data", params={"session_hash": session}, headers=headers, timeout=60) as events:
        for line in events.iter_lines():
            message = json.loads(line[5:]) if line.startswith("data:") else {}
            if message.get("msg") == "progress" and told is not None:
                told.append(message.get("progress_data"))
            if message.get("msg") == "process_completed":
                return {"status": 200, **message}
    raise AssertionError("the Gradio event never completed")
