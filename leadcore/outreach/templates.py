"""Email templates: merge fields from the lead and the sender, rendered by Jinja2's sandboxed environment.

A template may only name the merge fields below, apply a short list of text filters and use ``if``/``for``; it
cannot call anything or reach an attribute that starts with ``_``. Such a template is refused when saved, with the
reason, so rendering never meets it; the sandbox is the second wall should one get through.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from jinja2 import TemplateSyntaxError, Undefined, nodes
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from leadcore.accounts.actors import Actor, ensure_manager, ensure_visible
from leadcore.db.engine import UnitOfWork
from leadcore.db.models import EmailTemplate, Lead
from leadcore.errors import InvalidInput, NotFound
from leadcore.inputs import has_nul

# Merge fields a template may use, and the lead column each reads (first/last name are split from lead_name).
LEAD_FIELDS = {
    "first_name": None, "last_name": None, "lead_name": "lead_name", "email": "email", "company": "company",
    "job_title": "job_title", "location": "location", "industry": "industry", "website": "website",
    "search_query": "search_query",
}
SENDER_FIELDS = ("name", "email")
ALLOWED_FILTERS = frozenset({"default", "d", "upper", "lower", "title", "capitalize", "trim", "truncate",
                             "replace", "first", "last", "length", "join", "e", "escape", "wordcount"})
NAME_MAX, SUBJECT_MAX, BODY_MAX = 200, 500, 20_000


@dataclass(frozen=True)
class TemplateView:
    id: int
    name: str
    subject: str
    body: str
    updated_at: datetime | None


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    missing_fields: list[str]


class _MergeSandbox(SandboxedEnvironment):
    """Jinja2's sandbox, narrowed to merge fields: no attribute of any object is reachable (``sender.name`` reads
    the sender mapping's key), and whatever is not plain text or a number prints as nothing."""

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        return False

    def is_safe_callable(self, obj: Any) -> bool:
        return False


def _plain(value: Any) -> Any:
    return value if value is None or isinstance(value, str | int | float | Undefined) else ""


# The plain part and subject: nothing escaped. The HTML part: every merged value escaped.
_TEXT_ENV = _MergeSandbox(autoescape=False, keep_trailing_newline=True, finalize=_plain)
_HTML_ENV = _MergeSandbox(autoescape=True, keep_trailing_newline=True, finalize=_plain)


def _check_source(source: str, field: str) -> nodes.Template:
    """Parse ``source`` and refuse anything beyond merge fields, allowed filters and if/for."""
    try:
        tree = _TEXT_ENV.parse(source)
    except TemplateSyntaxError as e:
        raise InvalidInput(f"The {field} is not a valid template (line {e.lineno}: {e.message})", field=field) from None
    loop_names = {n.name for f in tree.find_all(nodes.For) for n in f.target.find_all(nodes.Name)}
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        attr = node.attr if isinstance(node, nodes.Getattr) else getattr(getattr(node, "arg", None), "value", None)
        if not isinstance(attr, str) or attr.startswith("_"):
            raise InvalidInput(f"The {field} reaches into '{attr}', which a template may not use; "
                               "use merge fields such as {{ company }} or {{ sender.name }}", field=field)
        target = getattr(node, "node", None)
        if not (isinstance(target, nodes.Name) and target.name == "sender"):
            raise InvalidInput(f"The {field} uses '.{attr}' on a merge field; merge fields are plain text "
                               "(use a filter such as {{ company | upper }})", field=field)
        if attr not in SENDER_FIELDS:
            raise InvalidInput(f"The {field} uses sender.{attr}; the sender has only "
                               f"{', '.join('sender.' + f for f in SENDER_FIELDS)}", field=field)
    for bad in (nodes.Call, nodes.Macro, nodes.CallBlock, nodes.Import, nodes.FromImport, nodes.Include,
                nodes.Extends, nodes.Block, nodes.Assign, nodes.AssignBlock, nodes.With):
        found = next(tree.find_all(bad), None)
        if found is not None:
            raise InvalidInput(f"The {field} {_what(bad)}; a template may only use merge fields, filters and if/for",
                               field=field)
    for f in tree.find_all(nodes.Filter):
        if f.name not in ALLOWED_FILTERS:
            raise InvalidInput(f"The {field} uses the filter '{f.name}', which is not allowed "
                               f"(allowed: {', '.join(sorted(ALLOWED_FILTERS))})", field=field)
    for n in tree.find_all(nodes.Name):
        if n.ctx == "load" and n.name not in LEAD_FIELDS and n.name != "sender" and n.name not in loop_names:
            raise InvalidInput(f"The {field} uses '{n.name}', which is not a merge field "
                               f"(available: {', '.join(sorted(LEAD_FIELDS))}, sender.name, sender.email)",
                               field=field)
    return tree


def _what(kind: type) -> str:
    return "calls a function" if kind is nodes.Call else f"uses '{kind.__name__.lower()}'"


