"""Every main page carries the Content-Security-Policy and has nothing inline for it to block."""

import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from cchc.testing import PERSONAS

STRICT = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
)


class _InlineFinder(HTMLParser):
    """Collects what a strict policy blocks: inline scripts, on*="" handlers, javascript: links,
    <style> blocks and style="" attributes."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script" and not names.get("src"):
            self.found.append("inline <script>")
        if tag == "style":
            self.found.append("<style> block")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if name == "style":
                self.found.append(f"<{tag} style={value!r}>")
            if name in {"href", "src", "action"} and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:…>")


def inline_content(html: str) -> list[str]:
    finder = _InlineFinder()
    finder.feed(html)
    return finder.found


def test_the_finder_sees_what_the_policy_would_block():
    html = (
        '<script>alert(1)</script><script src="/static/a.js"></script><button onclick="x()">'
        '<span style="width:5%"></span><a href="javascript:void(0)">'
    )
    assert inline_content(html) == [
        "inline <script>",
        "<button onclick=…>",
        "<span style='width:5%'>",
        "<a href=javascript:…>",
    ]


@pytest.fixture
def pages(world, personas):
    """One of each main page, with the state it needs built through the services."""
    from cchc.delivery import services as delivery
    from cchc.delivery.tests.factories import dossier, write_csv
    from cchc.docimport import services as docimport
    from cchc.plans import services as plans
    from cchc.reporting import services as reporting

    image = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(image, "PNG")
    evidence = plans.evidence_attach(
        actor=None, task=world.task, upload=SimpleUploadedFile("anh.png", image.getvalue(), "image/png")
    )
    rule_set = reporting.rule_set_create_hai_phong(actor=personas["city_standing"], issuer=world.city)
    period = reporting.periods_open_year(actor=personas["city_standing"], rule_set=rule_set, year=2026)[0]
    report = reporting.report_start(actor=None, period=period, unit=world.mao_dien)
    from django.conf import settings

    rows = [dossier("10930", i, "2026-01-05 09:00", online=i <= 3) for i in range(1, 6)]
    delivery.dossiers_import(actor=None, path=write_csv(settings.MEDIA_ROOT / "mot-cua.csv", rows))
    draft = docimport.draft_create(
        actor=personas["officer"],
        data=(
            "II. MỤC TIÊU VÀ NHIỆM VỤ CỤ THỂ\n1. Cải cách thủ tục hành chính\na) Mục tiêu\n"
            "- 100% thủ tục hành chính được công khai.\nb) Nhiệm vụ\n- Rà soát thủ tục hành chính.\n"
        ).encode(),
        filename="ke-hoach.txt",
        issuer=world.mao_dien,
    )
    target = world.plan.targets.first()
    return {
        "officer": [
            reverse("home"),
            reverse("plans:plan_list"),
            reverse("plans:plan_detail", args=[world.plan.pk]),
            reverse("plans:plan_alignment", args=[world.plan.pk]),
            reverse("plans:plan_import", args=[world.plan.pk]),
            reverse("plans:task_list"),
            reverse("plans:task_list") + "?q=dat+dai&status=not_started&overdue=on",
            reverse("plans:task_detail", args=[evidence.task_id]),
            reverse("plans:task_edit", args=[world.task.pk]),
            reverse("plans:task_structure_edit", args=[world.task.pk]),
            reverse("plans:target_list"),
            reverse("plans:target_edit", args=[target.pk]),
            reverse("reporting:period_list"),
            reverse("reporting:report_detail", args=[report.pk]),
            reverse("notices:list"),
            reverse("notices:preferences"),
            reverse("portal:home"),
            reverse("delivery:overview"),
            reverse("delivery:targets"),
            reverse("delivery:late_dossiers") + "?don-vi=10930&ky=2026-01",
            reverse("delivery:overview") + "?don-vi=10930&ky=2026-01",
            reverse("docimport:upload"),
            reverse("docimport:review", args=[draft.pk]),
            reverse("unit_tree"),
            reverse("object_history", args=["plans.task", world.task.pk]),
            reverse("password_change"),
            "/khong-co-trang-nay/",
        ],
        "city_standing": [
            reverse("reporting:period_detail", args=[period.pk]),
            reverse("reporting:consolidation", args=[period.pk]),
            reverse("delivery:imports"),
        ],
        None: [
            reverse("login"),
            reverse("password_reset"),
            reverse("password_reset_done"),
            reverse("password_reset_confirm", args=["MQ", "sai-ma"]),
        ],
    }


def _check(client, url, *, htmx=False):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = client.get(url, follow=True, **headers)
    expected = 404 if url == "/khong-co-trang-nay/" else 200
    assert response.status_code == expected, f"{url}: {response.status_code}"
    assert response["Content-Security-Policy"] == STRICT, url
    found = inline_content(response.content.decode())
    return [f"{url}: {item}" for item in found]


@pytest.mark.django_db
def test_every_main_page_has_the_policy_and_nothing_inline(pages, personas, login):
    problems = []
    for who, urls in pages.items():
        client = login(personas[who] if who else None)
        for url in urls:
            problems += _check(client, url)
    problems += _check(login(personas["officer"]), reverse("plans:task_list") + "?q=dat", htmx=True)
    assert problems == [], "\n".join(problems)


@pytest.mark.django_db
def test_each_personas_home_has_the_policy_and_nothing_inline(world, personas, login):
    problems = []
    for who in PERSONAS[1:]:
        problems += _check(login(personas[who]), reverse("home"))
    assert problems == [], "\n".join(problems)


@pytest.mark.django_db
def test_the_lockout_page_has_the_policy_and_nothing_inline(personas, client):
    for i in range(5):
        response = client.post(reverse("login"), {"username": "officer", "password": f"sai-{i}"})
    assert response.status_code == 429
    assert response["Content-Security-Policy"] == STRICT
    assert inline_content(response.content.decode()) == []


@pytest.mark.django_db
def test_the_admin_has_the_same_policy_and_nothing_inline(world, personas, login):
    """Django 5.2's admin loads its scripts from static files, so it needs no relaxed policy."""
    from django.contrib import admin

    client = login(personas["admin"])
    urls = [reverse("admin:index"), reverse("admin:org_user_change", args=[personas["officer"].pk])]
    for model in admin.site._registry:
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls += [reverse(f"{name}_changelist"), reverse(f"{name}_add")]
    problems = []
    for url in urls:
        response = client.get(url)
        assert response.status_code in {200, 403}, url  # 403: records nobody adds by hand
        assert response["Content-Security-Policy"] == STRICT, url
        problems += [f"{url}: {item}" for item in inline_content(response.content.decode())]
    assert problems == [], "\n".join(problems)


