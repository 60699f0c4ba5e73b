"""The one task the queue knows: run job N. Everything else is in cchc.jobs.services."""

from django_tasks import task


@task()
def run_job(job_id: int) -> str:
    from cchc.jobs.services import execute

    return execute(job_id)
