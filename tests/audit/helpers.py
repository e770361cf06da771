"""What a test needs to see the rows one action wrote: a mark before, the new rows after."""

from audit.models import AuditEntry

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:120.0) Gecko/20100101 Firefox/120.0"
PASSWORD = "S3cure-enough!"


def mark() -> int:
    return AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0


def since(start: int, action: str | None = None) -> list[AuditEntry]:
    rows = AuditEntry.objects.filter(id__gt=start).order_by("id")
    if action is not None:
        rows = rows.filter(action=action)
    return list(rows)
