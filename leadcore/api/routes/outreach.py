"""/api/email-templates and sending email: one lead (/api/leads/{id}/email) or many (/api/email/bulk)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from pydantic import ConfigDict, Field, StringConstraints

from leadcore.api.auth import ActorDep, DbDep
from leadcore.api.docs import errors_doc
from leadcore.api.errors import ApiError
from leadcore.api.filters import filters_from_body
from leadcore.api.schemas import INT32_MAX, Id, InModel, LeadFilterBody, OutModel, Text
from leadcore.config import settings
from leadcore.leads.edits import get_lead
from leadcore.outreach import outbox, sending, templates
from leadcore.outreach.mailer import SmtpConfig, SmtpMailer, mailto_link

router = APIRouter(tags=["email"])
TemplateId = Annotated[int, Path(alias="id", ge=1, le=INT32_MAX, description="The template's id.")]
LeadId = Annotated[int, Path(alias="id", ge=1, le=INT32_MAX, description="The lead's id.")]
# Why one lead cannot be emailed, as an HTTP answer.
_SINGLE = {"not_found": (404, "not_found"), "deleted": (404, "not_found"), "do_not_contact": (409, "do_not_contact"),
           "no_email": (422, "invalid_input"), "invalid_email": (422, "invalid_input"),
           "not_yours": (403, "forbidden"), "recently_sent": (409, "recently_sent")}


class TemplateIn(InModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "name": "Intro", "subject": "{{ company }}: a quick question",
        "body": "Hi {{ first_name | default('there') }},\n\n…\n\n{{ sender.name }}"}]})

    name: Annotated[Text, StringConstraints(min_length=1, max_length=templates.NAME_MAX)]
    subject: Annotated[Text, StringConstraints(min_length=1, max_length=templates.SUBJECT_MAX)]
    body: Annotated[Text, StringConstraints(min_length=1, max_length=templates.BODY_MAX)]


class TemplateOut(OutModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"id": 1, "name": "Intro", "subject": "…", "body": "…"}]})

    id: int
    name: str
    subject: str
    body: str


class PreviewIn(InModel):
    lead_id: Id


class PreviewOut(OutModel):
    subject: str
    body: str
    html: str
    missing_fields: list[str] = Field(description="Merge fields the template uses that are empty for this lead.")


class EmailIn(InModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"templateId": 1}]})

    template_id: Id
    confirm_repeat: bool = Field(default=False, description="Send even if this template went to the lead recently.")


class EmailOut(OutModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"status": "sent", "messageId": "<lead42.m7@acme.com>", "response": "250 Ok"}]})

    status: str = Field(description="sent, failed, or queued (held by the rate limit or your daily cap).")
    message_id: str | None = None
    response: str | None = Field(default=None, description="The SMTP server's answer, or what went wrong.")


class BulkEmailIn(InModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"templateId": 1, "ids": [1, 2, 3]}, {"templateId": 1, "filter": {"status": ["NEW"]}, "preview": True}]})

    template_id: Id
    ids: Annotated[list[Id], Field(max_length=outbox.MAX_BULK)] | None = None
    filter: LeadFilterBody | None = None
    confirm_repeat: bool = False
    preview: bool = Field(default=False, description="Only say who would get it and who would be skipped.")


class SkippedOut(OutModel):
    id: int
    reason: str


class BulkEmailOut(OutModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"summary": "send to 2, 1 skipped: 1 do-not-contact", "sent": 2, "failed": 0, "queued": 0,
         "skipped": [{"id": 3, "reason": "do_not_contact"}]}]})

    summary: str
    sent: int
    failed: int
    queued: int = Field(description="Still in the outbox (rate limit or daily cap); they go on the next drain.")
    skipped: list[SkippedOut]
    error: str | None = None


def _view(t: templates.TemplateView) -> dict[str, Any]:
    return {"id": t.id, "name": t.name, "subject": t.subject, "body": t.body}


def smtp_config(request: Request) -> SmtpConfig | None:
    """The SMTP server: the app's own (tests set ``app.state.smtp_config``) or the settings'."""
    return getattr(request.app.state, "smtp_config", None) or SmtpConfig.from_settings(settings())


def _drain(request: Request, db: DbDep, outbox_ids: list[int]) -> sending.DrainResult:
    config = smtp_config(request)
    assert config is not None
    s = settings()
    return sending.send_pending(db.uow(), lambda: SmtpMailer(config), per_minute=s.mail_per_minute,
                                daily_cap=s.mail_daily_cap, outbox_ids=outbox_ids)


@router.get("/api/email-templates", response_model=list[TemplateOut], summary="List email templates",
            responses=errors_doc())
def list_templates(actor: ActorDep, db: DbDep) -> list[dict[str, Any]]:
    """The team's templates by name."""
    return [_view(t) for t in templates.list_templates(db.uow(), actor)]


@router.post("/api/email-templates", response_model=TemplateOut, status_code=201, summary="Create an email template",
             responses=errors_doc(403, 413, 422))
def create_template(body: TemplateIn, actor: ActorDep, db: DbDep) -> dict[str, Any]:
    """Managers only. A template that reaches beyond merge fields and filters is refused (422) with the reason."""
    return _view(templates.save_template(db.uow(), actor, name=body.name, subject=body.subject, body=body.body))


@router.put("/api/email-templates/{id}", response_model=TemplateOut, summary="Change an email template",
            responses=errors_doc(403, 404, 413, 422))
def update_template(template_id: TemplateId, body: TemplateIn, actor: ActorDep, db: DbDep) -> dict[str, Any]:
    """Managers only; the same checks as creating one."""
    return _view(templates.save_template(db.uow(), actor, name=body.name, subject=body.subject, body=body.body,
                                         template_id=template_id))


