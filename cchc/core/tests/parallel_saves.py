"""Run by test_parallel_saves in a process of its own, on a file-backed SQLite database (an in-memory
test database cannot be shared by threads the way the embedded deployment shares its file).

Twenty people save the same report at once, first without a version, then all with the version they
read. Prints the statuses as JSON.
"""

import json
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import django

SAVES = 20


def build():
    from cchc.org import services as org
    from cchc.org.models import Unit
    from cchc.plans import services as plans
    from cchc.reporting import services

    city = org.unit_create(actor=None, code="HP", name="Thành phố Hải Phòng", kind=Unit.Kind.CITY)
    org.unit_create(
        actor=None,
        code="SNV",
        name="Sở Nội vụ",
        kind=Unit.Kind.DEPARTMENT,
        parent=city,
        standing_agency_for=city,
    )
    commune = org.unit_create(
        actor=None, code="10930", name="Xã Mao Điền", kind=Unit.Kind.COMMUNE, parent=city
    )
    plan = plans.plan_create(
        actor=None, issuer=commune, title="Kế hoạch CCHC", year_start=2026, year_end=2026, status="issued"
    )
    plans.task_create(actor=None, plan=plan, area=1, number="1", content="Rà soát văn bản", time_text="2026")
    rule_set = services.rule_set_create_hai_phong(actor=None, issuer=city)
    period = services.periods_open_year(actor=None, rule_set=rule_set, year=2026)[0]
    report = services.report_start(actor=None, period=period, unit=commune)
    users = []
    for i in range(SAVES):
        user = org.user_create(
            actor=None, username=f"officer{i}", password="x-x-x-x-x-1", full_name=f"Cán bộ {i}"
        )
        org.membership_grant(actor=None, user=user, unit=commune, role="officer")
        users.append(user)
    return report, users


def run() -> dict:
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from cchc.reporting.models import UnitReport

    report, users = build()
    clients = []
    for user in users:
        client = Client(raise_request_exception=False)
        client.force_login(user)
        clients.append(client)
    connection.close()
    url = reverse("reporting:report_save", args=[report.pk])

    def wave(with_version: bool) -> list[int]:
        barrier = threading.Barrier(SAVES)

        def save(i: int) -> int:
            data = {"narrative_causes": f"Nguyên nhân do cán bộ {i} nhập"}
            if with_version:
                data["version"] = str(report.version)
            barrier.wait()
            try:
                return clients[i].post(url, data).status_code
            finally:
                connection.close()

        with ThreadPoolExecutor(SAVES) as pool:
            return list(pool.map(save, range(SAVES)))

    # What the refusal says, so the test knows it is the version check answering and not something else.
    refusal = clients[0].post(url, {"narrative_causes": "x"}).content.decode()
    without = wave(False)
    after_without = UnitReport.objects.get(pk=report.pk).version
    same = wave(True)
    final = UnitReport.objects.get(pk=report.pk)
    return {
        "refusal": refusal,
        "without_version": without,
        "version_after_without": after_without,
        "same_version": same,
        "final_version": final.version,
        "final_causes": final.narrative.get("causes", ""),
    }


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc.settings")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    json.dump(run(), sys.stdout)
