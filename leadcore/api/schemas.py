"""Request and response bodies of the REST API, in the original system's camelCase.

Services speak snake_case dicts; these models validate them by field name and serialize by alias. Request models
accept only the camelCase names and refuse unknown fields, so a typo is a 422 naming it instead of a silent no-op.
Every string a client sends passes :data:`Text`: no NUL characters and no lone surrogates, which PostgreSQL (and
UTF-8) cannot store, so they are a 422 at the edge rather than a database error.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, field_validator
from pydantic.alias_generators import to_camel
from pydantic.json_schema import SkipJsonSchema

from leadcore.db.coltypes import aware_utc
from leadcore.emails import is_plausible_email
from leadcore.inputs import TAG_MAX, has_nul

INT32_MAX = 2_147_483_647  # ids are INTEGER columns: anything larger cannot exist
SHORT_MAX = 500
NOTES_MAX = 20_000
TAGS_PER_LEAD = 100

Status = Literal["NEW", "CONTACTED", "QUALIFIED", "IMPORTED", "REJECTED", "ARCHIVED"]
LeadType = Literal["INDIVIDUAL", "COMPANY"]


def storable(value: str) -> str:
    """Refuse text no database column can hold."""
    if has_nul(value):
        raise ValueError("must not contain NUL (\\u0000) characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text (no lone surrogate code points)") from None
    return value


Text = Annotated[str, AfterValidator(storable)]
Short = Annotated[str, StringConstraints(max_length=SHORT_MAX), AfterValidator(storable)]
Tag = Annotated[str, StringConstraints(min_length=1, max_length=TAG_MAX), AfterValidator(storable)]
Id = Annotated[int, Field(ge=1, le=INT32_MAX)]
UtcDatetime = Annotated[datetime, AfterValidator(aware_utc)]


class OutModel(BaseModel):
    """A response body: built from a service's snake_case dict, written out in camelCase."""

    model_config = ConfigDict(alias_generator=to_camel, validate_by_name=True, validate_by_alias=True,
                              serialize_by_alias=True)


class InModel(BaseModel):
    """A request body: camelCase names only, unknown fields refused."""

    model_config = ConfigDict(alias_generator=to_camel, validate_by_name=False, validate_by_alias=True,
                              extra="forbid")


class ErrorDetail(BaseModel):
    field: str | None = Field(default=None, description="The request field at fault (camelCase), when one is.")
    reason: str
    location: str | None = Field(default=None, description="body, query, path or header")


class ErrorBody(BaseModel):
    code: str = Field(examples=["invalid_input"], description="Stable machine-readable code.")
    message: str = Field(examples=["leadScore: Input should be less than or equal to 100"])
    field: str | None = Field(default=None, examples=["leadScore"])
    details: list[ErrorDetail] | None = None


class ErrorResponse(BaseModel):
    """Every error answer has this shape."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"error": {"code": "not_found", "message": "Lead 42 was not found", "field": None}}]})

    error: ErrorBody


class LeadFields(OutModel):
    """The fields every view of a lead has, also candidates that are not saved yet."""

    type: str = Field(examples=["INDIVIDUAL"])
    lead_name: str | None = Field(default=None, examples=["Ana Lima"])
    email: str | None = Field(default=None, examples=["ana@acme.io"])
    phone: str | None = Field(default=None, examples=["+49 30 1234567"])
    job_title: str | None = Field(default=None, examples=["VP Engineering"])
    company: str | None = Field(default=None, examples=["Acme"])
    location: str | None = Field(default=None, examples=["Berlin, Germany"])
    headquarters: str | None = None
    industry: str | None = Field(default=None, examples=["Fintech"])
    website: str | None = Field(default=None, examples=["https://acme.io"])
    linkedin_url: str | None = Field(default=None, alias="linkedinLink",
                                     examples=["https://www.linkedin.com/in/ana-lima"])
    lead_score: int | None = Field(default=None, examples=[72])
    tags: list[str] = Field(default_factory=list, examples=[["hot", "event-2026"]])
    notes: str | None = None


class LeadOut(LeadFields):
    """A saved lead as the grid shows it."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": 42, "type": "INDIVIDUAL", "status": "NEW", "leadName": "Ana Lima", "email": "ana@acme.io",
        "jobTitle": "VP Engineering", "company": "Acme", "leadScore": 72, "tags": ["hot"], "ownerId": 3,
        "ownerName": "Sam Rep", "searchQuery": "VP Engineering fintech", "searchId": 7, "source": "demo",
        "imported": False, "isActive": True, "version": 1, "createdAt": "2026-01-05T10:00:00Z",
        "updatedAt": "2026-01-05T10:00:00Z"}]})

    id: int
    type: LeadType = Field(examples=["INDIVIDUAL"])
    status: Status = Field(examples=["NEW"])
    lead_score: int = Field(examples=[72])
    owner_id: int | None = Field(default=None, examples=[3])
    owner_name: str | None = Field(default=None, examples=["Sam Rep"])
    search_query: str | None = None
    search_mode: str | None = None
    search_location: str | None = None
    search_industry: str | None = None
    search_tech_stack: str | None = None
    search_id: int | None = None
    source: str = Field(examples=["demo"])
    imported: bool
    imported_at: UtcDatetime | None = None
    imported_contact_id: int | None = Field(default=None, alias="importedAsContactId")
    imported_company_id: int | None = Field(default=None, alias="importedAsCompanyId")
    is_active: bool
    duplicate_count: int = 0
    created_at: UtcDatetime
    updated_at: UtcDatetime
    version: int = Field(description="Send it back (If-Match or body) when you update the lead.", examples=[1])
    do_not_contact: bool = Field(default=False, description="Never email this lead (opted out).")


