"""Templates: merge fields, defaults, escaping in the HTML part, and probes for Python internals refused at save."""

from __future__ import annotations

import pytest

from leadcore.errors import InvalidInput, PermissionDenied
from leadcore.outreach import templates
from leadcore.outreach.templates import render, validate_template

SENDER = {"name": "Rita Rep", "email": "rita@acme.test"}


@pytest.mark.parametrize("body, fragment", [
    ("{{ ''.__class__.__mro__ }}", "may not use"),
    ("{{ company.__class__ }}", "__class__"),
    ("{{ company['__class__'] }}", "__class__"),
    ("{{ config }}", "'config'"),
    ("{{ self }}", "'self'"),
    ("{{ lipsum() }}", "calls a function"),
    ("{{ company.upper() }}", "on a merge field"),
    ("{{ company.upper }}", "'.upper' on a merge field"),
    ("{{ cycler.__init__.__globals__ }}", "may not use"),
    ("{{ range(10) }}", "calls a function"),
    ("{% set x = 1 %}{{ x }}", "assign"),
    ("{% include 'x' %}", "include"),
    ("{{ company | attr('__class__') }}", "filter 'attr'"),
    ("{{ sender.password }}", "sender.password"),
    ("{{ unknown_field }}", "'unknown_field'"),
    ("{{ company ", "not a valid template"),
])
def test_unsafe_or_broken_templates_are_refused_with_the_reason(body, fragment):
    with pytest.raises(InvalidInput) as e:
        validate_template("Probe", "Hello {{ company }}", body)
    assert fragment in str(e.value)


def test_an_unsafe_subject_is_refused_too():
    with pytest.raises(InvalidInput, match="subject reaches into '__class__'"):
        validate_template("Probe", "{{ ''.__class__ }}", "Hi")


def test_merge_fields_defaults_and_missing_fields():
    fields = {"first_name": "", "company": "Acme & Sons", "lead_name": "x"}
    fields = {k: v for k, v in fields.items() if v}
    r = render("Hello {{ company }}", "Hi {{ first_name | default('there') }},\n{{ job_title }} at {{ company }}.\n"
               "-- {{ sender.name }}", fields, SENDER)
    assert r.subject == "Hello Acme & Sons"
    assert r.text == "Hi there,\n at Acme & Sons.\n-- Rita Rep"
    assert r.missing_fields == ["first_name", "job_title"]


def test_lead_values_are_escaped_in_the_html_part_only():
    r = render("For {{ company }}", "Dear {{ company }}", {"company": "<script>alert(1)</script>"}, SENDER)
    assert r.text == "Dear <script>alert(1)</script>"
    assert r.html == "<p>Dear &lt;script&gt;alert(1)&lt;/script&gt;</p>"
    assert "<script>" not in r.html


def test_rendering_never_exposes_python_objects_even_past_validation():
    # The sandbox is the second wall: an attribute a template somehow reaches renders as nothing, never an object.
    r = render("s", "{{ company.__class__ }}|{{ company.upper }}|{{ sender.items }}|{{ company | length }}|"
               "{{ sender.name }}", {"company": "Acme"}, SENDER)
    assert r.text == "|||4|Rita Rep"


def test_only_managers_save_templates(db, make):
    rep = make.user("rep")
    with pytest.raises(PermissionDenied):
        templates.save_template(db.uow(), rep, name="T", subject="S {{ company }}", body="B")
    manager = make.user("manager")
    t = templates.save_template(db.uow(), manager, name="T", subject="S {{ company }}", body="B")
    assert [x.name for x in templates.list_templates(db.uow(), rep)] == ["T"]
    with pytest.raises(InvalidInput, match="already has a template named 'T'"):
        templates.save_template(db.uow(), manager, name="T", subject="S", body="B")
    changed = templates.save_template(db.uow(), manager, name="T2", subject="S", body="B2", template_id=t.id)
    assert changed.body == "B2"
    templates.delete_template(db.uow(), manager, t.id)
    assert templates.list_templates(db.uow(), rep) == []
