"""Codes as an authenticator app would show them, and a person with the second factor on."""

import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.mfa import totp_enrolment_confirm, totp_enrolment_start
from accounts.models import User
from tests.support.browser import FACTORY_PASSWORD


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the app shows now (or `steps_ahead` steps of 30 s later: a device accepts one
    step either side, and never the same step twice)."""
    totp = TOTP(key=device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def code_used_last(device: TOTPDevice) -> str:
    """The code of the step the device accepted last (a reuse, whatever the clock says now:
    code_for(device) would be a fresh code once a 30 s boundary passed since)."""
    device.refresh_from_db()
    totp = TOTP(key=device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    totp.time = device.t0 + device.last_t * device.step
    return f"{totp.token():0{device.digits}d}"


def enrol(user: User) -> tuple[TOTPDevice, list[str]]:
    """Turn the second factor on for `user` (through the services, with the factory password);
    the confirming code used the current step, so the next accepted code is code_for(device, 1)."""
    device, _url = totp_enrolment_start(user=user)
    device, codes = totp_enrolment_confirm(
        user=user, code=code_for(device), password=FACTORY_PASSWORD
    )
    return device, codes
