"""Random but arithmetically consistent 年报 records (gold by construction), both templates.

Every table obeys the SPEC rules: applications balance, row totals and outcome sums; table 四
group totals; table 二 counts non-negative. Blank cells (gold `null`) are only ever made from
zeros, so the rules (which read null as 0) still hold.
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

from evals.spec import (
    APPLICANT_COLUMNS,
    DISCLOSURE_BLOCKS,
    OUTCOME_FIELDS,
    REVIEW_GROUPS,
    application_rows,
    outcome_rows,
)

CITIES = ("安康市", "济南市历下区", "宜昌市", "绵阳市涪城区", "台州市", "河东区", "洛阳市", "佛山市南海区")
AGENCIES = ("人民政府办公室", "财政局", "生态环境局", "行政审批服务局", "教育局", "交通运输局", "自然资源局",
            "卫生健康委员会", "人民政府")
# Column activity: (probability the column has any applications, typical size of a non-zero cell)
ACTIVITY = {"natural_person": (0.9, 60), "commercial_enterprise": (0.5, 12), "research_institution": (0.1, 3),
            "social_welfare_org": (0.1, 3), "legal_service_org": (0.3, 4), "other_org": (0.2, 5)}
OUTCOME_WEIGHT = {"granted": 1.0, "partially_granted": 0.4, "unavailable_not_held": 0.5}


def _count(rng: random.Random, p_zero: float, scale: int) -> int:
    return 0 if rng.random() < p_zero else max(1, int(rng.expovariate(1 / scale)))


def applications(rng: random.Random, template: str, big: bool = False) -> dict[str, dict[str, int | None]]:
    rows = application_rows(template)
    table: dict[str, dict[str, int | None]] = {r: {} for r in rows}
    for col, (p_active, scale) in ACTIVITY.items():
        active = rng.random() < p_active
        scale = scale * (40 if big and col == "natural_person" else 1)
        outcomes = outcome_rows(template)
        for row in outcomes:
            weight = OUTCOME_WEIGHT.get(row, 0.08)
            table[row][col] = _count(rng, 1 - weight * 0.9, max(1, int(scale * weight))) if active else 0
        processed = sum(table[r][col] or 0 for r in outcomes)
        table["total_processed"][col] = processed
        forward = _count(rng, 0.7, 3) if active else 0
        over = rng.randint(0, min(processed + forward, 4)) if active and rng.random() < 0.3 else 0
        table["carried_forward"][col] = forward
        table["carried_over"][col] = over
        table["new_received"][col] = processed + forward - over
    for row in rows:
        table[row]["total"] = sum(table[row][c] or 0 for c in APPLICANT_COLUMNS[:-1])
    return {r: {c: table[r][c] for c in APPLICANT_COLUMNS} for r in rows}


def review_litigation(rng: random.Random) -> dict[str, dict[str, int | None]]:
    out: dict[str, dict[str, int | None]] = {}
    for group in REVIEW_GROUPS:
        cells: dict[str, int | None] = {f: _count(rng, 0.6, 3) for f in OUTCOME_FIELDS[:-1]}
        cells["total"] = sum(v or 0 for v in cells.values())
        out[group] = cells
    return out


def amount_wan(rng: random.Random, p_zero: float = 0.2) -> float:
    """An amount in 万元 that is a whole number of 元 (so 元 and 万元 renderings are both exact)."""
    yuan = 0 if rng.random() < p_zero else rng.choice([rng.randint(100, 99999), rng.randint(10000, 9_999_999)])
    return float(Decimal(yuan) / Decimal(10000))


_FIELD_SCALE = {"new_made": 3, "new_published": 3, "total_published": 40, "issued": 3, "repealed": 2,
                "in_force": 40, "previous_count": 200, "decisions": 3000, "projects": 10}


def disclosure_value(rng: random.Random, field: str) -> int | float:
    if field == "amount_wan":
        return amount_wan(rng)
    if field == "change":
        return 0 if rng.random() < 0.4 else rng.choice([-1, 1, 1]) * max(1, int(rng.expovariate(1 / 30)))
    return _count(rng, 0.35, _FIELD_SCALE.get(field, 10))


def active_disclosure(rng: random.Random, template: str) -> dict[str, Any]:
    out: dict[str, Any] = {"template": template}
    for _, _, rows, fields in DISCLOSURE_BLOCKS[template]:
        for row, _ in rows:
            out[row] = {f: disclosure_value(rng, f) for f in fields}
    return out


def blank_zeros(rng: random.Random, gold: dict[str, Any], rate: float) -> None:
    """Turn zero cells blank (null): whole rows at `rate`, single cells at rate / 3."""
    for table in ("active_disclosure", "applications", "review_litigation"):
        for cells in gold[table].values():
            if not isinstance(cells, dict):
                continue
            whole = rng.random() < rate
            for field, value in cells.items():
                if value == 0 and (whole or rng.random() < rate / 3):
                    cells[field] = None


def make_gold(rng: random.Random, name: str, template: str, *, blank_rate: float = 0.0,
              big: bool = False) -> dict[str, Any]:
    """A complete gold record: meta, the three tables, no ambiguity (renderers add that)."""
    year = rng.choice([2019, 2020]) if template == "2019" else rng.choice([2021, 2022, 2023])
    if template == "2019" and rng.random() < 0.1:
        year = 2021  # a late adopter: the 2019 form used for a report on 2021
    gold: dict[str, Any] = {
        "schema_version": "1",
        "source": {"name": name},
        "meta": {"agency": rng.choice(CITIES) + rng.choice(AGENCIES), "year": year, "template": template},
        "active_disclosure": active_disclosure(rng, template),
        "applications": applications(rng, template, big),
        "review_litigation": review_litigation(rng),
        "ambiguous": [],
    }
    if blank_rate:
        blank_zeros(rng, gold, blank_rate)
    return gold


def arithmetic_errors(gold: dict[str, Any]) -> list[str]:
    """Every SPEC table rule the gold breaks (null read as 0); empty for a consistent record."""
    errors = []
    template = gold["meta"]["template"]
    apps = gold["applications"]

    def v(row: str, col: str) -> int:
        return apps[row][col] or 0

    for row in application_rows(template):
        if v(row, "total") != sum(v(row, c) for c in APPLICANT_COLUMNS[:-1]):
            errors.append(f"applications.row_total {row}")
    for col in APPLICANT_COLUMNS:
        if v("new_received", col) + v("carried_over", col) != v("total_processed", col) + v("carried_forward", col):
            errors.append(f"applications.balance {col}")
        if v("total_processed", col) != sum(v(r, col) for r in outcome_rows(template)):
            errors.append(f"applications.outcome_sum {col}")
    for group, cells in gold["review_litigation"].items():
        if (cells["total"] or 0) != sum(cells[f] or 0 for f in OUTCOME_FIELDS[:-1]):
            errors.append(f"review_litigation.group_total {group}")
    for row, cells in gold["active_disclosure"].items():
        if isinstance(cells, dict):
            errors += [f"active_disclosure.nonnegative {row}.{f}" for f, x in cells.items()
                       if f != "change" and x is not None and x < 0]
    return errors
