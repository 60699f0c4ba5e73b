"""Notice pages: my notices (mark one or all read) and how I want to be told."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from cchc.core.params import paginate
from cchc.notices import selectors, services
from cchc.notices.forms import PreferenceForm
from cchc.notices.models import Notice

PER_PAGE = 30


@login_required
def notice_list(request):
    unread_only = request.GET.get("chua-doc") == "1"
    page = paginate(
        selectors.notices_for(request.user, unread_only=unread_only), PER_PAGE, request.GET.get("page")
    )
    return render(
        request,
        "notices/notice_list.html",
        {"page": page, "unread_only": unread_only, "query": "chua-doc=1" if unread_only else ""},
    )


@login_required
@require_POST
def mark_read(request, pk: int):
    notice = get_object_or_404(Notice, pk=pk)
    try:
        services.mark_read(actor=request.user, notice=notice)
    except PermissionDenied as exc:
        raise Http404("Không tìm thấy thông báo.") from exc
    if (
        request.POST.get("open")
        and notice.url
        and url_has_allowed_host_and_scheme(
            notice.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return redirect(notice.url)
    return redirect("notices:list")


@login_required
@require_POST
def mark_all_read(request):
    count = services.mark_all_read(actor=request.user)
    messages.success(
        request, f"Đã đánh dấu {count} thông báo là đã đọc." if count else "Không còn thông báo chưa đọc."
    )
    return redirect("notices:list")


@login_required
def preferences(request):
    form = PreferenceForm(request.POST or None, initial={"channel": selectors.channel_of(request.user)})
    if request.method == "POST" and form.is_valid():
        try:
            services.preference_set(actor=request.user, channel=form.cleaned_data["channel"])
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(request, "Đã lưu cách nhận thông báo.")
            return redirect("notices:preferences")
    return render(request, "notices/preferences.html", {"form": form}, status=400 if form.errors else 200)
