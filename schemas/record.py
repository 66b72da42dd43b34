"""Pydantic models of the output record (schema_version "1"), the code form of SPEC.md.

Every model is strict (`extra="forbid"`). Table cells are `int | None` (`None` = blank or
unreadable, never 0); amounts in 万元 are `float | None`. Tables 二 and 三 have one model per
national template behind the `template` discriminator.

Deliberate extensions over SPEC.md (all optional, so a SPEC-shaped record still validates):
`Source.format` and the file locations on provenance spans (`page`/`box`, `table`/`row`/`col`) say
where a cell of a PDF or Word original sits; `Finding.expected` / `Finding.found` carry the numbers a rule compared, `Record.llm` says what
the LLM layer did, and `Record.not_extracted` lists what this run could not fill and why.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

Cell = int | None
Amount = float | None
SectionKey = Literal["overview", "active_disclosure", "applications", "review_litigation", "problems", "other"]
SECTION_KEYS: tuple[str, ...] = SectionKey.__args__  # type: ignore[attr-defined]
Template = Literal["2019", "2021"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---- table 二: active disclosure -------------------------------------------------------------
class DocumentRow2019(Strict):
    new_made: Cell = None
    new_published: Cell = None
    total_published: Cell = None


class ItemRow2019(Strict):
    previous_count: Cell = None
    change: Cell = None
    decisions: Cell = None


class FeesRow2019(Strict):
    previous_count: Cell = None
    change: Cell = None


class ProcurementRow2019(Strict):
    projects: Cell = None
    amount_wan: Amount = None


class ActiveDisclosure2019(Strict):
    template: Literal["2019"] = "2019"
    regulations: DocumentRow2019 = Field(default_factory=DocumentRow2019)
    normative_documents: DocumentRow2019 = Field(default_factory=DocumentRow2019)
    licensing: ItemRow2019 = Field(default_factory=ItemRow2019)
    other_services: ItemRow2019 = Field(default_factory=ItemRow2019)
    punishment: ItemRow2019 = Field(default_factory=ItemRow2019)
    enforcement: ItemRow2019 = Field(default_factory=ItemRow2019)
    fees: FeesRow2019 = Field(default_factory=FeesRow2019)
    procurement: ProcurementRow2019 = Field(default_factory=ProcurementRow2019)


class DocumentRow2021(Strict):
    issued: Cell = None
    repealed: Cell = None
    in_force: Cell = None


class DecisionsRow2021(Strict):
    decisions: Cell = None


class FeesRow2021(Strict):
    amount_wan: Amount = None


class ActiveDisclosure2021(Strict):
    template: Literal["2021"] = "2021"
    regulations: DocumentRow2021 = Field(default_factory=DocumentRow2021)
    normative_documents: DocumentRow2021 = Field(default_factory=DocumentRow2021)
    licensing: DecisionsRow2021 = Field(default_factory=DecisionsRow2021)
    punishment: DecisionsRow2021 = Field(default_factory=DecisionsRow2021)
    enforcement: DecisionsRow2021 = Field(default_factory=DecisionsRow2021)
    fees: FeesRow2021 = Field(default_factory=FeesRow2021)


ActiveDisclosure = Annotated[ActiveDisclosure2019 | ActiveDisclosure2021, Field(discriminator="template")]


# ---- table 三: applications ------------------------------------------------------------------
class ApplicantRow(Strict):
    natural_person: Cell = None
    commercial_enterprise: Cell = None
    research_institution: Cell = None
    social_welfare_org: Cell = None
    legal_service_org: Cell = None
    other_org: Cell = None
    total: Cell = None


def _row() -> ApplicantRow:
    return ApplicantRow()


class _ApplicationsBase(Strict):
    new_received: ApplicantRow = Field(default_factory=_row)
    carried_over: ApplicantRow = Field(default_factory=_row)
    granted: ApplicantRow = Field(default_factory=_row)
    partially_granted: ApplicantRow = Field(default_factory=_row)
    denied_state_secret: ApplicantRow = Field(default_factory=_row)
    denied_prohibited_by_law: ApplicantRow = Field(default_factory=_row)
    denied_three_safeties: ApplicantRow = Field(default_factory=_row)
    denied_third_party_rights: ApplicantRow = Field(default_factory=_row)
    denied_internal_affairs: ApplicantRow = Field(default_factory=_row)
    denied_process_information: ApplicantRow = Field(default_factory=_row)
    denied_enforcement_files: ApplicantRow = Field(default_factory=_row)
    denied_inquiry_matters: ApplicantRow = Field(default_factory=_row)
    unavailable_not_held: ApplicantRow = Field(default_factory=_row)
    unavailable_needs_creation: ApplicantRow = Field(default_factory=_row)
    unavailable_unclear: ApplicantRow = Field(default_factory=_row)
    declined_petition: ApplicantRow = Field(default_factory=_row)
    declined_duplicate: ApplicantRow = Field(default_factory=_row)
    declined_publication: ApplicantRow = Field(default_factory=_row)
    declined_excessive: ApplicantRow = Field(default_factory=_row)
    declined_confirmation: ApplicantRow = Field(default_factory=_row)


class Applications2019(_ApplicationsBase):
    template: Literal["2019"] = "2019"
    other_handling: ApplicantRow = Field(default_factory=_row)
    total_processed: ApplicantRow = Field(default_factory=_row)
    carried_forward: ApplicantRow = Field(default_factory=_row)


class Applications2021(_ApplicationsBase):
    template: Literal["2021"] = "2021"
    other_no_correction: ApplicantRow = Field(default_factory=_row)
    other_unpaid_fee: ApplicantRow = Field(default_factory=_row)
    other_misc: ApplicantRow = Field(default_factory=_row)
    total_processed: ApplicantRow = Field(default_factory=_row)
    carried_forward: ApplicantRow = Field(default_factory=_row)


Applications = Annotated[Applications2019 | Applications2021, Field(discriminator="template")]


# ---- table 四: review and litigation -----------------------------------------------------------
class OutcomeGroup(Strict):
    upheld: Cell = None
    corrected: Cell = None
    other: Cell = None
    pending: Cell = None
    total: Cell = None


class ReviewLitigation(Strict):
    review: OutcomeGroup = Field(default_factory=OutcomeGroup)
    litigation_direct: OutcomeGroup = Field(default_factory=OutcomeGroup)
    litigation_after_review: OutcomeGroup = Field(default_factory=OutcomeGroup)


# ---- the record ------------------------------------------------------------------------------
class Source(Strict):
    name: str
    sha256: str
    format: Literal["text", "html", "pdf", "docx"] = "text"  # what was read; pdf/docx text is their rendering
    path: str | None = None  # the input path as the batch found it (folder argument + relative path)


class Meta(Strict):
    title: str | None = None
    agency: str | None = None
    year: int | None = None
    template: Template | None = None


class SectionOut(Strict):
    key: SectionKey
    title: str
    start: int
    end: int


class Fact(Strict):
    section: SectionKey
    subject: str
    value: float | int
    unit: str
    quote: str
    start: int
    end: int


class Finding(Strict):
    rule: str
    severity: Literal["error", "warning"]
    message: str
    cells: list[str] = Field(default_factory=list)
    expected: float | None = None
    found: float | None = None


class SpanOut(Strict):
    """Offsets into the decoded source text; for a cell read from a PDF or Word table also where the
    cell is in the original file: `page` (1-based) and `box` [x0, y0, x1, y1] in PDF points, origin at
    the page's top left; or `table`, `row`, `col` (1-based, merged cells expanded) in a .docx. Fields a
    span does not have are left out of the JSON."""

    start: int
    end: int
    page: int | None = None
    box: list[float] | None = None
    table: int | None = None
    row: int | None = None
    col: int | None = None

    @model_serializer(mode="wrap")
    def _without_nones(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        return {k: v for k, v in handler(self).items() if v is not None}


class LlmCell(Strict):
    """A table cell whose value came from the LLM layer."""

    attempts: int
    quote: str | None = None


class LlmUsage(Strict):
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cache_hits: int = 0
    cache_misses: int = 0
    failed_calls: int = 0
    dropped_ungrounded_facts: int = 0


class LlmInfo(Strict):
    """What the LLM layer did. `status`: `ok` every request answered; `partial` some failed;
    `failed` none answered; `skipped` not attempted (the endpoint was cut off for this run).
    `--resume` with a model re-runs every record whose status is not `ok`."""

    model: str
    prompt_version: str
    status: Literal["ok", "partial", "failed", "skipped"] = "ok"
    notes: list[str] = Field(default_factory=list)
    usage: LlmUsage = Field(default_factory=LlmUsage)
    cells: dict[str, LlmCell] = Field(default_factory=dict)


class Record(Strict):
    schema_version: Literal["1"] = "1"
    source: Source
    meta: Meta = Field(default_factory=Meta)
    sections: list[SectionOut] = Field(default_factory=list)
    active_disclosure: ActiveDisclosure | None = None
    applications: Applications | None = None
    review_litigation: ReviewLitigation | None = None
    facts: list[Fact] = Field(default_factory=list)
    problems: list[str] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    provenance: dict[str, SpanOut] = Field(default_factory=dict)
    not_extracted: list[str] = Field(default_factory=list)
    llm: LlmInfo | None = None
    pipeline: str | None = None  # version of the program that wrote the record (batch resume key)
