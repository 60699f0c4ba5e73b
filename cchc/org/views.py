from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.shortcuts import render

from cchc.core import security
from cchc.core.text import fold
from cchc.org.models import Unit
from cchc.org.permissions import scope_for


@login_required
def unit_tree(request):
    """The units the user may read, as a tree; reporting units first, their sub-units folded away."""
    scope = scope_for(request.user)
    units = list(
        Unit.objects.filter(scope.subtree_units_q())
        .annotate(plan_count=Count("plans"))
        .order_by("depth", "sort_order", "name")
    )
    query = fold(request.GET.get("q", ""))
    by_parent: dict[int | None, list[Unit]] = {}
    ids = {u.pk for u in units}
    for unit in units:
        parent_id = unit.parent_id if unit.parent_id in ids else None
        by_parent.setdefault(parent_id, []).append(unit)
    rows: list[tuple[Unit, int]] = []

    def walk(parent_id, level):
        for unit in by_parent.get(parent_id, []):
            rows.append((unit, level))
            walk(unit.pk, level + 1)

    walk(None, 0)
    if query:
        rows = [(u, level) for u, level in rows if query in fold(u.name) or query in fold(u.code)]
    return render(
        request, "org/unit_tree.html", {"rows": rows, "q": request.GET.get("q", ""), "total": len(units)}
    )


class PasswordChange(auth_views.PasswordChangeView):
    """Change one's own password; the write goes through ``security.password_set`` (audit row)."""

    def form_valid(self, form):
        security.password_set(
            actor=self.request.user, user=form.user, password=form.cleaned_data["new_password1"], how="change"
        )
        # Keeps this session signed in; the person's other sessions end with the old password.
        update_session_auth_hash(self.request, form.user)
        return HttpResponseRedirect(self.get_success_url())


class PasswordChangeDone(auth_views.PasswordChangeDoneView):
    pass


class _ResetForm(PasswordResetForm):
    """Also mails accounts without a usable password: imported accounts get their first password this way."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Địa chỉ thư điện tử"

    def get_users(self, email):
        from cchc.org.models import User

        candidates = User.objects.filter(email__iexact=email, is_active=True)
        return (user for user in candidates if user.email and user.email.casefold() == email.casefold())


class PasswordReset(auth_views.PasswordResetView):
    form_class = _ResetForm
    subject_template_name = "registration/password_reset_subject.txt"
    email_template_name = "registration/password_reset_email.txt"


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        security.password_set(
            actor=form.user, user=form.user, password=form.cleaned_data["new_password1"], how="reset"
        )
        del self.request.session[INTERNAL_RESET_SESSION_TOKEN]
        return HttpResponseRedirect(self.get_success_url())
