"""No page answers 5xx, whatever it is sent.

Every URL pattern of the project (walked from the resolver, so a new page is fuzzed the day it is
added) is requested as a commune officer and as the city's standing agency, with its path parameters
filled with real ids of the test world and with junk, malformed values at its query parameters and at
every field of every form the page renders (and at the fields of the forms that post to it): NUL bytes,
huge numbers, NaN, Infinity, negatives, other scripts' digits, very long strings, junk files, missing
fields. Hypothesis draws the values, derandomised and without an example database, so every run asks
the same questions.
"""

from __future__ import annotations

import contextlib
import traceback
from datetime import date
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import got_request_exception
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, resolve, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc.core.tests.samples import tiny_pdf

JUNK = [
    "",
    " ",
    "\x00",
    "1\x00",
    "NaN",
    "nan",
    "Infinity",
    "-Infinity",
    "inf",
    "1e309",
    "-1",
    "0",
    "-0",
    "99999999999999999999",
    "9" * 60,
    "1.5",
    "1,5",
    "12,5%",
    "²",
    "٣",
    "１２",
    "Hoàn thành",
    "'; DROP TABLE x; --",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "%00",
    "x" * 5000,
    "2026-13-45",
    "31/02/2026",
    "last",
    "true",
    "[]",
    "{}",
    "\U0001f600",
]
JUNK_INTS = [0, 2**31, 2**63, 10**20, 10**40]
# The values that broke pages before: each is put at every parameter and field by the sweep.
DANGER = ["\x00", "NaN", "Infinity", "-1", "99999999999999999999", "9" * 40, "²", "x" * 3000, "1e309", ""]
KEEP = {"csrfmiddlewaretoken", "version"}
QUERY_NAMES = ["page", "trang", "q", "don-vi", "ky", "linh-vuc", "area", "plan", "status", "lead", "version"]
APP_EXAMPLES = 5
ADMIN_EXAMPLES = 2
PERSONAS = ("officer", "city_standing")


class _Forms(HTMLParser):
    """The forms of a page: action, method, enctype, and each field's name, kind and first value."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self.links: list[str] = []
        self._form: dict | None = None
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href", "").startswith("/"):
            self.links.append(attrs["href"])
        if tag == "form":
            self._form = {
                "action": attrs.get("action") or "",
                "method": (attrs.get("method") or "get").lower(),
                "fields": {},
            }
            self.forms.append(self._form)
            return
        if self._form is None or not attrs.get("name"):
            return
        name = attrs["name"]
        fields = self._form["fields"]
        if tag == "input":
            kind = (attrs.get("type") or "text").lower()
            fields.setdefault(name, ("file" if kind == "file" else "text", attrs.get("value") or ""))
        elif tag == "button" and attrs.get("value"):
            fields.setdefault(name, ("text", attrs["value"]))
        elif tag == "textarea":
            fields.setdefault(name, ("text", ""))
        elif tag == "select":
            self._select = name
            fields.setdefault(name, ("text", ""))
        elif tag == "option" and self._select and not fields[self._select][1]:
            fields[self._select] = ("text", attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def _patterns(resolver=None, prefix: str = "", namespace: str | None = None):
    """(route, name, parameter names) for every named URL pattern, admin included."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _patterns(pattern, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield prefix + str(pattern.pattern), name, list(pattern.pattern.regex.groupindex)


# Apps whose pages are walked with junk and made-up ids only, because the world below has none of their
# objects yet. Each entry names why; the coverage check below stays strict for everything else.
NOT_YET_IN_THE_FUZZ_WORLD: tuple[str, ...] = (
    "api:",  # the REST API answers JSON, not pages: Schemathesis fuzzes it against its schema (cchc/api/tests)
)