class LeadDetail(LeadOut):
    """One lead with the provider's raw record and how its score was computed."""

    raw_data: Any = Field(default=None, description="The provider's full record, as received.")
    score_breakdown: list[dict[str, Any]] | None = Field(
        default=None, examples=[[{"rule": "base", "label": "Base score", "points": 20}]])
    deleted_at: UtcDatetime | None = None


class StaleOut(BaseModel):
    """409 on a stale update: the error and the lead as it is now (its ``version`` is the one to send next)."""

    error: ErrorBody
    current: LeadDetail
    conflicts: dict[str, dict[str, Any]] = Field(default_factory=dict, description="The fields someone else changed "
                                                 "to another value since your version: {field: {yours, theirs}}. "
                                                 "Edits of other fields are saved onto the newer version.")


class LeadPageOut(OutModel):
    items: list[LeadOut]
    total: int = Field(description="Leads matching the filter (all pages).", examples=[123])
    total_is_estimate: bool = Field(default=False, description="False: total is exact. True only for very large "
                                    "filters (over 100,000 matches on PostgreSQL, or a common search fragment): then "
                                    "total is the database's estimate, show it as 'about N'.")
    next_cursor: str | None = Field(default=None, description="Pass as `cursor` for the next page; null at the end.")


class LeadUpdate(InModel):
    """A partial update: only the fields sent change. ``null`` clears a text field; ``ownerId`` null or 0 unassigns."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"status": "CONTACTED", "leadScore": 80, "tags": ["hot"], "version": 3}]})

    type: LeadType | SkipJsonSchema[None] = None
    status: Status | SkipJsonSchema[None] = None
    lead_name: Short | None = None
    email: Short | None = None
    phone: Short | None = None
    job_title: Short | None = None
    company: Short | None = None
    location: Short | None = None
    headquarters: Short | None = None
    industry: Short | None = None
    website: Short | None = None
    linkedin_url: Short | None = Field(default=None, alias="linkedinLink")
    lead_score: Annotated[int, Field(ge=0, le=100)] | SkipJsonSchema[None] = None
    tags: Annotated[list[Tag], Field(max_length=TAGS_PER_LEAD)] | None = None
    notes: Annotated[Text, StringConstraints(max_length=NOTES_MAX)] | None = None
    owner_id: Annotated[int, Field(ge=0, le=INT32_MAX)] | None = None
    version: Id | SkipJsonSchema[None] = Field(default=None, description="The version you read (or use If-Match).")
    do_not_contact: bool | SkipJsonSchema[None] = Field(default=None, description="Never email this lead.")

    @field_validator("type", "status", "lead_score", "version", "do_not_contact", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        # These may be left out, but null means nothing for them (a text field's null clears it).
        if value is None:
            raise ValueError("may be left out but not null")
        return value

    @field_validator("email")
    @classmethod
    def _plausible_email(cls, value: str | None) -> str | None:
        # Checked here too so that the 422 names the field (the service reports it in a sentence).
        if value is not None and value.strip() and not is_plausible_email(value.strip()):
            raise ValueError("is not a valid email address")
        return value


class LeadFilterBody(InModel):
    """The grid filter as JSON (bulk actions on "the whole filter"); the same names as GET /api/leads."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"status": ["NEW"], "tags": ["hot"], "scoreMin": 50}]})

    status: list[Status] = Field(default_factory=list, max_length=10)
    type: list[LeadType] = Field(default_factory=list, max_length=2)
    owner_id: list[Annotated[int, Field(ge=0, le=INT32_MAX)]] = Field(default_factory=list, max_length=100,
                                                                       description="0 means unassigned.")
    tags: list[Tag] = Field(default_factory=list, max_length=TAGS_PER_LEAD)
    score_min: Annotated[int, Field(ge=0, le=100)] | None = None
    score_max: Annotated[int, Field(ge=0, le=100)] | None = None
    created_from: date | None = None
    created_to: date | None = None
    search_id: Id | None = None
    search_query: Short | None = None
    imported: bool | None = None
    q: Annotated[Text, StringConstraints(max_length=200)] | None = None
    deleted: bool = False
