from cchc.core import history
from cchc.reporting.models import UnitReport
from cchc.reporting.permissions import access_report

history.register(UnitReport, access_report)
