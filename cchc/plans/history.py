from cchc.core import history
from cchc.plans.models import Plan, Target, Task
from cchc.plans.permissions import access_plan, access_target, access_task

# Keys of the audit rows that are not fields with a Vietnamese verbose name.
_LABELS = {"plan": "kế hoạch", "evidence": "tài liệu kiểm chứng"}

history.register(Plan, access_plan, labels=_LABELS)
history.register(Target, access_target, labels=_LABELS)
history.register(Task, access_task, labels=_LABELS)
