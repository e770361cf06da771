"""Writes of the programmes app. The web UI, the API, the apps above (convoys, projects,
events, checks) and the demo all come through here."""

from datetime import datetime

from django.db import transaction

from companies.models import Company
from programmes.models import (
    STAGE_ORDER,
    CompanyRecord,
    Programme,
    ServiceKind,
    Stage,
    Touch,
    TouchKind,
)

# The stage each way of touching a company means: the one home of the funnel rule. A company's
# stage is the furthest stage any of its touches means (the funnel only moves on).
TOUCH_STAGE: dict[str, Stage] = {
    TouchKind.RECORDED: Stage.LEAD,
    TouchKind.EVENT_REGISTERED: Stage.LEAD,
    TouchKind.EVENT_ATTENDED: Stage.ENGAGED,
    TouchKind.CHECK_SUBMITTED: Stage.QUALIFIED,
    TouchKind.CONVOY_JOINED: Stage.ENROLLED,
    TouchKind.PROJECT_STARTED: Stage.PROJECT_STARTED,
    TouchKind.PROJECT_COMPLETED: Stage.PROJECT_COMPLETED,
}

# A service touch means a stage by the kind of service: talking to a coach engages a company,
# a check review or a voucher qualifies it, a convoy enrols it.
SERVICE_STAGE: dict[str, Stage] = {
    ServiceKind.VISIT: Stage.ENGAGED,
    ServiceKind.CONSULTATION: Stage.ENGAGED,
    ServiceKind.WORKSHOP: Stage.ENGAGED,
    ServiceKind.OTHER: Stage.ENGAGED,
    ServiceKind.CHECK_REVIEW: Stage.QUALIFIED,
    ServiceKind.VOUCHER: Stage.QUALIFIED,
    ServiceKind.CONVOY: Stage.ENROLLED,
}


def touch_stage(kind: str, *, service_kind: str | None = None) -> Stage:
    if kind == TouchKind.SERVICE:
        return SERVICE_STAGE[service_kind or ServiceKind.OTHER]
    return TOUCH_STAGE[kind]


def stage_furthest(*stages: str) -> Stage:
    return Stage(max(stages, key=lambda stage: STAGE_ORDER[stage]))


@transaction.atomic
def company_touch(
    *,
    programme: Programme,
    company: Company,
    kind: TouchKind | str,
    source: str,
    at: datetime,
    label: str = "",
    service_kind: str | None = None,
) -> CompanyRecord:
    """Record that `programme` reached `company` (once per kind and source) and move its
    register entry on: created at the first touch, stage the furthest any touch meant, first
    and last touch kept. Idempotent: touching again with the same source changes nothing but
    a later `at`/`label` on that touch."""
    kind = TouchKind(kind)
    stage = touch_stage(kind, service_kind=service_kind)
    Touch.objects.update_or_create(
        programme=programme,
        company=company,
        kind=kind,
        source=source,
        defaults={"at": at, "label": label[:200], "stage": stage},
    )
    record = (
        CompanyRecord.objects.select_for_update()
        .filter(programme=programme, company=company)
        .first()
    )
    if record is None:
        return CompanyRecord.objects.create(
            programme=programme,
            company=company,
            stage=stage,
            first_touch_at=at,
            first_touch_kind=kind,
            first_touch_label=label[:200],
            last_touch_at=at,
            last_touch_kind=kind,
            last_touch_label=label[:200],
        )
    record.stage = stage_furthest(record.stage, stage)
    if at < record.first_touch_at:
        record.first_touch_at, record.first_touch_kind = at, kind
        record.first_touch_label = label[:200]
    if at >= record.last_touch_at:
        record.last_touch_at, record.last_touch_kind = at, kind
        record.last_touch_label = label[:200]
    record.save(
        update_fields=[
            "stage",
            "first_touch_at",
            "first_touch_kind",
            "first_touch_label",
            "last_touch_at",
            "last_touch_kind",
            "last_touch_label",
        ]
    )
    return record