def validate_template(name: str, subject: str, body: str) -> tuple[str, str, str]:
    """The cleaned (name, subject, body), or InvalidInput saying what is wrong."""
    name, subject, body = (name or "").strip(), (subject or "").strip(), (body or "").replace("\r\n", "\n")
    if not name or len(name) > NAME_MAX:
        raise InvalidInput(f"A template needs a name of 1–{NAME_MAX} characters", field="name")
    if not subject or len(subject) > SUBJECT_MAX or "\n" in subject:
        raise InvalidInput(f"A template needs a one-line subject of 1–{SUBJECT_MAX} characters", field="subject")
    if not body.strip() or len(body) > BODY_MAX:
        raise InvalidInput(f"A template needs a body of 1–{BODY_MAX:,} characters", field="body")
    for text, field in ((name, "name"), (subject, "subject"), (body, "body")):
        if has_nul(text):
            raise InvalidInput(f"The {field} contains a NUL character", field=field)
    _check_source(subject, "subject")
    _check_source(body, "body")
    # The sandbox is the second wall: a trial render with every field filled must succeed.
    try:
        render(subject, body, _SAMPLE_FIELDS, {"name": "Sam Sender", "email": "sam@example.com"})
    except (SecurityError, UndefinedError, TypeError, ValueError) as e:
        raise InvalidInput(f"The template cannot be rendered: {e}", field="body") from None
    return name, subject, body


_SAMPLE_FIELDS = {k: f"sample {k}" for k in LEAD_FIELDS}


def lead_fields(lead: Lead) -> dict[str, str]:
    """The merge fields of a lead; empty values are left out, so ``default(...)`` applies to them."""
    values: dict[str, str] = {}
    for key, column in LEAD_FIELDS.items():
        if column:
            value = (getattr(lead, column) or "").strip()
            if value:
                values[key] = value
    parts = (lead.lead_name or "").split() if lead.type == "INDIVIDUAL" else []
    if parts:
        values["first_name"] = parts[0]
        if len(parts) > 1:
            values["last_name"] = parts[-1]
    return values


def render(subject: str, body: str, fields: dict[str, str], sender: dict[str, str]) -> Rendered:
    """Subject and both parts with ``fields`` merged; ``missing_fields`` are merge fields used but empty."""
    context: dict[str, Any] = {**fields, "sender": sender}
    used = _used_fields(subject) | _used_fields(body)
    missing = sorted(f for f in used if f in LEAD_FIELDS and not fields.get(f))
    subject_out = " ".join(_TEXT_ENV.from_string(subject).render(context).split())
    text = _TEXT_ENV.from_string(body).render(context)
    html_body = _HTML_ENV.from_string(body).render(context)
    return Rendered(subject=subject_out, text=text, html=_paragraphs(html_body), missing_fields=missing)


def _used_fields(source: str) -> set[str]:
    return {n.name for n in _TEXT_ENV.parse(source).find_all(nodes.Name)}


def _paragraphs(escaped: str) -> str:
    """Plain text (already escaped) as HTML: blank lines separate paragraphs, single newlines break lines."""
    blocks = [b.strip("\n") for b in escaped.replace("\r\n", "\n").split("\n\n") if b.strip()]
    return "".join(f"<p>{b.replace(chr(10), '<br>')}</p>" for b in blocks)


# -- storage ---------------------------------------------------------------------------------------------------------

def _view(t: EmailTemplate) -> TemplateView:
    return TemplateView(id=t.id, name=t.name, subject=t.subject, body=t.body, updated_at=t.updated_at)


def list_templates(uow: UnitOfWork, actor: Actor) -> list[TemplateView]:
    """The team's templates by name (everyone may use them)."""
    with uow:
        rows = uow.session.scalars(
            select(EmailTemplate).where(EmailTemplate.team_id == actor.team_id).order_by(EmailTemplate.name)
        ).all()
        return [_view(t) for t in rows]


def load_template(uow_session: Any, actor: Actor, template_id: int) -> EmailTemplate:
    t = uow_session.get(EmailTemplate, template_id)
    if t is None:
        raise NotFound(f"Template {template_id} was not found")
    ensure_visible(actor, t.team_id, "Template", template_id)
    return t


def get_template(uow: UnitOfWork, actor: Actor, template_id: int) -> TemplateView:
    with uow:
        return _view(load_template(uow.session, actor, template_id))


def save_template(
    uow: UnitOfWork, actor: Actor, *, name: str, subject: str, body: str, template_id: int | None = None
) -> TemplateView:
    """Create (no ``template_id``) or change a template; managers only; unsafe or broken templates are refused."""
    ensure_manager(actor, "create or change email templates")
    name, subject, body = validate_template(name, subject, body)
    with uow:
        uow.writing()
        s = uow.session
        if template_id is None:
            t = EmailTemplate(team_id=actor.team_id, name=name, subject=subject, body=body, created_by=actor.user_id)
            s.add(t)
        else:
            t = load_template(s, actor, template_id)
            t.name, t.subject, t.body = name, subject, body
            t.updated_at = datetime.now(UTC)
        try:
            s.flush()
        except IntegrityError:
            raise InvalidInput(f"Your team already has a template named '{name}'", field="name") from None
        out = _view(t)
        uow.commit()
    return out


def delete_template(uow: UnitOfWork, actor: Actor, template_id: int) -> None:
    """Remove a template; messages sent with it keep their text and the template's name."""
    ensure_manager(actor, "delete email templates")
    with uow:
        uow.writing()
        uow.session.delete(load_template(uow.session, actor, template_id))
        uow.commit()