def _par_index_survey_and_initiative(world, personas) -> None:
    """A PAR Index season in self-assessment with evidence, a published one, a closed and published
    SIPAS round with answers, and an initiatives campaign taken to its recognition decision."""
    import uuid

    from cchc.conftest import _person
    from cchc.initiatives import services as initiatives
    from cchc.initiatives.tests.conftest import AUTHORS, CRITERIA, DEADLINE, FIELDS, form_data
    from cchc.org import services as org
    from cchc.org.models import Unit
    from cchc.scoring import samples
    from cchc.scoring import services as scoring
    from cchc.surveys import services as surveys
    from cchc.surveys.tests.conftest import all_answers

    standing = personas["city_standing"]
    for year, block, stage in ((2026, Unit.Block.COMMUNE, "self"), (2025, Unit.Block.WARD, "published")):
        criteria_set = scoring.set_create(
            actor=standing,
            year=year,
            block=block,
            title=samples.sample_title(block, year),
            appraised_points=60,
            survey_points=40,
            rows=samples.sample_rows(block),
            is_sample=True,
        )
        season = scoring.season_open(
            actor=standing,
            criteria_set=criteria_set,
            self_deadline=date(year + 1, 1, 20),
            explanation_deadline=date(year + 1, 2, 20),
        )
        if stage == "published":
            for to_stage in ("appraisal", "explanation"):
                season = scoring.season_advance(actor=standing, season=season, to_stage=to_stage)
            season = scoring.season_lock(actor=standing, season=season, reason="Kết luận của Hội đồng")
            scoring.season_publish(actor=standing, season=season, note="Công bố kết quả")
            continue
        scoring.council_add_member(
            actor=standing, season=season, user=personas["city_standing"], unit=world.home_affairs
        )
        assessment = season.assessments.get(unit=world.mao_dien)
        items = list(assessment.items.select_related("criterion").filter(applicable=True)[:3])
        scoring.assessment_save_self(
            actor=personas["head"],
            assessment=assessment,
            entries={
                item.pk: scoring.SelfEntry(item.criterion.max_points, "Đã thực hiện đầy đủ.", "")
                for item in items
            },
        )
        scoring.evidence_attach(
            actor=personas["head"], item=items[0], upload=SimpleUploadedFile("minh-chung.pdf", tiny_pdf())
        )

    survey = surveys.sipas_template_create(actor=standing, owner=world.city)
    round_ = surveys.round_open(
        actor=standing, survey=survey, title="Khảo sát SIPAS năm 2026", year=2026, units=[world.mao_dien]
    )
    channel = surveys.channel_create(actor=standing, round_=round_, unit=world.mao_dien, desk="Quầy 1")
    surveys.quota_set(actor=standing, round_=round_, unit=world.mao_dien, target=50)
    for level in (5, 4, 2):
        surveys.response_submit(channel=channel, raw=all_answers(level), submission_uuid=uuid.uuid4())
    surveys.round_close(actor=standing, round_=round_)
    surveys.round_publish(actor=standing, round_=round_)

    science = org.unit_create(
        actor=None,
        code="SKHCN",
        name="Sở Khoa học và Công nghệ",
        kind=Unit.Kind.DEPARTMENT,
        parent=world.city,
        block=Unit.Block.DEPARTMENT,
    )
    reviewer = _person("science", science, "officer")
    chair = _person("chair", science, "head")
    campaign = initiatives.campaign_create(
        actor=reviewer,
        issuer=world.city,
        reviewing_unit=science,
        year=2025,
        number="2345/UBND-NVKTGS",
        issued_on=date(2025, 9, 11),
        title="Nghiên cứu, đề xuất sáng kiến cải cách hành chính có tính đột phá",
        submission_deadline=DEADLINE,
        conditions=["Lần đầu tiên được áp dụng"],
        fields=FIELDS,
        criteria=CRITERIA,
    )
    initiatives.member_assign(actor=reviewer, campaign=campaign, user=chair, unit=science, is_chair=True)
    initiative = initiatives.initiative_create(
        actor=personas["officer"],
        campaign=campaign,
        unit=world.mao_dien,
        data=form_data(campaign),
        authors=AUTHORS,
    )
    initiatives.attachment_add(
        actor=personas["officer"], initiative=initiative, upload=SimpleUploadedFile("mo-ta.pdf", tiny_pdf())
    )
    initiative = initiatives.initiative_submit(
        actor=personas["head"],
        initiative=initiative,
        expected_version=initiative.version,
        now=DEADLINE.replace(day=20),
    )
    initiative = initiatives.initiative_check(
        actor=reviewer, initiative=initiative, expected_version=initiative.version, decision="eligible"
    )
    initiatives.review_save(actor=chair, initiative=initiative, scores={code: 8 for code, *_ in CRITERIA})
    initiatives.verdict_record(actor=chair, initiative=initiative, recognised=True, method="mean")
    initiatives.decision_issue(
        actor=reviewer,
        campaign=campaign,
        number="123/QĐ-UBND",
        decided_on=date(2025, 12, 1),
        signer="Nguyễn Văn A",
        signer_title="Chủ tịch",
    )


