"""Writes for integrations and tokens: create (the secret is returned once), revoke, record a use."""

import hashlib
import hmac
import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cchc.api.models import ApiToken, ApiTokenUse, Integration
from cchc.api.permissions import can_manage_tokens_for
from cchc.core import audit
from cchc.core.text import nfc
from cchc.org.models import Unit

TOKEN_PREFIX = "cchc_"


def hash_secret(secret: str) -> str:
    # Tokens carry 256 random bits: a fast hash is enough (no dictionary to guess from).
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def token_create(
    *, actor, integration_name: str, unit: Unit, access: str, pushes_dossiers: bool = False
) -> tuple[ApiToken, str]:
    """A new token for an integration (created with its service account on first use). Returns the
    token and its full secret, which is shown once and never stored.

    ``pushes_dossiers`` makes the token a data provider (the one-stop system sending dossier exports):
    the delivery rule leaves dossier data to the city's standing agency, so only that agency or an
    admin grants it, and only on a write token over the whole city (an export covers every unit)."""
    if actor is not None and not can_manage_tokens_for(actor, unit):
        raise PermissionDenied("Bạn không có quyền cấp khóa API cho đơn vị này.")
    if pushes_dossiers:
        from cchc.delivery.services import can_manage_data

        if actor is not None and not can_manage_data(actor):
            raise PermissionDenied(
                "Chỉ Sở Nội vụ (cơ quan thường trực cấp thành phố) hoặc quản trị viên được cấp khóa "
                "cung cấp dữ liệu hồ sơ."
            )
        if access != ApiToken.Access.WRITE or unit.parent_id is not None:
            raise ValidationError(
                {
                    "pushes_dossiers": "Khóa cung cấp dữ liệu hồ sơ phải có quyền ghi và phạm vi toàn thành phố."
                }
            )
    name = " ".join(nfc(integration_name).split())
    if not name:
        raise ValidationError({"integration_name": "Hãy nhập tên hệ thống tích hợp."})
    if access not in ApiToken.Access.values:
        raise ValidationError({"access": "Quyền không hợp lệ."})
    integration = Integration.objects.filter(name=name).first()
    if integration is None:
        user = get_user_model()(username=f"api-{secrets.token_hex(6)}", full_name=f"Hệ thống: {name}"[:150])
        user.set_unusable_password()
        user.save()
        integration = Integration.objects.create(name=name, user=user)
        audit.record(actor=actor, action="create", instance=integration, changes={"name": name})
    prefix = secrets.token_hex(6)
    secret = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        integration=integration,
        unit=unit,
        access=access,
        pushes_dossiers=bool(pushes_dossiers),
        prefix=prefix,
        secret_hash=hash_secret(secret),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit.record(
        actor=actor,
        action="create",
        instance=token,
        changes={
            "unit": str(unit),
            "access": token.get_access_display(),
            "pushes_dossiers": token.pushes_dossiers,
        },
    )
    return token, secret


@transaction.atomic
def token_revoke(*, actor, token: ApiToken) -> ApiToken:
    token = ApiToken.objects.select_for_update().select_related("unit").get(pk=token.pk)
    if actor is not None and not can_manage_tokens_for(actor, token.unit):
        raise PermissionDenied("Bạn không có quyền thu hồi khóa API này.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
        audit.record(actor=actor, action="status", instance=token, changes={"revoked_at": token.revoked_at})
    return token


def token_authenticate(secret: str) -> ApiToken | None:
    """The active token this secret belongs to, or None (same answer for unknown, wrong and revoked)."""
    if not secret or not secret.startswith(TOKEN_PREFIX):
        return None
    prefix = secret[len(TOKEN_PREFIX) :].split("_", 1)[0]
    token = (
        ApiToken.objects.select_related("unit", "integration", "integration__user")
        .filter(prefix=prefix, revoked_at=None)
        .first()
    )
    if token is None or not hmac.compare_digest(token.secret_hash, hash_secret(secret)):
        return None
    return token


def token_use_record(*, token: ApiToken, method: str, path: str) -> None:
    ApiTokenUse.objects.create(token=token, method=method[:8], path=path[:300])


def token_actor(token_id: int):
    """The service account of an active token with that token's scope, for work done later on its
    behalf (a queued import). A revoked or missing token refuses the work."""
    from cchc.api.permissions import token_scope

    token = (
        ApiToken.objects.select_related("unit", "integration__user")
        .filter(pk=token_id, revoked_at=None)
        .first()
    )
    if token is None:
        raise ValidationError("Khóa API gửi tệp này đã bị thu hồi; không nhập tệp.")
    user = token.integration.user
    user._cchc_scope = token_scope(token)
    return user
