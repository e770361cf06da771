"""People who use Konvoi: e-mail login, a display name and a unique @handle."""

import re
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone as dj_timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken
from knox.settings import CONSTANTS

from accounts.timezones import timezone_is_selectable

HANDLE_PATTERN = r"[a-z0-9][a-z0-9_]{1,29}"
handle_validator = RegexValidator(
    rf"^{HANDLE_PATTERN}$",
    _("2 to 30 lower-case letters, digits or underscores, starting with a letter or digit."),
)


def validate_timezone(value: str) -> None:
    """A zone from the list people may choose (accounts.timezones: no `Factory`, `US/…`)."""
    if not timezone_is_selectable(value):
        raise ValidationError(_("Unknown time zone: %(value)s"), params={"value": value})


class UserManager(BaseUserManager["User"]):
    """The one place a User row is written (`create_user`) and a free @handle is chosen.

    accounts.services.user_register checks a sign-up (name, address, time zone, password
    rules) and then calls `create_user`; Django's createsuperuser and the admin come here
    directly. The manager needs nothing above the model, so models does not import services.
    """

    use_in_migrations = True

    def handle_allocate(self, *, name: str) -> str:
        """A free @handle derived from a display name: 'Anna Schmidt' → 'anna_schmidt', '…2', …"""
        base = re.sub(r"[^a-z0-9_]", "", slugify(name).replace("-", "_"))[:26] or "user"
        if len(base) < 2:
            base = f"{base}_x"
        taken = set(self.filter(handle__startswith=base).values_list("handle", flat=True))
        if base not in taken:
            return base
        n = 2
        while f"{base}{n}" in taken:
            n += 1
        return f"{base}{n}"

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> "User":
        email = self.normalize_email(email).strip().lower()
        fields.setdefault("name", email.split("@")[0])
        fields.setdefault("handle", self.handle_allocate(name=fields["name"]))
        user = self.model(email=email, **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> "User":
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Logs in with e-mail; mentioned as @handle; reads Konvoi in their language."""

    email = models.EmailField(_("e-mail address"), unique=True)
    name = models.CharField(_("name"), max_length=150)
    handle = models.CharField(
        _("handle"), max_length=30, unique=True, validators=[handle_validator]
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="de"
    )
    timezone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Berlin", validators=[validate_timezone]
    )
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=dj_timezone.now)
    # Set by each request to change the e-mail address and carried in its signed link; the
    # link works only while it matches (the latest request) and it is cleared on success.
    email_change_nonce = models.CharField(
        _("e-mail change code"), max_length=64, blank=True, default="", editable=False
    )
    # Set when the person deleted their account (privacy.erasure): the row stays, so that what
    # they wrote in a convoy keeps its author, shown as "former member"; the personal data in
    # it (name, e-mail address, @handle, password) is replaced.
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True, editable=False)
    # Whether the person has a confirmed authenticator app. accounts.mfa keeps it in step with
    # the devices (on every save and delete of one), so each request reads it with the user it
    # loads anyway: no query, and every process (web workers, admin, shell) sees the same.
    has_second_factor = models.BooleanField(
        _("two-factor authentication"), default=False, editable=False
    )
    # "<issuer> <sub>" of the single sign-on identity this account was linked to (accounts.oidc):
    # a later login by e-mail address must come from the same identity, so an address the
    # provider hands to someone else does not open this account.
    sso_subject = models.CharField(
        _("single sign-on identity"), max_length=512, blank=True, default="", editable=False
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    def get_full_name(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        """The name shown wherever a person is named, in the viewer's language: "Former
        member" once the account was deleted (privacy.erasure), their name otherwise."""
        if self.deleted_at is not None:
            return str(_("Former member"))
        return self.name

    @property
    def contact_email(self) -> str:
        """The address shown to others (attendance lists, exports): none once deleted (the
        placeholder then stored reaches nobody)."""
        return "" if self.deleted_at is not None else self.email

    def get_short_name(self) -> str:
        return self.name


class ApiToken(AbstractAuthToken):
    """An API token of one person (django-rest-knox's token with a name and a plain id).

    Only a hash of the secret is stored (`digest`) with its first characters (`token_key`) to
    find it; the secret is shown once, when the token is made. Tokens expire (`expiry`) and
    are revoked by deleting the row.
    """

    # A short, non-secret id to list and revoke a token by (knox's primary key is the digest).
    id = models.BigAutoField(primary_key=True)
    digest = models.CharField(max_length=CONSTANTS.DIGEST_LENGTH, unique=True)
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.name or self.token_key[:8]} ({self.user_id})"


class UserSession(models.Model):
    """One signed-in browser of a person, so that they can see where they are signed in and
    end a session from another device. Written at login and on activity (at most every few
    minutes); the session itself lives in Django's session store under `session_key`."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="browser_sessions", verbose_name=_("user")
    )
    session_key = models.CharField(_("session key"), max_length=40, unique=True)
    created = models.DateTimeField(_("signed in"), default=dj_timezone.now)
    last_seen = models.DateTimeField(_("last active"), default=dj_timezone.now)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["-last_seen"]
        indexes = [models.Index(fields=["user", "-last_seen"], name="usersession_user_seen")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.created:%Y-%m-%d %H:%M}"