@router.delete("/api/email-templates/{id}", status_code=204, summary="Delete an email template",
               responses=errors_doc(403, 404, 422))
def delete_template(template_id: TemplateId, actor: ActorDep, db: DbDep) -> Response:
    """Managers only. Emails already sent keep their text and the template's name."""
    templates.delete_template(db.uow(), actor, template_id)
    return Response(status_code=204)


@router.post("/api/email-templates/{id}/preview", response_model=PreviewOut, summary="Preview a template for a lead",
             responses=errors_doc(404, 413, 422))
def preview(template_id: TemplateId, body: PreviewIn, actor: ActorDep, db: DbDep) -> dict[str, Any]:
    """The subject and body as this lead would get them, and the merge fields that would be empty."""
    r = outbox.preview_lead(db.uow(), actor, template_id, body.lead_id)
    return {"subject": r.subject, "body": r.text, "html": r.html, "missing_fields": r.missing_fields}


@router.post("/api/leads/{id}/email", response_model=EmailOut, summary="Email one lead",
             responses=errors_doc(403, 404, 409, 413, 422))
def email_lead(request: Request, lead_id: LeadId, body: EmailIn, actor: ActorDep, db: DbDep) -> dict[str, Any]:
    """Render the template for the lead and send it now (within the rate limit and your daily cap).

    409 ``do_not_contact`` for an opted-out lead, 409 ``recently_sent`` when this template went to the lead
    recently (send ``confirmRepeat``), 422 without a valid email, 503 ``smtp_not_configured`` (with a ``mailto``
    link) when no SMTP server is set up. A server that is down or refuses the message answers 200 with
    ``status: failed`` and its reason: the attempt is on the lead's timeline."""
    if smtp_config(request) is None:
        _refuse(outbox.preview_send(db.uow(), actor, body.template_id, ids=[lead_id],
                                    confirm_repeat=body.confirm_repeat))
        r = outbox.preview_lead(db.uow(), actor, body.template_id, lead_id)
        raise ApiError(503, "smtp_not_configured", "No SMTP server is configured (LEADCORE_SMTP_HOST); open the "
                       "mailto link in a mail client instead", extra={"mailto": mailto_link(
                           _lead_email(db, actor, lead_id), r.subject, r.text)})
    plan = outbox.queue_send(db.uow(), actor, body.template_id, ids=[lead_id], confirm_repeat=body.confirm_repeat)
    _refuse(plan)
    result = _drain(request, db, plan.outbox_ids)
    [row] = outbox.recent_messages(db.uow(), actor, lead_id=lead_id, limit=1)
    return {"status": row.status if row.status != "sending" else "queued", "message_id": row.message_id,
            "response": row.smtp_response or result.error or ("held: rate limit or daily cap" if result.deferred
                                                               or result.capped else None)}


def _refuse(plan: outbox.SendPlan) -> None:
    if plan.skipped:
        lead_id, reason = plan.skipped[0]
        status, code = _SINGLE[reason]
        message = f"Lead {lead_id} cannot be emailed: {outbox.REASONS[reason]}"
        if reason == "recently_sent":
            message += " (send confirmRepeat to send it again)"
        raise ApiError(status, code, message, field="email" if code == "invalid_input" else None)


def _lead_email(db: DbDep, actor: ActorDep, lead_id: int) -> str:
    return str(get_lead(db.uow(), actor, lead_id).get("email") or "")


@router.post("/api/email/bulk", response_model=BulkEmailOut, summary="Email many leads",
             responses=errors_doc(404, 413, 422))
def bulk_email(request: Request, body: BulkEmailIn, actor: ActorDep, db: DbDep) -> dict[str, Any]:
    """Send the template to the leads in ``ids`` or matching ``filter``; leads that may not get it are skipped with
    the reason (``do_not_contact``, ``no_email``, ``invalid_email``, ``not_yours``, ``recently_sent``, ``not_found``,
    ``deleted``). ``preview`` only says what would happen. Messages over the rate limit or your daily cap stay
    queued (``queued``) and go with the next drain (``python -m leadcore send-pending``)."""
    if (body.ids is None) == (body.filter is None):
        raise ApiError(422, "invalid_input", "Send either 'ids' or 'filter' (exactly one)", field="ids")
    filters = filters_from_body(body.filter) if body.filter is not None else None
    ids = list(body.ids) if body.ids is not None else None
    if body.preview or smtp_config(request) is None:
        plan = outbox.preview_send(db.uow(), actor, body.template_id, ids=ids, filters=filters,
                                   confirm_repeat=body.confirm_repeat)
        if not body.preview:
            raise ApiError(503, "smtp_not_configured", "No SMTP server is configured (LEADCORE_SMTP_HOST); "
                           f"nothing was sent ({plan.summary()})")
        return _bulk_out(plan, sending.DrainResult(), queued=0)
    plan = outbox.queue_send(db.uow(), actor, body.template_id, ids=ids, filters=filters,
                             confirm_repeat=body.confirm_repeat)
    result = _drain(request, db, plan.outbox_ids)
    return _bulk_out(plan, result, queued=len(plan.outbox_ids) - result.sent - result.failed)


def _bulk_out(plan: outbox.SendPlan, result: sending.DrainResult, *, queued: int) -> dict[str, Any]:
    return {"summary": plan.summary(), "sent": result.sent, "failed": result.failed, "queued": queued,
            "skipped": [{"id": i, "reason": r} for i, r in plan.skipped], "error": result.error}
