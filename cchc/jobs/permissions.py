"""Who sees a job: the person who asked, admins, and the standing agency of the job's unit or of a
unit above it (the office that oversees that work). Nobody else learns the job exists (404)."""

from django.db.models import Q

from cchc.org.permissions import scope_for


def visible_q(user) -> Q:
    scope = scope_for(user)
    if scope.is_admin:
        return Q()
    q = Q(user_id=user.pk)
    for path in scope.review_paths:
        q |= Q(unit__path__startswith=path)
    return q


def can_see(user, job) -> bool:
    scope = scope_for(user)
    if scope.is_admin or (job.user_id and job.user_id == user.pk):
        return True
    return job.unit is not None and any(job.unit.path.startswith(p) for p in scope.review_paths)
