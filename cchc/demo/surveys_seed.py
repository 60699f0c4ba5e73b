"""Demo SIPAS round: the template, one round for the demo units with synthetic answers drawn around
each unit's level, published, and the satisfaction targets of the city and Mao Điền linked to it.

A small ward gets only three answers so that the public results show a hidden cell."""

from __future__ import annotations

import random
import uuid

from cchc.org.models import Unit
from cchc.plans.models import Target
from cchc.surveys import services
from cchc.surveys.models import Response, Survey

# (unit code, responses, share of satisfied answers it is drawn around)
DEMO_UNITS = [("10930", 120, 0.93), ("11948", 90, 0.9), ("SGDDT", 100, 0.95)]
EXTRA_WARDS = 2  # the first wards by code, the second one with too few answers to publish
SCALE_CODES = ("tc1", "tc2", "tt1", "tt2", "cc1", "cc2", "kq1", "kq2")


def _answers(rng: random.Random, share: float) -> dict:
    def level() -> int:
        if rng.random() < share:
            return 5 if rng.random() < 0.55 else 4
        return rng.choices([3, 2, 1], weights=[7, 2, 1])[0]

    answers = {code: level() for code in SCALE_CODES}
    gave_feedback = rng.random() < 0.2
    answers["gy0"] = "co" if gave_feedback else "khong"
    if gave_feedback:
        answers["gy1"] = level()
    answers["kenh"] = rng.choice(["truc-tiep", "truc-tiep", "truc-tuyen", "buu-chinh"])
    answers["so-lan"] = rng.choice([1, 1, 1, 2, 2, 3])
    if rng.random() < 0.4:
        answers["nhu-cau"] = sorted(rng.sample(["rut-gon", "truc-tuyen", "huong-dan", "thoi-gian"], 2))
    return answers


def load_surveys_demo(seed: int = 2026) -> dict[str, int]:
    rng = random.Random(seed)
    city = Unit.objects.get(parent__isnull=True)
    survey = services.sipas_template_create(actor=None, owner=city)
    plan_units = [(Unit.objects.get(code=code), n, share) for code, n, share in DEMO_UNITS]
    wards = list(Unit.objects.filter(kind=Unit.Kind.WARD).order_by("code")[:EXTRA_WARDS])
    plan_units += [(ward, n, 0.92) for ward, n in zip(wards, (60, 3), strict=False)]
    round_ = services.round_open(
        actor=None,
        survey=survey,
        title="Khảo sát sự hài lòng năm 2026 (dữ liệu mô phỏng)",
        year=2026,
        units=[u for u, _, _ in plan_units],
    )
    questions = services.questions_of(round_.version)
    for unit, count, share in plan_units:
        channel = services.channel_create(actor=None, round_=round_, unit=unit, desk="Bộ phận Một cửa")
        services.quota_set(
            actor=None, round_=round_, unit=unit, target=max(count, services.sample_size(count * 40))
        )
        for _ in range(count):
            services.response_submit(
                channel=channel,
                raw=_answers(rng, share),
                submission_uuid=uuid.UUID(int=rng.getrandbits(128), version=4),
                source=rng.choice([Response.Source.ONLINE, Response.Source.ONLINE, Response.Source.PAPER]),
                questions=questions,
            )
    services.round_publish(actor=None, round_=round_)
    linked = 0
    for target in Target.objects.filter(text__icontains="hài lòng", comparator="gte").select_related(
        "plan__issuer"
    ):
        if "thủ tục hành chính" in target.text or "sự phục vụ" in target.text:
            services.target_link_set(actor=None, target=target, survey=survey)
            linked += 1
    return {
        "responses": Response.objects.filter(round=round_).count(),
        "linked_targets": linked,
        "surveys": Survey.objects.count(),
    }