@pytest.fixture
def fuzz_world(world, personas, tmp_path):
    """The test world with one of everything a page can show: a report and a consolidated report, an
    evidence file, an import draft, an imported dossier batch and a target linked to a KPI."""
    from cchc.delivery import services as delivery
    from cchc.delivery.tests.factories import dossier, write_csv
    from cchc.docimport import services as docimport
    from cchc.plans import services as plans
    from cchc.reporting import services as reporting

    rule_set = reporting.rule_set_create_hai_phong(actor=None, issuer=world.city)
    periods = reporting.periods_open_year(actor=None, rule_set=rule_set, year=2026)
    report = reporting.report_start(actor=None, period=periods[0], unit=world.mao_dien)
    sent = reporting.report_start(actor=None, period=periods[0], unit=world.nam_sach)
    reporting.report_submit(actor=None, report=sent, expected_version=sent.version)
    reporting.consolidated_open(actor=None, period=periods[0])
    from cchc.notices.services import notify

    # Every persona has a notice (so /thong-bao/ links mark-read forms), and the chase page a reminder.
    notify([p for p in personas.values() if p], "fuzz", "Thông báo thử", "Nội dung", "/bao-cao/")
    reporting.reminders_send(actor=None, period=periods[0], units=[world.mao_dien])
    plans.evidence_attach(
        actor=None,
        task=world.task,
        upload=SimpleUploadedFile("bao-cao.pdf", tiny_pdf()),
        kind="report",
    )
    docimport.draft_create(
        actor=personas["officer"],
        data=(
            "ỦY BAN NHÂN DÂN\nXÃ MAO ĐIỀN\nSố: 12/KH-UBND\nKẾ HOẠCH\nCải cách hành chính năm 2026\n"
            "I. MỤC ĐÍCH, YÊU CẦU\nTriển khai đồng bộ các nhiệm vụ cải cách hành chính của xã.\n"
            "II. MỤC TIÊU VÀ NHIỆM VỤ CỤ THỂ\n1. Cải cách thủ tục hành chính\na) Mục tiêu\n"
            "- Tỷ lệ hồ sơ giải quyết trực tuyến đạt tối thiểu 85%.\n"
            "- Mức độ hài lòng của người dân về giải quyết thủ tục hành chính đạt từ 95% trở lên.\n"
            "b) Nhiệm vụ\n- Rà soát, đơn giản hóa thủ tục hành chính thuộc thẩm quyền của xã.\n"
            "III. TỔ CHỨC THỰC HIỆN\nPhòng Văn hóa - Xã hội theo dõi, tổng hợp.\n"
        ).encode(),
        filename="ke-hoach.txt",
        issuer=world.mao_dien,
    )
    rows = [dossier("10930", i, f"2026-01-{5 + i % 5:02d} 09:00", done_days=1 + i % 5) for i in range(1, 30)]
    batch = delivery.dossiers_import(actor=None, path=write_csv(tmp_path / "mot-cua.csv", rows))
    assert batch.status == "succeeded", batch.errors
    delivery.target_link_set(actor=None, target=world.city_online, kpi="online_share", expected_version=0)
    # January on the public portal (its period and unit pages are linked from /cong-khai/).
    delivery.publish_kpi_period(actor=None, period="2026-01")
    _par_index_survey_and_initiative(world, personas)
    from cchc.dashboard.services import refresh_scorecard
    from cchc.jobs import services as jobs

    refresh_scorecard(2026)  # the scorecard's snapshot, so its pages link each unit
    # A finished job (the queue runs inline), so the job list links its page and download.
    jobs.enqueue("kpi_recompute", user=personas["city_standing"], unit=world.city, params={})
    from cchc.api import services as api

    api.token_create(
        actor=personas["city_standing"], integration_name="Một cửa", unit=world.mao_dien, access="read"
    )
    return {"report": report, "today": date(2026, 3, 1)}


FUZZED_APPS = (
    "org",
    "plans",
    "reporting",
    "docimport",
    "delivery",
    "scoring",
    "surveys",
    "initiatives",
    "dashboard",
    "jobs",
    "api",
)


def _real_values(world) -> dict[str, list]:
    from django.apps import apps

    from cchc.core import history

    # The ids the world really has (PostgreSQL's sequences do not restart between tests).
    ids = sorted(
        {
            pk
            for model in apps.get_models()
            if model._meta.app_label in FUZZED_APPS
            and model._meta.pk.get_internal_type() in ("AutoField", "BigAutoField")
            for pk in model.objects.values_list("pk", flat=True)[:50]
        }
    )
    return {
        "int": ids,
        "label": sorted(history._REGISTRY),
        "fmt": ["docx", "xlsx"],
        "decision": ["accept", "return"],
        "app_label": [*FUZZED_APPS, "auth"],
        "object_id": [str(i) for i in ids],
        "period": ["2026-01", "2026-02", "2026-Q1", "2026"],  # published, then never published
        "code": ["HP", "10930", "10606", "SGDDT"],
    }


