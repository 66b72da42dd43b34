"""The values the format fixtures are written from, chosen by hand before any rendering.

Each fixture's table cells are stated here (blank cells as None); the totals are the sums of
the chosen parts, so every table obeys the SPEC arithmetic except where a fixture breaks it on
purpose. `make_fixtures.py` renders these into Word documents and writes them out as the gold
(`<name>.expected.json`); nothing here comes from the extractor.
"""

from __future__ import annotations

from typing import Any

Cells = list[int | None]  # the six applicant columns, in form order


def _total(cells: Cells) -> int | None:
    return None if all(v is None for v in cells) else sum(v or 0 for v in cells)


def _row(cells: Cells) -> dict[str, int | None]:
    keys = ("natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
            "legal_service_org", "other_org")
    return {**dict(zip(keys, cells, strict=True)), "total": _total(cells)}


def applications(outcomes: dict[str, Cells], carried_over: Cells, carried_forward: Cells) -> dict[str, Any]:
    """Table 三 from its outcome rows and carry-overs: 总计 and 本年新收 follow by the form's arithmetic."""
    processed = [sum(row[i] or 0 for row in outcomes.values()) for i in range(6)]
    new = [p + (f or 0) - (o or 0) for p, f, o in zip(processed, carried_forward, carried_over, strict=True)]
    rows = {"new_received": _row(new), "carried_over": _row(carried_over)}
    rows.update({key: _row(cells) for key, cells in outcomes.items()})
    rows["total_processed"] = _row(processed)
    rows["carried_forward"] = _row(carried_forward)
    return rows


def review(groups: dict[str, list[int | None]]) -> dict[str, dict[str, int | None]]:
    """Table 四 from upheld, corrected, other, pending per group; total is their sum."""
    out = {}
    for group, (upheld, corrected, other, pending) in groups.items():
        out[group] = {"upheld": upheld, "corrected": corrected, "other": other, "pending": pending,
                      "total": _total([upheld, corrected, other, pending])}
    return out


Z: Cells = [0, 0, 0, 0, 0, 0]
B: Cells = [None] * 6  # a row left blank

OUTCOMES_2021: dict[str, Cells] = {
    "granted": [38, 6, 0, 0, 2, 1],
    "partially_granted": [9, 2, 0, 0, 0, 0],
    "denied_state_secret": [1, 0, 0, 0, 0, 0],
    "denied_prohibited_by_law": [0, 0, 0, 0, 0, 0],
    "denied_three_safeties": [0, 0, 0, 0, 0, 0],
    "denied_third_party_rights": [2, 1, 0, 0, 0, 0],
    "denied_internal_affairs": [0, None, 0, 0, 0, 0],
    "denied_process_information": [4, 0, 0, 0, 0, 0],
    "denied_enforcement_files": [1, 0, 0, 0, 0, 0],
    "denied_inquiry_matters": [3, 0, 0, 0, 0, 0],
    "unavailable_not_held": [17, 3, 1, 0, 0, 0],
    "unavailable_needs_creation": [5, 0, 0, 0, 0, 0],
    "unavailable_unclear": [2, 0, 0, 0, 0, 0],
    "declined_petition": [6, 0, 0, 0, 0, 0],
    "declined_duplicate": [3, 0, 0, 0, 0, 0],
    "declined_publication": [0, 0, 0, 0, 0, 0],
    "declined_excessive": [0, 0, 0, 0, 0, 0],
    "declined_confirmation": [1, 0, 0, 0, 0, 0],
    "other_no_correction": [4, 1, 0, 0, 0, 0],
    "other_unpaid_fee": B,
    "other_misc": [2, 0, 0, 0, 0, None],
}

OUTCOMES_2019: dict[str, Cells] = {
    "granted": [126, 14, 2, 0, 5, 3],
    "partially_granted": [21, 3, 0, 0, 1, 0],
    "denied_state_secret": [0, 0, 0, 0, 0, 0],
    "denied_prohibited_by_law": [2, 0, 0, 0, 0, 0],
    "denied_three_safeties": B,
    "denied_third_party_rights": [3, 2, 0, 0, 0, 0],
    "denied_internal_affairs": [1, 0, 0, 0, 0, 0],
    "denied_process_information": [7, 1, 0, 0, 0, 0],
    "denied_enforcement_files": [0, 0, 0, 0, 0, 0],
    "denied_inquiry_matters": [11, 0, 0, 0, 0, 0],
    "unavailable_not_held": [58, 9, 1, 1, 2, 0],
    "unavailable_needs_creation": [14, 2, 0, 0, 0, 0],
    "unavailable_unclear": [6, 0, 0, 0, 0, 0],
    "declined_petition": [9, 0, 0, 0, 0, 0],
    "declined_duplicate": [12, 1, 0, 0, 0, 0],
    "declined_publication": [0, 0, 0, 0, 0, 0],
    "declined_excessive": [2, 0, 0, 0, 0, 0],
    "declined_confirmation": [0, 0, None, 0, 0, 0],
    "other_handling": [5, 0, 0, 0, 0, 0],
}

