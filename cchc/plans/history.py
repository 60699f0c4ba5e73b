from cchc.core import history
from cchc.plans.models import Plan, Target, Task
from cchc.plans.permissions import access_plan, access_target, access_task

history.register(Plan, access_plan)
history.register(Target, access_target)
history.register(Task, access_task)
