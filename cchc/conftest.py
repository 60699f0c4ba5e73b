"""Shared test world: a small city built through the services, and one persona per role.

city ── Sở Nội vụ (standing agency of the city)
    ├── Sở Giáo dục và Đào tạo ── Văn phòng Sở (standing agency of the department)
    ├── Xã Mao Điền ── Văn phòng HĐND và UBND, Phòng Văn hóa - Xã hội (standing agency of the commune)
    └── Xã Nam Sách ── Phòng Văn hóa - Xã hội
"""

import os
from dataclasses import dataclass
from datetime import date

import pytest

os.environ.setdefault("CCHC_TESTING", "1")

PASSWORD = "mat-khau-thu-nghiem"


@dataclass
class World:
    city: object
    home_affairs: object
    education: object
    education_office: object
    mao_dien: object
    mao_dien_office: object
    mao_dien_culture: object
    nam_sach: object
    city_plan: object
    city_satisfaction: object
    city_online: object
    plan: object
    plan_b: object
    task: object
    subtask: object
    office_task: object
    task_b: object


@pytest.fixture
def world(db) -> World:
    from cchc.org import services as org
    from cchc.org.models import Unit
    from cchc.plans import services as plans

    city = org.unit_create(
        actor=None, code="HP", name="Ủy ban nhân dân thành phố Hải Phòng", kind=Unit.Kind.CITY
    )
    home_affairs = org.unit_create(
        actor=None,
        code="SNV",
        name="Sở Nội vụ",
        kind=Unit.Kind.DEPARTMENT,
        parent=city,
        block=Unit.Block.DEPARTMENT,
        standing_agency_for=city,
    )
    education = org.unit_create(
        actor=None,
        code="SGDDT",
        name="Sở Giáo dục và Đào tạo",
        kind=Unit.Kind.DEPARTMENT,
        parent=city,
        block=Unit.Block.DEPARTMENT,
    )
    education_office = org.unit_create(
        actor=None,
        code="SGDDT-VP",
        name="Văn phòng Sở",
        kind=Unit.Kind.OFFICE,
        parent=education,
        standing_agency_for=education,
    )
    mao_dien = org.unit_create(
        actor=None,
        code="10930",
        name="Xã Mao Điền",
        kind=Unit.Kind.COMMUNE,
        parent=city,
        block=Unit.Block.COMMUNE,
    )
    mao_dien_office = org.unit_create(
        actor=None,
        code="10930-VP",
        name="Văn phòng HĐND và UBND",
        kind=Unit.Kind.OFFICE,
        parent=mao_dien,
        aliases=["Văn phòng HĐND&UBND"],
    )
    mao_dien_culture = org.unit_create(
        actor=None,
        code="10930-VHXH",
        name="Phòng Văn hóa - Xã hội",
        kind=Unit.Kind.DIVISION,
        parent=mao_dien,
        standing_agency_for=mao_dien,
    )
    nam_sach = org.unit_create(
        actor=None,
        code="10606",
        name="Xã Nam Sách",
        kind=Unit.Kind.COMMUNE,
        parent=city,
        block=Unit.Block.COMMUNE,
    )
    org.unit_create(
        actor=None,
        code="10606-VHXH",
        name="Phòng Văn hóa - Xã hội",
        kind=Unit.Kind.DIVISION,
        parent=nam_sach,
        standing_agency_for=nam_sach,
    )

    city_plan = plans.plan_create(
        actor=None,
        issuer=city,
        number="3470/QĐ-UBND",
        title="Kế hoạch CCHC thành phố 2026 - 2030",
        year_start=2026,
        year_end=2030,
        status="issued",
        issued_on=date(2025, 8, 27),
    )
    city_satisfaction = plans.target_create(
        actor=None,
        plan=city_plan,
        area=2,
        text="Mức độ hài lòng về giải quyết TTHC đạt tối thiểu 95%",
        metric="Mức độ hài lòng về giải quyết TTHC",
        comparator="gte",
        threshold=95,
        unit_of_measure="%",
        key="satisfaction_tthc",
    )
    city_online = plans.target_create(
        actor=None,
        plan=city_plan,
        area=2,
        text="Tỷ lệ hồ sơ giải quyết trực tuyến từ 85% trở lên",
        metric="Tỷ lệ hồ sơ trực tuyến",
        comparator="gte",
        threshold=85,
        unit_of_measure="%",
        key="dossiers_online_rate",
    )
    plans.target_create(
        actor=None,
        plan=city_plan,
        area=5,
        text="Giảm 15% chi trực tiếp từ ngân sách cho đơn vị sự nghiệp",
        comparator="reduce_by",
        threshold=15,
        unit_of_measure="%",
    )
    plan = plans.plan_create(
        actor=None,
        issuer=mao_dien,
        number="84/KH-UBND",
        title="Kế hoạch CCHC xã Mao Điền 2026 - 2030",
        year_start=2026,
        year_end=2030,
        parent=city_plan,
        status="issued",
    )
    plans.target_create(
        actor=None,
        plan=plan,
        area=2,
        text="Mức độ hài lòng về giải quyết TTHC đạt tối thiểu 90%",
        comparator="gte",
        threshold=90,
        unit_of_measure="%",
        parent_target=city_satisfaction,
    )
    plans.target_create(
        actor=None,
        plan=plan,
        area=2,
        text="Tỷ lệ hồ sơ giải quyết trực tuyến từ 90% trở lên",
        comparator="gte",
        threshold=90,
        unit_of_measure="%",
        parent_target=city_online,
    )
    task = plans.task_create(
        actor=None,
        plan=plan,
        area=1,
        number="1",
        content="Rà soát danh mục văn bản quy phạm pháp luật",
        lead=["Phòng Văn hóa – Xã hội"],
        partners=["Các cơ quan, đơn vị"],
        product="Danh mục văn bản",
        time_text="2026- 02/2027",
    )
    subtask = plans.task_create(
        actor=None,
        plan=plan,
        area=1,
        number="-",
        content="Rà soát văn bản về đất đai",
        parent=task,
        lead=["Phòng Văn hóa - Xã hội"],
        time_text="Quý II/2026",
    )
    office_task = plans.task_create(
        actor=None,
        plan=plan,
        area=2,
        number="1",
        content="Ban hành kế hoạch kiểm soát thủ tục hành chính",
        lead=["Văn phòng HĐND và UBND xã"],
        partners=["Các cơ quan, đơn vị"],
        product="Kế hoạch",
        time_text="Tháng 12/2026",
    )
    plan_b = plans.plan_create(
        actor=None,
        issuer=nam_sach,
        number="51/KH-UBND",
        title="Kế hoạch CCHC xã Nam Sách 2026 - 2030",
        year_start=2026,
        year_end=2030,
        parent=city_plan,
    )
    task_b = plans.task_create(
        actor=None,
        plan=plan_b,
        area=1,
        number="1",
        content="Rà soát văn bản quy phạm pháp luật của xã",
        lead=["Phòng Văn hóa - Xã hội"],
        time_text="2026-2030",
    )
    return World(
        city,
        home_affairs,
        education,
        education_office,
        mao_dien,
        mao_dien_office,
        mao_dien_culture,
        nam_sach,
        city_plan,
        city_satisfaction,
        city_online,
        plan,
        plan_b,
        task,
        subtask,
        office_task,
        task_b,
    )


