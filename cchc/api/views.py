"""The page where a standing agency or an admin issues and revokes API tokens (Vietnamese)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cchc.api import services
from cchc.api.models import ApiToken
from cchc.api.permissions import can_manage_tokens, can_manage_tokens_for
from cchc.delivery.services import can_manage_data
from cchc.org.models import Unit
from cchc.org.permissions import scope_for


def _manageable_units(user):
    return [
        u
        for u in Unit.objects.filter(scope_for(user).subtree_units_q()).order_by("path")
        if can_manage_tokens_for(user, u)
    ]


@login_required
def token_list(request):
    if not can_manage_tokens(request.user):
        raise Http404
    units = _manageable_units(request.user)
    secret = None
    if request.method == "POST":
        unit = next((u for u in units if str(u.pk) == request.POST.get("unit")), None)
        try:
            if unit is None:
                raise ValidationError("Hãy chọn đơn vị trong phạm vi của bạn.")
            token, secret = services.token_create(
                actor=request.user,
                integration_name=request.POST.get("integration", ""),
                unit=unit,
                access=request.POST.get("access", ""),
                pushes_dossiers=request.POST.get("pushes_dossiers") == "1",
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, "Đã cấp khóa API. Hãy sao chép khóa ngay: khóa chỉ hiện một lần.")
    ids = [u.pk for u in units]
    tokens = (
        ApiToken.objects.filter(unit_id__in=ids).select_related("integration", "unit").order_by("-created_at")
    )
    return render(
        request,
        "api/tokens.html",
        {
            "tokens": tokens,
            "units": units,
            "secret": secret,
            "accesses": ApiToken.Access.choices,
            "can_grant_push": can_manage_data(request.user),
        },
    )


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(ApiToken.objects.select_related("unit"), pk=pk)
    if not can_manage_tokens_for(request.user, token.unit):
        raise Http404
    services.token_revoke(actor=request.user, token=token)
    messages.success(request, "Đã thu hồi khóa API; các hệ thống dùng khóa này sẽ bị từ chối (401).")
    return redirect("api_tokens")
