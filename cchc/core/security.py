"""Login security: the lockout backend, the client address behind the proxy, and audit rows for
failed logins and lockouts (django-axes does the counting)."""

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cchc.core import audit
from cchc.core.models import AuditEntry


class LockoutBackend(AxesStandaloneBackend):
    """Refuses any login of a locked-out account or address, before the password is even checked.

    A call without a request (the test client's login(), a shell) is not a web login and cannot be
    throttled by address, so it is left to the next backend instead of failing with an error.
    """

    def authenticate(self, request: HttpRequest | None, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or the header our reverse proxy sets (CLIENT_IP_HEADER)."""
    header = getattr(settings, "CLIENT_IP_HEADER", "")
    if header:
        value = request.META.get(header, "")
        # X-Forwarded-For grows left to right; the right-most entry is the one our own proxy appended,
        # the others are whatever the client chose to send.
        candidates = [part.strip() for part in value.split(",") if part.strip()]
        if candidates:
            return candidates[-1][:45]
    return request.META.get("REMOTE_ADDR")


class AuditedAxesHandler(AxesDatabaseHandler):
    """django-axes's database handler, plus one audit row per failed login and one per lockout."""

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is None:
            return
        username = (credentials or {}).get("username") or ""
        ip_address = getattr(request, "axes_ip_address", None) or ""
        failures = getattr(request, "axes_failures_since_start", None)
        locked = bool(getattr(request, "axes_locked_out", False))
        instance = get_user_model().objects.filter(username=username).first()
        if instance is None:
            # An unknown name: the row is kept against axes's record of the attempt.
            instance = AccessAttempt.objects.filter(username=username, ip_address=ip_address).first()
        if instance is None:
            return
        changes = {"username": username, "ip_address": ip_address, "failures": failures}
        # axes keeps counting during a lockout; the lockout itself is the failure that reaches the limit.
        newly_locked = locked and failures == settings.AXES_FAILURE_LIMIT
        note = f"Đăng nhập không thành công từ địa chỉ {ip_address}"
        if locked and not newly_locked:
            note += " trong khi đang bị khóa đăng nhập"
        with transaction.atomic():
            audit.record(
                actor=None, action=AuditEntry.Action.STATUS, instance=instance, changes=changes, note=note
            )
            if newly_locked:
                audit.record(
                    actor=None,
                    action=AuditEntry.Action.STATUS,
                    instance=instance,
                    changes=changes,
                    note=(
                        f"Khóa đăng nhập sau {failures} lần sai mật khẩu (tài khoản «{username}», "
                        f"địa chỉ {ip_address}) trong {_minutes(settings.AXES_COOLOFF_TIME)} phút"
                    ),
                )


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """The Vietnamese lockout page, 429 Too Many Requests."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "username": username,
        "cooloff_minutes": _minutes(settings.AXES_COOLOFF_TIME),
    }
    return render(request, "registration/locked_out.html", context, status=429)


def _minutes(delta) -> int:
    return int(delta.total_seconds() // 60)


@transaction.atomic
def password_set(*, actor, user, password: str, how: str) -> None:
    """A person's new password (already validated by Django's password form), with its audit row.

    ``how`` is "change" (signed in, old password given) or "reset" (through the e-mailed link). A reset
    proves the person holds the account's mailbox, so it also lifts a lockout of the account.
    """
    if how not in {"change", "reset"}:
        raise ValueError(how)
    if how == "change" and getattr(actor, "pk", None) != user.pk:
        raise PermissionDenied
    user.set_password(password)
    user.save(update_fields=["password"])
    if how == "reset":
        AccessAttempt.objects.filter(username=user.username).delete()
    audit.record(
        actor=user,
        action=AuditEntry.Action.UPDATE,
        instance=user,
        changes={"password": ["***", "***"]},
        note="Đổi mật khẩu" if how == "change" else "Đặt lại mật khẩu qua liên kết gửi thư điện tử",
    )
