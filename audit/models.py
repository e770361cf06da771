"""The audit log: one row per security-relevant action, written once and never changed.

Rows are appended by `audit.services.audit_record` only. The model refuses updates and
deletes; the two exceptions the law and the operator need (erasing a deleted person's address
and browser, purging rows older than the retention period) are the named methods of
`AuditEntryQuerySet`, and on PostgreSQL a trigger refuses any other UPDATE or DELETE.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    LOGIN = "login", _("Logged in")
    LOGIN_PENDING = "login.pending", _("Password correct, code not entered yet")
    LOGIN_FAILED = "login.failed", _("Failed login")
    LOGOUT = "logout", _("Logged out")
    LOGIN_SSO = "login.sso", _("Logged in with single sign-on")
    PASSWORD_CHANGED = "password.changed", _("Password changed")
    PASSWORD_RESET = "password.reset", _("Password reset")
    EMAIL_CHANGED = "email.changed", _("E-mail address changed")
    MFA_ENABLED = "mfa.enabled", _("Two-factor authentication turned on")
    MFA_DISABLED = "mfa.disabled", _("Two-factor authentication turned off")
    MFA_FAILED = "mfa.failed", _("Wrong second-factor code")
    MFA_RECOVERY_USED = "mfa.recovery_used", _("Recovery code used")
    MFA_RECOVERY_REGENERATED = "mfa.recovery_regenerated", _("New recovery codes made")
    TOKEN_CREATED = "token.created", _("API token created")
    TOKEN_REVOKED = "token.revoked", _("API token revoked")
    SESSION_REVOKED = "session.revoked", _("Session ended from another device")
    ROLE_GRANTED = "role.granted", _("Role granted")
    ROLE_REVOKED = "role.revoked", _("Role removed")
    DATA_EXPORTED = "data.exported", _("Personal data downloaded")
    EXPORT_DOWNLOADED = "export.downloaded", _("Export with personal data downloaded")
    ACCOUNT_DELETED = "account.deleted", _("Account deleted")
    COMPANY_DELETED = "company.deleted", _("Company deleted")


class AppendOnlyError(RuntimeError):
    """An audit row was about to be changed or deleted outside the named exceptions."""


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("audit entries are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit entries are append-only")

    def for_user(self, user_id: int) -> "AuditEntryQuerySet":
        """The entries about one person's account (also those another person caused)."""
        return self.filter(user_id=user_id)

    # The two exceptions to append-only. Both go around the guards above on purpose and are
    # the only callers of _raw_delete/_update; on PostgreSQL they open the trigger's gate
    # for their own statement (audit.db.maintenance).

    def purge_before(self, cutoff: Any) -> int:
        """Retention: delete the rows older than `cutoff` (the operator's period)."""
        from audit.db import maintenance

        with maintenance(self.db):
            qs = AuditEntry.objects.using(self.db).filter(at__lt=cutoff)
            return qs._raw_delete(qs.db)

    def erase_personal_data(self, user_id: int, *, emails: tuple[str, ...] = ()) -> int:
        """Account deletion: the rows stay (what happened, when), the person's address,
        browser and attempted-login text go. `emails`: the addresses the account had, so that
        failed logins recorded without an account (typed before it existed) go too."""
        from audit.db import maintenance

        about_them = models.Q(user_id=user_id) | models.Q(actor_id=user_id)
        for email in emails:
            about_them |= models.Q(attempted_login__iexact=email.strip())
        with maintenance(self.db):
            qs = AuditEntry.objects.using(self.db).filter(about_them)
            return models.QuerySet.update(qs, ip_address=None, user_agent="", attempted_login="")


class AuditEntry(models.Model):
    at = models.DateTimeField(_("time"), default=dj_timezone.now, db_index=True)
    action = models.CharField(_("action"), max_length=40, choices=Action.choices)
    # Whose account the entry is about, and who did it (an admin changing a role, an owner
    # handing over a company). No database constraint: a row outlives whatever it names.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    # What a failed login was for when no account matches (lower-cased, at most 254 chars).
    attempted_login = models.CharField(_("attempted login"), max_length=254, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    # What the action was about, as "kind:id" (token:12, company:3, convoy:7).
    target = models.CharField(_("about"), max_length=100, blank=True)
    # Details without secrets ({"role": "owner", "token_name": "Laptop"}).
    data = models.JSONField(_("details"), default=dict, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "-at"], name="audit_user_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.user_id or '-'}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit entries are append-only")
