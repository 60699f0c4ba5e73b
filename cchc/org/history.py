from django.http import Http404

from cchc.core import history
from cchc.org.models import Unit
from cchc.org.permissions import scope_for


def access_unit(user, pk: int) -> Unit:
    unit = Unit.objects.filter(pk=pk).first()
    if unit is None or not scope_for(user).can_read_unit(unit):
        raise Http404("Không tìm thấy đơn vị.")
    return unit


history.register(Unit, access_unit)
