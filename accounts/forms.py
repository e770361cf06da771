"""Forms around the e-mail based user model: admin forms, password reset and set-password.

Every form that sets a password saves it through accounts.services.user_password_set, which
also revokes the person's API tokens.
"""

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.forms import (
    AdminPasswordChangeForm,
    AdminUserCreationForm,
    PasswordResetForm,
    SetPasswordForm,
    UserChangeForm,
)
from django.core.mail import EmailMultiAlternatives
from django.http import HttpRequest
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import translation

from accounts.models import User
from accounts.ratelimit import password_reset_mail_allowed
from accounts.services import user_password_set


class UserCreationAdminForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "name")

    def save(self, commit: bool = True) -> Any:
        user = super().save(commit=False)
        user.email = user.email.lower()
        user.handle = User.objects.handle_allocate(name=user.name)
        if commit:
            user.save()
        return user


class UserChangeAdminForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class UserPasswordAdminForm(AdminPasswordChangeForm):
    """The admin's "change password" form; the new password revokes the API tokens.
    `request` (set by the admin): the audit log names the admin who set it."""

    request: HttpRequest | None = None

    def save(self, commit: bool = True) -> Any:
        if not commit:
            return super().save(commit=False)
        usable = self.cleaned_data.get("set_usable_password", True)
        request = self.request
        return user_password_set(
            user=self.user,
            password=self.cleaned_data["password1"] if usable else None,
            actor=getattr(request, "user", None),
            request=request,
        )


class PasswordSetForm(SetPasswordForm):
    """The new password of a reset link; it revokes the API tokens. `request` (set by the
    view): the audit log records where the reset came from."""

    request: HttpRequest | None = None

    def save(self, commit: bool = True) -> Any:
        if not commit:
            return super().save(commit=False)
        return user_password_set(
            user=self.user,
            password=self.cleaned_data["new_password1"],
            request=self.request,
            reset=True,
        )


class PasswordResetRequestForm(PasswordResetForm):
    """Django's reset form with two changes: the link is built from SITE_URL, never from the
    request's Host header (which a client chooses), and at most PASSWORD_RESET_RATE_LIMIT
    mails go to one address per window. The page afterwards is the same whether or not a
    mail was sent, so it tells nothing about which addresses have accounts."""

    def save(self, **kwargs: Any) -> None:
        site = urlsplit(settings.SITE_URL)
        kwargs["domain_override"] = site.netloc
        kwargs["use_https"] = site.scheme == "https"
        super().save(**kwargs)

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        """Django's send_mail renders the subject and the plain text with HTML autoescaping
        ("o'brien&co" arrived as "o&#x27;brien&amp;co"): here only the HTML part escapes. The
        mail is written in the person's own language and marked as machine-generated."""
        if not password_reset_mail_allowed(email=to_email):
            return
        user = context.get("user")
        language = getattr(user, "language", None) or translation.get_language()
        text_context = Context({**context, "LANGUAGE_CODE": language}, autoescape=False)
        with translation.override(language):
            subject = get_template(subject_template_name).template.render(text_context)
            body = get_template(email_template_name).template.render(text_context)
            html = None
            if html_email_template_name:
                html = render_to_string(
                    html_email_template_name, {**context, "LANGUAGE_CODE": language}
                )
        message = EmailMultiAlternatives(
            " ".join(subject.split()),
            body,
            from_email,
            [to_email],
            headers={"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"},
        )
        if html is not None:
            message.attach_alternative(html, "text/html")
        message.send()