def _record(failures: list, persona: str, method: str, url: str, data, response, errors: list) -> None:
    if response.status_code >= 500:
        shown = {
            k: (v[:40] + "…" if isinstance(v, str) and len(v) > 40 else v) for k, v in (data or {}).items()
        }
        failures.append(
            f"{persona} {method} {url[:200]} {shown} → {response.status_code}\n"
            + (errors[-1] if errors else "(no exception)")
        )


@pytest.mark.django_db
def test_no_page_answers_5xx_to_malformed_input(fuzz_world, world, personas):
    errors: list[str] = []

    def on_exception(sender, request=None, **kwargs):
        errors.append(traceback.format_exc(limit=-6))

    got_request_exception.connect(on_exception)
    try:
        failures = _fuzz_every_page(personas, _real_values(world), errors)
    finally:
        got_request_exception.disconnect(on_exception)
    assert not failures, f"{len(failures)} answers ≥ 500:\n\n" + "\n\n".join(failures[:15])


def _url_name(match) -> str:
    return f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name


def _crawl(clients, personas, patterns, real, failures, errors):
    """Every page reachable from the pages without parameters (and from each pattern filled with the
    ids of the world), read as each persona: the path values each page is really linked with, and the
    fields of every form, by the page the form posts to."""
    found: dict[str, list[dict]] = {}
    fields_for: dict[tuple[str, str], dict] = {}
    queries_for: dict[str, list[dict]] = {}
    queue, linked = [], []
    for _route, name, params in patterns:
        if name.startswith("admin:"):
            continue
        for value in real["int"][:: max(1, len(real["int"]) // 12)] if params else [None]:
            kwargs = {p: real.get(p, real["int"])[0] if p not in ("pk", "unit_id") else value for p in params}
            with contextlib.suppress(NoReverseMatch):
                queue.append(reverse(name, kwargs=kwargs))
    seen: set[str] = set()
    while (linked or queue) and len(seen) < 700:  # every app's pages, linked ones first
        url = linked.pop(0) if linked else queue.pop(0)  # pages found through links before guessed ids
        if url in seen:
            continue
        seen.add(url)
        for persona, client in clients.items():
            response = client.get(url)
            _record(failures, persona, "GET", url, {}, response, errors)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            parser = _Forms()
            parser.feed(response.content.decode("utf-8", "replace"))
            for target, method, fields in [(f["action"], f["method"], f["fields"]) for f in parser.forms] + [
                (href, "link", {}) for href in parser.links
            ]:
                path = urlsplit(target).path or url
                try:
                    match = resolve(path)
                except Exception:
                    continue
                name = _url_name(match)
                if match.kwargs and match.kwargs not in found.setdefault(name, []):
                    found[name].append(match.kwargs)
                query = dict(parse_qsl(urlsplit(target).query, keep_blank_values=True))
                if method == "get":
                    query = {field: default for field, (_kind, default) in fields.items()}
                if query and len(queries_for.setdefault(name, [])) < 3 and query not in queries_for[name]:
                    queries_for[name].append(query)
                if method != "link":
                    fields_for.setdefault((name, method), {}).update(fields)
                fresh = method in ("link", "get") and not name.startswith("admin:") and path not in seen
                if fresh and len([u for u in seen if resolve(u).url_name == match.url_name]) < 4:
                    linked.append(path)
            client.force_login(personas[persona])  # a logout form is only read, but stay signed in
    return found, fields_for, queries_for


def _fuzz_every_page(personas, real: dict[str, list], errors: list[str]) -> list[str]:
    failures: list[str] = []
    clients = {}
    for persona in PERSONAS:
        client = Client(raise_request_exception=False)
        client.force_login(personas[persona])
        clients[persona] = client
    patterns = list(_patterns())
    found, fields_for, queries_for = _crawl(clients, personas, patterns, real, failures, errors)
    for route, name, params in patterns:
        if params and not found.get(name) and not name.startswith("admin:"):
            # Posted to by a button of another form (report_submit): the ids of the page it sits on.
            stem = route.split("<")[0] + "<"
            siblings = [n for r, n, _ in patterns if r.startswith(stem) and found.get(n)]
            found[name] = [
                {p: k.get(p, real.get(p, real["int"])[0]) for p in params}
                for n in siblings[:1]
                for k in found[n]
            ]
    missing = [
        name
        for _r, name, params in patterns
        if params
        and not name.startswith("admin:")
        and not name.startswith(NOT_YET_IN_THE_FUZZ_WORLD)
        and not found.get(name)
        and name != "password_reset_confirm"  # reached from an e-mail only, never linked from a page
    ]
    assert not missing, f"pages never linked with real ids in the fuzz world: {missing}"
    for route, name, params in patterns:
        examples = ADMIN_EXAMPLES if route.startswith("quan-tri/") else APP_EXAMPLES
        linked = found.get(name, [])
        page = (name, params, linked, fields_for, queries_for.get(name, []))
        _sweep(*page, clients, personas, failures, errors)
        _fuzz_page(*page[:4], examples, real, clients, personas, failures, errors)
    return failures


def _sweep(name, params, linked, fields_for, queries, clients, personas, failures, errors) -> None:
    """Each dangerous value at each query parameter the page is linked with (one at a time, the others
    as linked, so a refused unit does not hide the page number), then at every field of each form that
    posts to the page at once (but the version, swept on its own: a refused version hides the rest)."""
    if params and not linked:
        return
    url = reverse(name, kwargs={k: str(v) for k, v in (linked[0] if params else {}).items()})
    turn = 0

    def ask(method: str, data: dict) -> None:
        nonlocal turn
        persona = PERSONAS[turn % len(PERSONAS)]
        turn += 1
        client = clients[persona]
        client.force_login(personas[persona])
        response = client.get(url, data) if method == "GET" else client.post(url, data)
        _record(failures, persona, method, url, data, response, errors)

    base = queries[0] if queries else {}
    for field in base:
        for value in DANGER:
            ask("GET", {**base, field: value})
    for value in DANGER:  # the usual names (page numbers, filters) all at once, the linked ones kept
        ask("GET", {**base, **{field: value for field in QUERY_NAMES if field not in base}})
    posted = {k: d for k, (kind, d) in fields_for.get((name, "post"), {}).items() if kind != "file"}
    if posted:
        for value in DANGER:
            ask("POST", {k: (d if k in KEEP else value) for k, d in posted.items()})
        if "version" in posted:
            for value in DANGER:
                ask("POST", {**posted, "version": value})


def _fuzz_page(name, params, linked, fields_for, examples, real, clients, personas, failures, errors) -> None:
    """Hypothesis examples for one page: path values, query parameters, form fields."""
    junk = st.sampled_from(JUNK) | st.text(max_size=20)
    posted = fields_for.get((name, "post"), {})
    queried = set(QUERY_NAMES) | set(fields_for.get((name, "get"), {}))

    def value_for(param: str):
        choices = real.get(param, real["int"] if param in ("pk", "unit_id", "id") else [])
        strategy = junk if not choices else st.sampled_from(choices)
        if param in ("pk", "unit_id", "id"):
            return strategy | st.sampled_from(JUNK_INTS)
        return strategy | junk

    anything = st.fixed_dictionaries({p: value_for(p) for p in params})
    # Mostly the ids the pages link to (so the forms and checks behind them run), sometimes junk.
    kwargs_strategy = (st.sampled_from(linked) | st.sampled_from(linked) | anything) if linked else anything

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        persona=st.sampled_from(PERSONAS),
        kwargs=kwargs_strategy,
        query=st.dictionaries(st.sampled_from(sorted(queried)), junk, max_size=4),
        form=st.fixed_dictionaries(
            {
                field: st.one_of(
                    st.just(None),
                    st.just(default),
                    junk,
                    *(
                        [st.sampled_from([b"", b"\x00junk", b"%PDF-1.4 not really", b"PK\x03\x04junk"])]
                        if kind == "file"
                        else []
                    ),
                )
                for field, (kind, default) in sorted(posted.items())
            }
        ),
        extra=st.dictionaries(st.sampled_from(["version", "then", "x", "page"]), junk, max_size=2),
    )
    def fuzz(persona, kwargs, query, form, extra):
        try:
            url = reverse(name, kwargs={k: str(v) for k, v in kwargs.items()})
        except NoReverseMatch:
            return  # a value the pattern cannot hold: no URL to request
        client = clients[persona]
        client.force_login(personas[persona])
        response = client.get(url, query)
        _record(failures, persona, "GET", url, query, response, errors)
        data = {k: v for k, v in form.items() if v is not None}
        data.update({k: v for k, v in extra.items() if k not in posted})
        for field, value in list(data.items()):
            if isinstance(value, bytes):
                data[field] = SimpleUploadedFile("tep.pdf", value)
        response = client.post(url, data)
        shown = {k: ("<file>" if not isinstance(v, str) else v) for k, v in data.items()}
        _record(failures, persona, "POST", url, shown, response, errors)

    fuzz()
