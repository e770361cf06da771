"""accounts.mfa: enrolment, verification (codes and recovery codes), throttling, new codes,
turning off, who must have a second factor, and the audit rows of each."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.mfa import (
    mfa_disable,
    mfa_enabled,
    mfa_role_register,
    mfa_verify,
    recovery_codes_left,
    recovery_codes_regenerate,
    second_factor_required,
    token_issue_allowed,
    totp_enrolment_confirm,
    totp_enrolment_start,
)
from accounts.models import User
from audit.models import Action, AuditEntry
from tests.factories import UserFactory
from tests.mfa.helpers import code_for, enrol
from tests.support.browser import FACTORY_PASSWORD

pytestmark = pytest.mark.django_db


def _actions(user) -> list[str]:
    return list(
        AuditEntry.objects.filter(user_id=user.pk).order_by("pk").values_list("action", flat=True)
    )


def test_start_gives_an_otpauth_url_and_one_unconfirmed_device_at_a_time():
    user = UserFactory(email="frieda@example.com")
    first, url = totp_enrolment_start(user=user)
    assert url.startswith("otpauth://totp/Konvoi%3Afrieda%40example.com?secret=")
    assert "issuer=Konvoi" in url
    second, _url = totp_enrolment_start(user=user)
    assert list(TOTPDevice.objects.filter(user=user).values_list("pk", flat=True)) == [second.pk]
    assert not second.confirmed and first.pk != second.pk
    assert not mfa_enabled(user)


def test_a_wrong_code_does_not_turn_it_on_and_is_audited():
    user = UserFactory()
    device, _url = totp_enrolment_start(user=user)
    with pytest.raises(ValidationError) as exc:
        totp_enrolment_confirm(
            user=user,
            code="000000" if code_for(device) != "000000" else "111111",
            password=FACTORY_PASSWORD,
        )
    assert "code" in exc.value.error_dict
    assert not mfa_enabled(user)
    assert _actions(user) == [Action.MFA_FAILED]


def test_confirm_turns_it_on_with_ten_recovery_codes_given_once():
    user = UserFactory()
    device, codes = enrol(user)
    device.refresh_from_db()
    assert device.confirmed and mfa_enabled(user)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(len(code) == 9 and code[4] == "-" for code in codes)
    assert recovery_codes_left(user) == 10
    # Stored only to compare with; the service returns them this once.
    assert _actions(user) == [Action.MFA_ENABLED]
    with pytest.raises(ValidationError):
        totp_enrolment_start(user=user)


def test_verify_accepts_the_app_code_once():
    user = UserFactory()
    device, _codes = enrol(user)
    code = code_for(device, 1)
    assert mfa_verify(user=user, code=code) == device
    assert mfa_verify(user=user, code=code) is None  # the same step is never accepted twice
    assert _actions(user) == [Action.MFA_ENABLED, Action.MFA_FAILED]


def test_a_recovery_code_works_once_and_is_audited():
    user = UserFactory()
    _device, codes = enrol(user)
    assert mfa_verify(user=user, code=codes[0].upper().replace("-", " ")) is not None
    assert recovery_codes_left(user) == 9
    assert mfa_verify(user=user, code=codes[0]) is None
    assert _actions(user) == [Action.MFA_ENABLED, Action.MFA_RECOVERY_USED, Action.MFA_FAILED]
    used = AuditEntry.objects.get(user_id=user.pk, action=Action.MFA_RECOVERY_USED)
    assert used.data == {"left": 9}
    assert codes[0] not in str(used.data)


def test_wrong_codes_are_throttled_so_guessing_is_slow():
    user = UserFactory()
    device, _codes = enrol(user)
    wrong = "123456" if code_for(device, 1) != "123456" else "654321"
    assert mfa_verify(user=user, code=wrong) is None
    # Right after a wrong code even the right one is refused: the device waits 1 s, 2 s, 4 s …
    assert mfa_verify(user=user, code=code_for(device, 1)) is None
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    entries = AuditEntry.objects.filter(user_id=user.pk, action=Action.MFA_FAILED)
    assert [e.data["throttled"] for e in entries.order_by("pk")] == [False, True]
    # Once the wait is over, the right code works again.
    device.throttling_failure_timestamp -= timedelta(seconds=5)
    device.save()
    assert mfa_verify(user=user, code=code_for(device, 1)) == device


def test_recovery_codes_are_throttled_too():
    user = UserFactory()
    _device, codes = enrol(user)
    assert mfa_verify(user=user, code="zzzz-zzzz") is None
    assert mfa_verify(user=user, code=codes[1]) is None  # throttled
    assert recovery_codes_left(user) == 10


def test_new_recovery_codes_replace_the_old_ones():
    user = UserFactory()
    device, old = enrol(user)
    with pytest.raises(ValidationError):
        recovery_codes_regenerate(user=user, code="")
    new = recovery_codes_regenerate(user=user, code=code_for(device, 1))
    assert len(new) == 10 and not set(new) & set(old)
    assert StaticToken.objects.filter(device__user=user).count() == 10
    assert mfa_verify(user=user, code=old[0]) is None
    assert Action.MFA_RECOVERY_REGENERATED in _actions(user)


def test_disable_needs_password_and_code():
    user = UserFactory()
    device, _codes = enrol(user)
    with pytest.raises(ValidationError) as exc:
        mfa_disable(user=user, password="wrong", code=code_for(device, 1))
    assert "password" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        mfa_disable(user=user, password=FACTORY_PASSWORD, code="12")
    assert "code" in exc.value.error_dict
    device.throttling_failure_timestamp = None
    device.throttling_failure_count = 0
    device.save()
    mfa_disable(user=user, password=FACTORY_PASSWORD, code=code_for(device, 1))
    assert not mfa_enabled(user)
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert recovery_codes_left(user) == 0
    assert _actions(user)[-1] == Action.MFA_DISABLED


def test_disable_is_refused_while_the_role_requires_it(settings):
    settings.MFA_REQUIRED_FOR = ["admin"]
    user = UserFactory(is_staff=True)
    device, _codes = enrol(user)
    with pytest.raises(ValidationError) as exc:
        mfa_disable(user=user, password=FACTORY_PASSWORD, code=code_for(device, 1))
    message = " ".join(exc.value.messages)
    assert "role requires two-factor authentication" in message or "Rolle verlangt" in message
    assert mfa_enabled(user)
    assert Action.MFA_DISABLED not in _actions(user)


def test_who_must_have_a_second_factor(world, settings):
    assert not any(
        second_factor_required(u) for u in (world.facilitator, world.staff, world.member)
    )
    settings.MFA_REQUIRED_FOR = ["facilitator"]
    assert second_factor_required(world.facilitator)  # registered by convoys
    assert not second_factor_required(world.staff)
    assert not second_factor_required(world.member)
    assert not second_factor_required(world.owner)
    settings.MFA_REQUIRED_FOR = ["admin"]
    assert second_factor_required(world.staff)
    assert second_factor_required(UserFactory(is_superuser=True))
    assert not second_factor_required(world.facilitator)
    # Nobody registers programme staff yet: requiring it requires nothing so far.
    settings.MFA_REQUIRED_FOR = ["programme_staff"]
    assert not second_factor_required(world.staff)


def test_roles_are_a_closed_list():
    with pytest.raises(ValueError):
        mfa_role_register("coach", lambda user: True)


def test_token_issue_allowed(settings):
    plain = UserFactory()
    assert token_issue_allowed(plain, verified=False)
    with_device = UserFactory()
    enrol(with_device)
    assert not token_issue_allowed(with_device, verified=False)
    assert token_issue_allowed(with_device, verified=True)
    settings.MFA_REQUIRED_FOR = ["admin"]
    admin = UserFactory(is_staff=True)
    assert not token_issue_allowed(admin, verified=False)


def test_whether_it_is_on_follows_changes_made_elsewhere():
    """Turned on or off anywhere (the admin, a shell, another web worker): the next request,
    which loads the person afresh, sees it — there is no per-process cache to go stale."""
    user = UserFactory()
    device, _codes = enrol(user)
    assert mfa_enabled(User.objects.get(pk=user.pk))
    TOTPDevice.objects.get(pk=device.pk).delete()  # e.g. in the admin: another instance
    assert not mfa_enabled(User.objects.get(pk=user.pk))
    TOTPDevice.objects.create(user_id=user.pk, name="again", confirmed=True)
    assert mfa_enabled(User.objects.get(pk=user.pk))
