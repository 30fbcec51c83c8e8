"""The editors' desk over REST: readers' feedback on an answer (`POST /api/feedback`, any key,
rate-limited like questions) and the editors' report (`GET /api/report`, admin keys only;
ui/route_access.py)."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, Field, StrictBool

from rag.desk import desk_for
from rag.history import MAX_QUESTION_CHARS
from rag.report import Report, build_report, report_csv
from ui.access import request_key_name
from ui.dependencies import ServiceDep
from ui.errors import API_ROUTE
from ui.security import bearer

MAX_ANSWER_CHARS = 20_000
MAX_REASON_CHARS = 300
MAX_CITED = 20
MAX_DOC_ID_CHARS = 2000
router = APIRouter(prefix="/api", tags=["desk"], dependencies=[Depends(bearer)], responses=API_ROUTE)


class FeedbackRequest(BaseModel):
    question: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS, description="The question, as asked.")
    answer: str = Field(max_length=MAX_ANSWER_CHARS, description="The answer's text (`answer` of the ask result).")
    citations: list[Annotated[str, Field(max_length=MAX_DOC_ID_CHARS)]] = Field(
        default_factory=list, max_length=MAX_CITED, description="The `doc_id` of each citation of the answer."
    )
    helpful: StrictBool
    reason: str = Field("", max_length=MAX_REASON_CHARS, description="Why, in a few words (optional).")


class FeedbackReceipt(BaseModel):
    stored: bool = True


@router.post("/feedback", response_model=FeedbackReceipt)
def feedback(body: FeedbackRequest, request: Request, service: ServiceDep) -> FeedbackReceipt:
    """A reader's verdict on an answer: helpful or not, and why. Kept for the editors' report (with
    the key's name, never the key or the reader's address) for BYLINE_LOG_RETENTION_DAYS."""
    desk_for(service).feedback(body.question, body.answer, body.citations, body.helpful, body.reason, request_key_name(request.headers))
    return FeedbackReceipt()


@router.get(
    "/report",
    response_model=Report,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "The report; `format=csv`: every question as CSV."}},
)
async def report(
    service: ServiceDep,
    date_from: str | None = Query(None, description="The first day, YYYY-MM-DD.", json_schema_extra={"format": "date"}),
    date_to: str | None = Query(None, description="The last day, YYYY-MM-DD.", json_schema_extra={"format": "date"}),
    format: Literal["json", "csv"] = "json",
):
    """The editors' report: most asked questions, refusals by topic, answers marked not helpful,
    answers with unsupported claims, questions per day. `format=csv`: each question with its
    outcome and feedback, one row each."""
    log = desk_for(service).log
    try:
        if format == "csv":
            text = await run_in_threadpool(report_csv, log, date_from, date_to)
            return Response(text, media_type="text/csv", headers={"Content-Disposition": 'attachment; filename="byline-report.csv"'})
        return await run_in_threadpool(build_report, log, date_from, date_to)
    except ValueError as error:  # a day that is not a date
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from None