def test_the_report_only_switch_names_the_other_header(settings, rf):
    from django.http import HttpResponse

    from cchc.core.middleware import ContentSecurityPolicyMiddleware

    settings.CSP_REPORT_ONLY = True
    response = ContentSecurityPolicyMiddleware(lambda request: HttpResponse("ok"))(rf.get("/"))
    assert response["Content-Security-Policy-Report-Only"] == STRICT
    assert "Content-Security-Policy" not in response


def test_djangos_debug_error_pages_keep_their_inline_styles_but_only_with_debug_on(settings, rf):
    from django.http import HttpResponse, HttpResponseNotFound

    from cchc.core.middleware import ContentSecurityPolicyMiddleware

    settings.DEBUG = True
    debug_404 = ContentSecurityPolicyMiddleware(lambda request: HttpResponseNotFound("debug"))(rf.get("/"))
    page = ContentSecurityPolicyMiddleware(lambda request: HttpResponse("ok"))(rf.get("/"))
    assert "Content-Security-Policy" not in debug_404
    assert page["Content-Security-Policy"] == STRICT
    settings.DEBUG = False
    production_404 = ContentSecurityPolicyMiddleware(lambda request: HttpResponseNotFound("x"))(rf.get("/"))
    assert production_404["Content-Security-Policy"] == STRICT


def test_no_template_of_ours_has_anything_inline():
    """Every template file, rendered or not: the policy would block what this finds."""
    root = Path(__file__).resolve().parents[2]
    files = sorted({*root.glob("templates/**/*.html"), *root.glob("*/templates/**/*.html")})
    assert len(files) > 30
    problems = []
    for path in files:
        # Template tags are not HTML: blank them so the parser sees only the markup around them.
        markup = re.sub(
            r"{% comment %}.*?{% endcomment %}|{#.*?#}|{%.*?%}|{{.*?}}",
            "x",
            path.read_text(encoding="utf-8"),
            flags=re.S,
        )
        problems += [f"{path.relative_to(root)}: {item}" for item in inline_content(markup)]
    assert problems == [], "\n".join(problems)