def _person(username: str, unit, role: str, *, superuser: bool = False):
    from cchc.org import services as org

    user = org.user_create(
        actor=None, username=username, password=PASSWORD, full_name=username, is_superuser=superuser
    )
    if unit is not None:
        org.membership_grant(actor=None, user=user, unit=unit, role=role)
    return user


@pytest.fixture
def personas(world):
    """One person per role; `anonymous` is None."""
    return {
        "anonymous": None,
        "officer": _person("officer", world.mao_dien, "officer"),
        "office_officer": _person("office_officer", world.mao_dien_office, "officer"),
        "head": _person("head", world.mao_dien, "head"),
        "commune_standing": _person("commune_standing", world.mao_dien_culture, "standing"),
        "sibling": _person("sibling", world.nam_sach, "officer"),
        "city_standing": _person("city_standing", world.home_affairs, "standing"),
        "department_officer": _person("department_officer", world.education, "officer"),
        "leader": _person("leader", world.city, "viewer"),
        "admin": _person("admin", None, "admin", superuser=True),
    }


@pytest.fixture
def login(client):
    def _login(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return _login


@pytest.fixture(scope="session", autouse=True)
def _stores_per_test_process(tmp_path_factory):
    """Module-scoped fixtures (the demo) write files before any test's own settings apply: give each
    test process its own stores, so parallel workers never share the dossier store's import lock."""
    from django.conf import settings as django_settings

    root = tmp_path_factory.mktemp("stores")
    django_settings.MEDIA_ROOT = root / "media"
    django_settings.DOSSIER_STORE_DIR = root / "dossiers"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Evidence files and dossier snapshots of a test live and die with the test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DOSSIER_STORE_DIR = tmp_path / "dossiers"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: ids rolled back with a test's transaction come back in
    the next one (SQLite), so a version made of them could name another test's cached result."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def browser():
    """Debian's headless chromium driven by Playwright (no browser download)."""
    from playwright.sync_api import sync_playwright

    from cchc.testing import launch_chromium

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()
