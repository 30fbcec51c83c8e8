"""The API keeps its published contract: Schemathesis generates requests from /api/openapi.json
(valid ones, invalid ones, other methods, missing and wrong keys, workflows across operations) and
checks every response against the schema with all its checks: no server error, every status
declared, bodies, headers and content types as declared, valid requests accepted and invalid ones
refused, 405 for a method a path does not take, the key enforced wherever the schema asks for one.
Against a real server on 127.0.0.1 over a small real store, once with keys and once open, run as
`st run` is (Schemathesis's pytest plugin does not work with pytest 9). Deterministic generation
(Hypothesis derandomized: the same requests on every run) and few examples per operation keep it
short."""

import json
import os
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import SEED_DOC, SEEDS
from tests.fixtures_server import serve_in_thread

# Real browsers, many processes or servers: `make test-slow` (CI runs it).
pytestmark = pytest.mark.slow

ADMIN_KEY = "contract-admin-key"
READER_KEY = "contract-reader-key"
OPERATIONS = 16  # every operation in the schema: healthz, ask (2), search, articles (4), withdraw, withdrawn, sources (4), feedback, report
# Whether a URL can be read, or whether an uploaded file is one Byline reads, is more than the
# schema can say: a well-formed request for one that is not gets the declared 422.
ACCEPTED = '["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]'
CONFIG = f"""
[[operations]]
include-path = "/api/sources"
include-method = "POST"
checks.positive_data_acceptance.expected-statuses = {ACCEPTED}

[[operations]]
include-path = "/api/articles"
include-method = "POST"
checks.positive_data_acceptance.expected-statuses = {ACCEPTED}
"""


def running_server(tmp_path_factory, **settings: str) -> Iterator[str]:
    from rag.service import Byline
    from rag.settings import Settings
    from ui.server import create_app

    with Byline(Settings(store=tmp_path_factory.mktemp("contract-store"), **settings)) as service:
        assert service.ingest([SEEDS]).added == 1
        yield from serve_in_thread(create_app(service))


@pytest.fixture(scope="module")
def keyed_server(tmp_path_factory) -> Iterator[str]:
    # Schemathesis sends a few dozen requests with no key or a wrong one, near the 30 a minute one
    # address may fail (BYLINE_RATE_LIMIT_PER_ADDRESS): past it, the rest would be 429s testing nothing.
    yield from running_server(tmp_path_factory, api_keys=ADMIN_KEY, reader_keys=READER_KEY, rate_limit_per_address="0")


@pytest.fixture(scope="module")
def open_server(tmp_path_factory) -> Iterator[str]:
    yield from running_server(tmp_path_factory)


def schemathesis_run(url: str, tmp_path, *options: str) -> dict:
    """`st run` against `url` with every check; fails the test on any failure or error."""
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG, encoding="utf-8")
    report = tmp_path / "report.json"
    command = [
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "--no-color",
        "run", f"{url}/api/openapi.json", "--checks", "all", "--generation-deterministic",
        "--max-examples", "6", "--workers", "1", "--request-timeout", "20",
        "--report", "json", "--report-json-path", str(report), *options,
    ]  # fmt: skip
    env = {**os.environ, "SCHEMATHESIS_TELEMETRY": "false"}
    run = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=tmp_path, env=env)
    assert run.returncode == 0, run.stdout[-12000:] + run.stderr[-3000:]
    result = json.loads(report.read_text(encoding="utf-8"))
    assert result["operations"] | {"skip_reasons": []} == {
        "total": OPERATIONS, "selected": OPERATIONS, "tested": OPERATIONS, "errored": 0, "skipped": 0, "skip_reasons": []
    }, result["operations"]  # fmt: skip
    assert result["complete"] and result["test_cases"]["generated"] > 300, result["test_cases"]
    assert not result["warnings"]["rate_limited"], result["warnings"]
    return result


def test_keyed_server_keeps_its_contract(keyed_server, tmp_path):
    schemathesis_run(keyed_server, tmp_path, "--header", f"Authorization: Bearer {ADMIN_KEY}")


def test_open_server_keeps_its_contract(open_server, tmp_path):
    schemathesis_run(open_server, tmp_path)


def test_schema_names_keys_only_when_set_and_other_methods_are_405(keyed_server, open_server):
    keyed, open_ = (httpx.get(f"{url}/api/openapi.json").json() for url in (keyed_server, open_server))
    assert keyed["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert keyed["paths"]["/api/ask"]["post"]["security"] == [{"HTTPBearer": []}]
    assert "securitySchemes" not in open_["components"] and "security" not in open_["paths"]["/api/ask"]["post"]
    assert "401" in keyed["paths"]["/api/search"]["get"]["responses"]
    assert "401" not in open_["paths"]["/api/search"]["get"]["responses"]
    # One error body for every refusal; a 422 is either a message or FastAPI's list of fields.
    error = {"$ref": "#/components/schemas/ErrorDetail"}
    for status in ("400", "404", "413", "422", "429"):
        assert keyed["paths"]["/api/articles/{doc_id}"]["get"]["responses"][status]["content"]["application/json"]["schema"] == error
    for method, path, allow in [("TRACE", "/api/ask", "POST"), ("PUT", "/healthz", "GET"), ("OPTIONS", "/api/sources/sync", "POST")]:
        response = httpx.request(method, f"{open_server}{path}")
        assert (response.status_code, response.headers["allow"]) == (405, allow), (method, path)
        assert response.json() == {"detail": "Method Not Allowed"}
    assert httpx.request("TRACE", f"{open_server}/api/articles/{SEED_DOC}").headers["allow"] == "DELETE, GET"
    assert httpx.request("TRACE", f"{keyed_server}/api/ask").status_code == 401  # the key is checked first
