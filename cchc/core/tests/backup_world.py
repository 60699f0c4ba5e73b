"""Run by test_backup_restore in processes of their own, each on its own file-backed SQLite database
and store directories, as an operator would: ``backup ARCHIVE`` builds a populated site and backs it
up; ``visit ARCHIVE`` restores it into a fresh database and fresh stores and requests every page.
Prints JSON."""

import json
import os
import sys
from datetime import date

import django


def populate() -> None:
    import tempfile
    from pathlib import Path

    from django.core.files.uploadedfile import SimpleUploadedFile

    from cchc.delivery import services as delivery
    from cchc.delivery.tests.factories import dossier, write_csv
    from cchc.org import services as org
    from cchc.org.models import Unit
    from cchc.plans import services as plans
    from cchc.reporting import services as reporting

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
    org.user_create(
        actor=None, username="quantri", password="mat-khau-1-2-3", full_name="Quản trị", is_superuser=True
    )
    plan = plans.plan_create(
        actor=None,
        issuer=commune,
        number="84/KH-UBND",
        title="Kế hoạch CCHC xã Mao Điền",
        year_start=2026,
        year_end=2026,
        status="issued",
    )
    plans.target_create(
        actor=None,
        plan=plan,
        area=2,
        text="Tỷ lệ hồ sơ trực tuyến đạt 85%",
        comparator="gte",
        threshold=85,
        unit_of_measure="%",
    )
    task = plans.task_create(
        actor=None, plan=plan, area=1, number="1", content="Rà soát văn bản", time_text="2026"
    )
    from cchc.core.tests.samples import tiny_pdf

    plans.evidence_attach(
        actor=None,
        task=task,
        upload=SimpleUploadedFile("bien-ban.pdf", tiny_pdf()),
        kind="report",
    )
    rule_set = reporting.rule_set_create_hai_phong(actor=None, issuer=city)
    period = reporting.periods_open_year(actor=None, rule_set=rule_set, year=2026)[0]
    report = reporting.report_start(actor=None, period=period, unit=commune)
    reporting.report_save(
        actor=None, report=report, expected_version=report.version, narrative={"causes": "Thiếu nhân lực"}
    )
    rows = [dossier("10930", i, f"2026-01-{5 + i % 5:02d} 09:00", done_days=1 + i % 6) for i in range(1, 40)]
    with tempfile.TemporaryDirectory() as tmp:
        batch = delivery.dossiers_import(actor=None, path=write_csv(Path(tmp) / "mot-cua.csv", rows))
    assert batch.status == "succeeded", batch.errors


def pages() -> dict[str, int]:
    from django.test import Client
    from django.urls import reverse

    from cchc.delivery.models import DossierImport
    from cchc.org.models import User
    from cchc.plans.models import Plan, Task, TaskEvidence
    from cchc.reporting.models import ReportingPeriod, UnitReport

    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(username="quantri"))
    plan, task, evidence = Plan.objects.get(), Task.objects.get(), TaskEvidence.objects.get()
    report, batch = UnitReport.objects.get(), DossierImport.objects.get()
    period = ReportingPeriod.objects.get(pk=report.period_id)
    late = f"?don-vi=10930&ky={date(2026, 1, 1):%Y-%m}"
    urls = [
        reverse("home"),
        reverse("unit_tree"),
        reverse("plans:plan_list"),
        reverse("plans:plan_detail", args=[plan.pk]),
        reverse("plans:plan_export", args=[plan.pk]),
        reverse("plans:task_list"),
        reverse("plans:task_detail", args=[task.pk]),
        reverse("plans:evidence_download", args=[evidence.pk]),
        reverse("plans:target_list"),
        reverse("reporting:period_list"),
        reverse("reporting:period_detail", args=[period.pk]),
        reverse("reporting:report_detail", args=[report.pk]),
        reverse("reporting:report_export", args=[report.pk, "docx"]),
        reverse("reporting:consolidation", args=[period.pk]),
        reverse("delivery:overview") + late,
        reverse("delivery:overview_xlsx") + late,
        reverse("delivery:late_dossiers") + late,
        reverse("delivery:late_dossiers_xlsx") + late,
        reverse("delivery:targets"),
        reverse("delivery:imports"),
        reverse("delivery:import_detail", args=[batch.pk]),
        reverse("object_history", args=["plans.task", task.pk]),
    ]
    statuses = {url: client.get(url).status_code for url in urls}
    late_page = client.get(reverse("delivery:late_dossiers") + late).content.decode()
    statuses["late rows shown"] = 200 if "10930-26010" in late_page else 0
    return statuses


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc.settings")
    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's "testserver" host, locmem e-mail
    mode, archive = sys.argv[1], sys.argv[2]
    if mode == "backup":
        call_command("migrate", verbosity=0, interactive=False)
        populate()
        call_command("backup", output=archive, stdout=sys.stderr)
        json.dump({"ok": True}, sys.stdout)
    else:
        call_command("restore", archive, stdout=sys.stderr)
        json.dump(pages(), sys.stdout)