OUTCOMES_MIXED: dict[str, Cells] = {
    "granted": [12, 2, 0, 0, 0, 0],
    "partially_granted": [3, 0, 0, 0, 0, 0],
    "denied_state_secret": [0, 0, 0, 0, 0, 0],
    "denied_prohibited_by_law": [0, 0, 0, 0, 0, 0],
    "denied_three_safeties": [0, 0, 0, 0, 0, 0],
    "denied_third_party_rights": [1, 0, 0, 0, 0, 0],
    "denied_internal_affairs": [0, 0, 0, 0, 0, 0],
    "denied_process_information": [2, 0, 0, 0, 0, 0],
    "denied_enforcement_files": [1, 0, 0, 0, 0, 0],
    "denied_inquiry_matters": [0, 0, 0, 0, 0, 0],
    "unavailable_not_held": [8, 1, 0, 0, 0, 0],
    "unavailable_needs_creation": [2, 0, 0, 0, 0, 0],
    "unavailable_unclear": [0, 0, 0, 0, 0, 0],
    "declined_petition": [1, 0, 0, 0, 0, 0],
    "declined_duplicate": [0, 0, 0, 0, 0, 0],
    "declined_publication": [0, 0, 0, 0, 0, 0],
    "declined_excessive": [0, 0, 0, 0, 0, 0],
    "declined_confirmation": [0, 0, 0, 0, 0, 0],
    "other_handling": [2, 0, 0, 0, 0, 0],
}

FIXTURES: dict[str, dict[str, Any]] = {
    "word_2021": {
        "agency": "临川区人民政府", "year": 2022, "template": "2021", "table3": "2021",
        "active_disclosure": {
            "template": "2021",
            "regulations": {"issued": 0, "repealed": 0, "in_force": 3},
            "normative_documents": {"issued": 7, "repealed": 2, "in_force": 46},
            "licensing": {"decisions": 12873},
            "punishment": {"decisions": 1406},
            "enforcement": {"decisions": None},
            "fees": {"amount_wan": 362.57},
        },
        "applications": applications(OUTCOMES_2021, [3, 1, 0, 0, 0, 0], [5, 0, 0, 0, 1, 0]),
        "review_litigation": review({"review": [4, 1, 0, 1], "litigation_direct": [2, 0, 1, 0],
                                     "litigation_after_review": [None, None, None, None]}),
    },
    "word_2019": {
        "agency": "东坡区交通运输局", "year": 2020, "template": "2019", "table3": "2019",
        "active_disclosure": {
            "template": "2019",
            "regulations": {"new_made": 0, "new_published": 0, "total_published": 0},
            "normative_documents": {"new_made": 2, "new_published": 2, "total_published": 19},
            "licensing": {"previous_count": 36, "change": -4, "decisions": 2417},
            "other_services": {"previous_count": 12, "change": 3, "decisions": 508},
            "punishment": {"previous_count": 85, "change": 0, "decisions": 331},
            "enforcement": {"previous_count": 9, "change": None, "decisions": 17},
            "fees": {"previous_count": 2, "change": 0},
            "procurement": {"projects": 6, "amount_wan": 245.8},
        },
        "applications": applications(OUTCOMES_2019, [4, 0, 0, 0, 0, 0], [7, 1, 0, 0, 0, 0]),
        "review_litigation": review({"review": [6, 2, 1, 0], "litigation_direct": [3, 1, 0, 2],
                                     "litigation_after_review": [1, 0, 0, 0]}),
    },
    "mixed_2021": {
        "agency": "金湖县人民政府", "year": 2022, "template": "2021", "table3": "2019",
        "active_disclosure": {
            "template": "2021",
            "regulations": {"issued": 0, "repealed": 0, "in_force": 0},
            "normative_documents": {"issued": 3, "repealed": 1, "in_force": 28},
            "licensing": {"decisions": 6012},
            "punishment": {"decisions": 987},
            "enforcement": {"decisions": 42},
            "fees": {"amount_wan": 1520.6},
        },
        "applications": applications(OUTCOMES_MIXED, [0, 0, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0]),
        "review_litigation": review({"review": [2, 0, 0, 0], "litigation_direct": [1, 0, 0, 0],
                                     "litigation_after_review": [0, 0, 0, 0]}),
        "expected_findings": ["template.consistent"],
    },
}
# image-only PDFs rendered from the PDF of a fixture: name -> (fixture, degrees the pages are turned by)
SCANS: dict[str, tuple[str, float]] = {"scan_2021": ("word_2021", 0.0), "scan_skewed_2019": ("word_2019", 0.7)}
SCANNED = {name: source for name, (source, _) in SCANS.items()}
# image-only PDFs rendered from a real published report (evals/real/<name>.pdf); gold: evals/real/<name>.json
REAL_SCANS = {"scan_hzq_2023": "hzq_2023"}
