"""Synthetic one-stop dossiers with realistic distributions, for tests, demos and benchmarks.

    .venv/bin/python -m cchc.delivery.kpi.generator out.parquet --rows 1000000 [--year 2026] [--seed 0]

Needs numpy (``generate`` also pandas, a dev requirement); the KPI engine itself needs neither.

What the data looks like (every figure is a parameter below):

- Units: the 114 communes of Hải Phòng (official GSO codes, ``cchc/demo/data/haiphong_communes.csv``)
  with populations drawn from a lognormal centred on 40,000; the 14 departments (codes as in
  ``cchc.demo.units.department_code``: SNV, STP, ...) with a "population equivalent" workload centred
  on 60,000; the city (``HP``) with 15,000. Volumes are proportional to these weights.
- Procedures: a catalogue of 44 procedures over 18 fields (lĩnh vực). Communes share one list,
  each department has its own, all with Zipf-like frequencies (weight 1/rank). Each procedure has its
  processing time in working days, its fee and whether it is offered online (full / partial).
- Time: submissions from 1 December of the previous year to 31 December, weekdays mostly, few on
  week-ends and public holidays (Tết, 30/4, 1/5, 2/9, Giỗ Tổ), a dip around Tết. The data is a
  snapshot at 31/12 23:59:59: later events have not happened (dossiers still pending).
- Channel: among procedures offered online the online share rises from ~60% in January to ~85% in
  December (± a unit effect); 2.5% postal; the rest at the desk.
- Outcome: ~0.4% withdrawn, 0.2% stopped, 0.15% stuck (pending long past due); late with a probability
  ~3.5% on average that depends on the unit (lognormal effect) and the field (land ×2.5, construction
  ×1.8, civil status ×0.4, ...); of the rest ~18% finish on the due date, the others early.
  Same-day procedures (chứng thực, hộ tịch) received after 15:00 are due the next working day.
- Fees: online payment ~50% of dossiers with a fee, rising with the online share.
- Digitisation: online components always digitised; desk components digitised with a probability
  rising from ~55% to ~90%; results digitised for ~80% of finished dossiers.
- Ratings: ~25% of finished dossiers rated, mostly 4–5 (late ones worse).
- Apology letters for ~60% of late dossiers; 85% of those also re-set the due date once.
- Queue data (wait minutes, lognormal, median ~11) for desk dossiers in units with a queue system.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import tempfile
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

DATA_DIR = Path(__file__).resolve().parents[2] / "demo" / "data"
CITY_CODE = "HP"
CHUNK_ROWS = 1_000_000


@dataclass(frozen=True)
class Procedure:
    code: str
    name: str
    field: str
    days: int  # processing time in working days (0 = same day)
    fee: int  # VND; per page/copy when per_unit
    online: bool  # offered online
    level: str  # "full" | "partial"
    components: int  # typical number of dossier components
    per_unit: bool = False  # fee multiplied by pages/copies


HT, CT, DD, XD, DKKD = "Hộ tịch", "Chứng thực", "Đất đai", "Xây dựng", "Đăng ký kinh doanh"
LDXH, TP, GT, YT, GD = (
    "Lao động - Thương binh và Xã hội",
    "Tư pháp",
    "Giao thông vận tải",
    "Y tế",
    "Giáo dục và Đào tạo",
)
CTH, VH, KH, DT = "Công Thương", "Văn hóa, Thể thao và Du lịch", "Khoa học và Công nghệ", "Đầu tư"
NV, TC, MT, TT = "Ngoại vụ", "Tài chính", "Tài nguyên và Môi trường", "Thanh tra"

# Commune-level procedures, most frequent first (Zipf rank = position).
COMMUNE_PROCEDURES: tuple[Procedure, ...] = (
    Procedure("CT-01", "Chứng thực bản sao từ bản chính", CT, 0, 2_000, True, "partial", 1, per_unit=True),
    Procedure("HT-01", "Đăng ký khai sinh", HT, 0, 0, True, "full", 3),
    Procedure("CT-02", "Chứng thực chữ ký", CT, 0, 10_000, True, "partial", 1),
    Procedure("HT-02", "Cấp bản sao trích lục hộ tịch", HT, 0, 8_000, True, "full", 1, per_unit=True),
    Procedure("HT-03", "Xác nhận tình trạng hôn nhân", HT, 3, 0, True, "full", 2),
    Procedure("HT-04", "Đăng ký kết hôn", HT, 0, 0, True, "partial", 3),
    Procedure("HT-05", "Đăng ký khai tử", HT, 0, 0, True, "full", 2),
    Procedure(
        "DD-01", "Đăng ký, cấp Giấy chứng nhận quyền sử dụng đất lần đầu", DD, 20, 100_000, True, "partial", 6
    ),
    Procedure("CT-03", "Chứng thực hợp đồng, giao dịch", CT, 2, 50_000, True, "partial", 3),
    Procedure("LD-01", "Trợ cấp xã hội hằng tháng", LDXH, 15, 0, True, "partial", 4),
    Procedure("DK-01", "Đăng ký hộ kinh doanh", DKKD, 3, 100_000, True, "full", 3),
    Procedure("XD-01", "Cấp giấy phép xây dựng nhà ở riêng lẻ", XD, 15, 75_000, True, "full", 5),
    Procedure("HT-06", "Thay đổi, cải chính, bổ sung thông tin hộ tịch", HT, 3, 15_000, True, "partial", 3),
    Procedure("DD-02", "Chuyển mục đích sử dụng đất", DD, 15, 0, True, "partial", 4),
    Procedure("LD-02", "Hỗ trợ chi phí mai táng", LDXH, 5, 0, True, "partial", 3),
    Procedure("GD-01", "Chuyển trường đối với học sinh trung học cơ sở", GD, 3, 0, True, "full", 2),
    Procedure("LD-03", "Giải quyết chế độ người có công", LDXH, 12, 0, False, "partial", 5),
    Procedure("CTH-01", "Cấp giấy phép bán lẻ rượu", CTH, 10, 200_000, True, "full", 4),
    Procedure("DD-03", "Hòa giải tranh chấp đất đai", DD, 30, 0, False, "partial", 3),
    Procedure("TP-01", "Công nhận hòa giải viên", TP, 5, 0, False, "partial", 2),
)

DEPARTMENT_PROCEDURES: dict[str, tuple[Procedure, ...]] = {
    "STP": (
        Procedure("TP-11", "Cấp Phiếu lý lịch tư pháp", TP, 10, 200_000, True, "full", 3),
        Procedure("TP-12", "Đăng ký hành nghề luật sư", TP, 7, 0, True, "partial", 4),
        Procedure("TP-13", "Cấp thẻ công chứng viên", TP, 10, 0, True, "partial", 3),
    ),
    "STC": (
        Procedure(
            "DK-11", "Đăng ký thay đổi nội dung đăng ký doanh nghiệp", DKKD, 3, 50_000, True, "full", 3
        ),
        Procedure("DK-12", "Đăng ký thành lập doanh nghiệp", DKKD, 3, 50_000, True, "full", 4),
        Procedure("TC-11", "Cấp mã số đơn vị có quan hệ với ngân sách", TC, 2, 0, True, "full", 2),
    ),
    "SXD": (
        Procedure("GT-11", "Cấp đổi giấy phép lái xe", GT, 5, 135_000, True, "full", 2),
        Procedure("XD-11", "Cấp giấy phép xây dựng công trình", XD, 20, 150_000, True, "partial", 7),
        Procedure("XD-12", "Cấp chứng chỉ hành nghề hoạt động xây dựng", XD, 20, 300_000, True, "full", 4),
    ),
    "SNNMT": (
        Procedure(
            "DD-11", "Đăng ký biến động đất đai, tài sản gắn liền với đất", DD, 10, 50_000, True, "partial", 4
        ),
        Procedure(
            "DD-12", "Cấp Giấy chứng nhận quyền sử dụng đất cho tổ chức", DD, 30, 500_000, True, "partial", 6
        ),
        Procedure("MT-11", "Cấp giấy phép môi trường", MT, 30, 0, True, "partial", 5),
    ),
    "SNV": (
        Procedure("LD-11", "Giải quyết hưởng trợ cấp thất nghiệp", LDXH, 20, 0, True, "partial", 3),
        Procedure("LD-12", "Cấp giấy phép lao động cho người nước ngoài", LDXH, 5, 600_000, True, "full", 5),
    ),
    "SYT": (
        Procedure("YT-11", "Cấp giấy phép hành nghề khám bệnh, chữa bệnh", YT, 20, 360_000, True, "full", 4),
        Procedure(
            "YT-12",
            "Cấp Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm",
            YT,
            20,
            1_000_000,
            True,
            "partial",
            5,
        ),
    ),
    "SGDDT": (
        Procedure(
            "GD-11",
            "Cấp bản sao văn bằng, chứng chỉ từ sổ gốc",
            GD,
            1,
            10_000,
            True,
            "full",
            1,
            per_unit=True,
        ),
        Procedure("GD-12", "Chỉnh sửa nội dung văn bằng, chứng chỉ", GD, 5, 0, True, "partial", 2),
    ),
    "SCT": (
        Procedure("CTH-11", "Cấp giấy phép bán buôn rượu", CTH, 15, 1_200_000, True, "full", 5),
        Procedure(
            "CTH-12", "Cấp giấy chứng nhận đủ điều kiện kinh doanh xăng dầu", CTH, 15, 0, True, "partial", 6
        ),
    ),
    "SVHTTDL": (
        Procedure("VH-11", "Cấp thẻ hướng dẫn viên du lịch", VH, 10, 650_000, True, "full", 3),
        Procedure("VH-12", "Chấp thuận tổ chức biểu diễn nghệ thuật", VH, 5, 0, True, "partial", 3),
    ),
    "SKHCN": (
        Procedure(
            "KH-11", "Cấp giấy chứng nhận đăng ký hoạt động khoa học và công nghệ", KH, 10, 0, True, "full", 3
        ),
    ),
    "SNGV": (Procedure("NV-11", "Cấp thẻ đi lại của doanh nhân APEC (ABTC)", NV, 10, 0, True, "partial", 4),),
    "TTTP": (Procedure("TT-11", "Giải quyết khiếu nại lần đầu", TT, 30, 0, False, "partial", 3),),
    "BQLKKT": (
        Procedure("DT-11", "Cấp Giấy chứng nhận đăng ký đầu tư", DT, 15, 0, True, "full", 5),
        Procedure("LD-13", "Cấp giấy phép lao động trong khu kinh tế", LDXH, 5, 600_000, True, "full", 5),
    ),
    "VPUBNDTP": (Procedure("DT-12", "Chấp thuận chủ trương đầu tư", DT, 35, 0, True, "partial", 8),),
    CITY_CODE: (
        Procedure("DD-21", "Giao đất, cho thuê đất cho tổ chức", DD, 20, 0, True, "partial", 6),
        Procedure("DT-21", "Điều chỉnh chủ trương đầu tư", DT, 25, 0, True, "partial", 6),
    ),
}

FIELD_LATE_FACTOR = {DD: 2.5, XD: 1.8, LDXH: 1.4, MT: 1.5, DT: 1.3, TT: 2.0, HT: 0.4, CT: 0.3, GT: 0.6}
BASE_LATE = 0.05
MONTH_FACTOR = {
    1: 1.12,
    2: 0.82,
    3: 1.05,
    4: 0.97,
    5: 0.98,
    6: 1.0,
    7: 1.0,
    8: 0.97,
    9: 0.98,
    10: 1.03,
    11: 1.05,
    12: 1.1,
}
LUNAR_NEW_YEAR = {
    2024: (2, 10),
    2025: (1, 29),
    2026: (2, 17),
    2027: (2, 6),
    2028: (1, 26),
    2029: (2, 13),
    2030: (2, 3),
}
HUNG_KINGS = {
    2024: (4, 18),
    2025: (4, 7),
    2026: (4, 26),
    2027: (4, 16),
    2028: (4, 4),
    2029: (4, 23),
    2030: (4, 12),
}
WEEKMASK = "1111100"  # working days Mon–Fri


def _fold_code(short_name: str) -> str:
    decomposed = unicodedata.normalize("NFD", short_name)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.replace("đ", "d").replace("Đ", "D").replace(" ", "").upper()


def _data_file(name: str) -> Path:
    local = DATA_DIR / name
    return local if local.exists() else Path("/work/shared/data") / name


def default_units(seed: int = 0) -> list[tuple[str, int]]:
    """The 129 units: 114 communes (GSO code, lognormal population ~40k), 14 departments (workload as
    a population equivalent ~60k) and the city ``HP`` (15k). Deterministic for a seed."""
    rng = np.random.default_rng([seed, 130])
    with open(_data_file("haiphong_communes.csv"), encoding="utf-8") as handle:
        communes = [row["gso_code"] for row in csv.DictReader(handle)]
    with open(_data_file("haiphong_departments.csv"), encoding="utf-8") as handle:
        departments = [_fold_code(row["short_name"]) for row in csv.DictReader(handle)]
    pops = np.round(rng.lognormal(np.log(40_000), 0.5, len(communes)), -1).astype(int)
    loads = np.round(rng.lognormal(np.log(60_000), 0.6, len(departments)), -1).astype(int)
    units = [(c, int(p)) for c, p in zip(communes, pops, strict=True)]
    units += [(d, int(p)) for d, p in zip(departments, loads, strict=True)]
    units.append((CITY_CODE, 15_000))
    return units


def _holidays(year: int) -> list[np.datetime64]:
    days: list[date] = []
    for y in (year - 1, year, year + 1):
        days += [date(y, 1, 1), date(y, 4, 30), date(y, 5, 1), date(y, 9, 1), date(y, 9, 2)]
        m, d = HUNG_KINGS.get(y, (4, 15))
        days.append(date(y, m, d))
        m, d = LUNAR_NEW_YEAR.get(y, (2, 10))
        tet = np.datetime64(date(y, m, d))
        days += [(tet + k).astype(date) for k in range(-2, 5)]
    return sorted({np.datetime64(d, "D") for d in days})


class _Catalogue:
    def __init__(self, units: list[tuple[str, int]]):
        procs: list[Procedure] = list(COMMUNE_PROCEDURES)
        for group in DEPARTMENT_PROCEDURES.values():
            procs += list(group)
        self.procedures = procs
        index = {p.code: i for i, p in enumerate(procs)}
        self.fields = sorted({p.field for p in procs})
        field_index = {f: i for i, f in enumerate(self.fields)}
        self.days = np.array([p.days for p in procs], dtype=np.int64)
        self.fee = np.array([p.fee for p in procs], dtype=np.int64)
        self.online = np.array([p.online for p in procs])
        self.per_unit = np.array([p.per_unit for p in procs])
        self.components = np.array([p.components for p in procs], dtype=np.int64)
        self.field = np.array([field_index[p.field] for p in procs], dtype=np.int64)
        self.field_late = np.array([FIELD_LATE_FACTOR.get(f, 1.0) for f in self.fields])

        def zipf(group: tuple[Procedure, ...] | list[Procedure]) -> tuple[np.ndarray, np.ndarray]:
            ids = np.array([index[p.code] for p in group])
            w = 1.0 / np.arange(1, len(ids) + 1)
            return ids, w / w.sum()

        all_departments = [p for code, g in DEPARTMENT_PROCEDURES.items() if code != CITY_CODE for p in g]
        groups: dict[str, tuple[np.ndarray, np.ndarray]] = {"commune": zipf(COMMUNE_PROCEDURES)}
        for code, group in DEPARTMENT_PROCEDURES.items():
            groups[code] = zipf(group)
        groups["other"] = zipf(all_departments)
        self.group_names = list(groups)
        self.groups = [groups[g] for g in self.group_names]
        unit_group = []
        for code, _ in units:
            if code.isdigit():
                unit_group.append(self.group_names.index("commune"))
            elif code in groups:
                unit_group.append(self.group_names.index(code))
            else:
                unit_group.append(self.group_names.index("other"))
        self.unit_group = np.array(unit_group)


def _uniform_seconds(rng, n, lo_h, hi_h):
    return (rng.uniform(lo_h, hi_h, n) * 3600).astype(np.int64)


def _generate_numeric(
    rows: int, year: int, units: list[tuple[str, int]], seed: int, chunk_rows: int
) -> Iterator[tuple[_Catalogue, dict[str, np.ndarray]]]:
    """Chunks of numeric columns (unit and procedure as indexes, timestamps as datetime64[us])."""
    cat = _Catalogue(units)
    n_units = len(units)
    urng = np.random.default_rng([seed, 1])
    weights = np.array([max(p, 1) for _, p in units], dtype=float)
    unit_p = weights / weights.sum()
    is_commune = np.array([c.isdigit() for c, _ in units])
    unit_late = urng.lognormal(0.0, 0.5, n_units)
    unit_late /= np.average(unit_late, weights=unit_p)
    unit_online = urng.normal(0.0, 0.05, n_units)
    unit_dig = urng.normal(0.0, 0.08, n_units)
    unit_queue = ~is_commune | (urng.random(n_units) < 0.6)

    calendar = np.busdaycalendar(weekmask=WEEKMASK, holidays=_holidays(year))
    start = np.datetime64(date(year - 1, 12, 1), "D")
    end = np.datetime64(date(year, 12, 31), "D")
    days = np.arange(start, end + 1)
    jan1 = np.datetime64(date(year, 1, 1), "D")
    month = days.astype("datetime64[M]").astype(int) % 12 + 1
    busday = np.is_busday(days, busdaycal=calendar)
    weekday = (days.astype(int) + 3) % 7  # 0 = Monday
    day_w = np.where(busday, 1.0, np.where(weekday == 5, 0.12, 0.06))
    day_w *= np.array([MONTH_FACTOR[m] for m in month])
    day_w *= 1.0 + 0.1 * np.clip((days - jan1).astype(int) / 365.0, 0, 1)
    day_w[days < jan1] *= 0.3
    per_day = np.random.default_rng([seed, 2]).multinomial(rows, day_w / day_w.sum())

    as_of = (np.datetime64(date(year, 12, 31), "s") + np.timedelta64(86399, "s")).astype(np.int64)
    last_busday = np.busday_offset(end, 0, roll="backward", busdaycal=calendar)
    counters = np.zeros(n_units * len(days), dtype=np.int64)

    # Consecutive days into chunks of about chunk_rows rows.
    bounds = [0]
    acc = 0
    for i, c in enumerate(per_day):
        acc += c
        if acc >= chunk_rows:
            bounds.append(i + 1)
            acc = 0
    if bounds[-1] != len(days):
        bounds.append(len(days))

    for k, (lo, hi) in enumerate(zip(bounds[:-1], bounds[1:], strict=True)):
        n = int(per_day[lo:hi].sum())
        if n == 0:
            continue
        rng = np.random.default_rng([seed, 3, k])
        day = np.repeat(np.arange(lo, hi), per_day[lo:hi])
        d = days[day]
        frac = np.clip((d - jan1).astype(int) / 365.0, 0.0, 1.0)
        u = rng.choice(n_units, size=n, p=unit_p)
        proc = np.empty(n, dtype=np.int64)
        ug = cat.unit_group[u]
        for g, (ids, p) in enumerate(cat.groups):
            mask = ug == g
            m = int(mask.sum())
            if m:
                proc[mask] = rng.choice(ids, size=m, p=p)
        eligible = cat.online[proc]
        pdays = cat.days[proc]
        field = cat.field[proc]

        # Channel: online share among eligible procedures rises ~60% → ~85% over the year.
        r = rng.random(n)
        p_online = np.clip(0.60 + 0.25 * frac + unit_online[u], 0.2, 0.98)
        channel = np.where(eligible & (r < p_online), 2, np.where(r > 0.975, 3, 1)).astype(np.int8)
        online = channel == 2

        # Submission: desk and post on working days (rolled forward, or back at year end).
        sub_day = d.copy()
        off = ~online
        rolled = np.busday_offset(d[off], 0, roll="forward", busdaycal=calendar)
        rolled = np.where(rolled > end, last_busday, rolled)
        sub_day[off] = rolled
        sub_sec = np.where(
            online,
            np.where(
                rng.random(n) < 0.75,
                _uniform_seconds(rng, n, 7.0, 17.0),
                _uniform_seconds(rng, n, 17.0, 23.9),
            ),
            np.where(
                rng.random(n) < 0.6, _uniform_seconds(rng, n, 7.5, 11.5), _uniform_seconds(rng, n, 13.5, 16.9)
            ),
        )
        # Reception: desk at once; online within the working day (next one after 16:00); post in 1–3 days.
        office = _uniform_seconds(rng, n, 7.5, 11.0)
        rec_day = sub_day.copy()
        rec_sec = sub_sec + rng.integers(120, 1200, n)
        late_online = online & ((sub_sec >= 16 * 3600) | ~np.is_busday(sub_day, busdaycal=calendar))
        rec_day[online] = np.busday_offset(
            sub_day[online] + late_online[online].astype(int), 0, roll="forward", busdaycal=calendar
        )
        same = online & (rec_day == sub_day)
        rec_sec = np.where(same, sub_sec + rng.integers(600, 5400, n), np.where(online, office, rec_sec))
        post = channel == 3
        rec_day[post] = np.busday_offset(
            sub_day[post], rng.integers(1, 4, int(post.sum())), busdaycal=calendar
        )
        rec_sec = np.where(post, office, rec_sec)

        # Due date: working days; same-day procedures received after 15:00 are due the next working day.
        eff_days = np.where((pdays == 0) & (rec_sec >= 15 * 3600), 1, pdays)
        due_day = np.busday_offset(rec_day, eff_days, roll="forward", busdaycal=calendar)
        due_sec = np.where(eff_days == 0, 17 * 3600, np.minimum(rec_sec, 17 * 3600))

        # Outcome.
        r = rng.random(n)
        withdrawn = r < 0.004
        stopped = (r >= 0.004) & (r < 0.006)
        stuck = (r >= 0.006) & (r < 0.0075)
        special = withdrawn | stopped | stuck
        p_late = np.clip(BASE_LATE * unit_late[u] * cat.field_late[field], 0.0, 0.4)
        late = ~special & (rng.random(n) < p_late)
        on_time = ~special & ~late & ((eff_days == 0) | (rng.random(n) < 0.18))
        fin_bd = np.floor(rng.random(n) * eff_days).astype(np.int64)  # early: 0 .. eff_days-1
        fin_bd = np.where(on_time, eff_days, fin_bd)
        fin_bd = np.where(late, eff_days + rng.geometric(0.3, n), fin_bd)
        fin_bd = np.where(withdrawn | stopped, rng.integers(0, 3, n) + eff_days // 2, fin_bd)
        fin_day = np.busday_offset(rec_day, fin_bd, busdaycal=calendar)
        fin_sec = _uniform_seconds(rng, n, 8.0, 17.0)
        fin_sec = np.where(
            fin_day == rec_day, np.maximum(fin_sec, rec_sec + rng.integers(600, 3600, n)), fin_sec
        )
        # Return: online results at once mostly, same-day desk procedures handed back on the spot,
        # others when the applicant comes back (often on the appointment date or later).
        p_now = np.where(online, 0.7, np.where(eff_days == 0, 0.95, 0.0))
        ret_k = np.where(rng.random(n) < p_now, 0, rng.geometric(0.5, n) - 1)
        ret_day = np.busday_offset(fin_day, ret_k, busdaycal=calendar)
        ret_sec = np.where(
            ret_k == 0, fin_sec + rng.integers(300, 10800, n), _uniform_seconds(rng, n, 7.5, 17.0)
        )

        def ts(day_arr, sec_arr):
            return day_arr.astype("datetime64[s]").astype(np.int64) + sec_arr

        sub_ts = ts(sub_day, sub_sec)
        rec_ts = ts(rec_day, rec_sec)
        due_ts = ts(due_day, due_sec)
        fin_ts = ts(fin_day, fin_sec)
        ret_ts = ts(ret_day, ret_sec)

        refused = rng.random(n) < np.where(online, 0.02, 0.003)
        received = ~refused & (rec_ts <= as_of)
        closed = received & ~stuck & (fin_ts <= as_of)
        done = closed & ~withdrawn & ~stopped
        returned = done & (ret_ts <= as_of) & (rng.random(n) >= 0.015)
        pending = received & ~closed
        has_fee = cat.fee[proc] > 0

        status = np.full(n, 4, dtype=np.int8)
        rs = rng.random(n)
        status = np.where(pending & (rs < 0.2), 5, status)
        status = np.where(pending & has_fee & (rs >= 0.2) & (rs < 0.3), 6, status)
        status = np.where(pending & (fin_ts > as_of) & (rec_ts > as_of - 86400), 2, status)
        status = np.where(closed & withdrawn, 7, status)
        status = np.where(closed & stopped, 8, status)
        status = np.where(done, 9, status)
        status = np.where(returned, 10, status)
        status = np.where(~received, np.where(refused, 3, 1), status).astype(np.int8)

        pages = np.where(cat.per_unit[proc], 1 + rng.poisson(1.5, n), 1)
        fee = cat.fee[proc] * pages
        p_pay = np.where(online, 0.50 + 0.30 * frac, np.where(post, 0.3, 0.08))
        paid_online = received & has_fee & (rng.random(n) < p_pay)

        comp_total = cat.components[proc] + rng.poisson(0.4, n)
        p_dig = np.clip(0.55 + 0.35 * frac + unit_dig[u], 0.0, 1.0)
        comp_dig = np.where(online, comp_total, rng.binomial(comp_total, p_dig))
        comp_dig = np.where(received, comp_dig, 0)
        result_dig = done & (rng.random(n) < np.where(online, 0.92, 0.68 + 0.2 * frac))

        finished_late = done & (fin_day > due_day)
        rated = done & (rng.random(n) < np.where(online, 0.32, 0.12))
        good = np.array([0.01, 0.01, 0.04, 0.22, 0.72]).cumsum()
        bad = np.array([0.10, 0.10, 0.20, 0.30, 0.30]).cumsum()
        rr = rng.random(n)
        rating = 1 + np.where(finished_late, np.searchsorted(bad, rr), np.searchsorted(good, rr))
        rating = np.where(rated, np.minimum(rating, 5), 0).astype(np.float64)
        rating[rating == 0] = np.nan

        as_of_day = np.datetime64(date(year, 12, 31), "D")
        late_any = finished_late | (pending & (due_day < as_of_day)) | (closed & ~done & (fin_day > due_day))
        apology = late_any & (rng.random(n) < 0.6 * np.clip(unit_late[u], 0.5, 1.5))
        due_reset = apology & (rng.random(n) < 0.85)

        wait = np.where(
            received & (channel == 1) & unit_queue[u],
            np.round(rng.lognormal(np.log(11.0), 0.7, n), 1),
            np.nan,
        )

        # Daily sequence per unit and submission day, in submission order, continued across chunks.
        sub_idx = (sub_day - start).astype(np.int64)
        key = u.astype(np.int64) * len(days) + sub_idx
        order = np.lexsort((sub_sec, key))
        ks = key[order]
        first = np.r_[True, ks[1:] != ks[:-1]]
        start_pos = np.maximum.accumulate(np.where(first, np.arange(n), 0))
        seq_sorted = counters[ks] + (np.arange(n) - start_pos) + 1
        seq = np.empty(n, dtype=np.int64)
        seq[order] = seq_sorted
        counters += np.bincount(key, minlength=counters.size)

        def dt(values, mask=None):
            out = values.astype("datetime64[s]").astype("datetime64[us]")
            if mask is not None:
                out[~mask] = np.datetime64("NaT")
            return out

        yield (
            cat,
            {
                "unit_idx": u.astype(np.int32),
                "proc_idx": proc.astype(np.int32),
                "seq": seq.astype(np.int32),
                "channel": channel,
                "submitted_at": dt(sub_ts),
                "received_at": dt(rec_ts, received),
                "due_at": dt(due_ts, received),
                "finished_at": dt(fin_ts, closed),
                "returned_at": dt(ret_ts, returned),
                "status": status,
                "fee": fee.astype(np.int64),
                "paid_online": paid_online,
                "components_total": comp_total.astype(np.int16),
                "components_digitised": comp_dig.astype(np.int16),
                "result_digitised": result_dig,
                "rating": rating,
                "apology_letter": apology,
                "wait_minutes": wait,
                "due_reset": due_reset,
            },
        )


_CHUNK_SELECT = """
SELECT
    u.unit_code || '-' || strftime(c.submitted_at, '%y%m%d') || '-' || printf('%04d', c.seq) AS dossier_code,
    u.unit_code,
    p.procedure_code,
    p.field,
    p.level,
    p.online_eligible,
    CAST(c.channel AS TINYINT) AS channel,
    CAST(c.submitted_at AS TIMESTAMP) AS submitted_at,
    CAST(c.received_at AS TIMESTAMP) AS received_at,
    CAST(c.due_at AS TIMESTAMP) AS due_at,
    CAST(c.finished_at AS TIMESTAMP) AS finished_at,
    CAST(c.returned_at AS TIMESTAMP) AS returned_at,
    CAST(c.status AS TINYINT) AS status,
    CAST(c.fee AS DECIMAL(15,0)) AS fee,
    c.paid_online,
    CAST(c.components_total AS SMALLINT) AS components_total,
    CAST(c.components_digitised AS SMALLINT) AS components_digitised,
    c.result_digitised,
    CAST(c.rating AS TINYINT) AS rating,
    c.apology_letter,
    CAST(c.wait_minutes AS DOUBLE) AS wait_minutes,
    c.due_reset
FROM chunk_df AS c
JOIN units_df AS u USING (unit_idx)
JOIN procs_df AS p USING (proc_idx)
ORDER BY c.submitted_at, u.unit_code
"""


def _select(as_of: date | None) -> str:
    """The chunk query, seen from ``as_of`` (end of that day) when given: later dossiers are dropped
    and later events have not happened yet (pending again, no result, no rating)."""
    if as_of is None:
        return _CHUNK_SELECT
    t = f"TIMESTAMP '{as_of:%Y-%m-%d} 23:59:59'"
    not_received = f"coalesce(received_at > {t}, false)"
    not_closed = f"({not_received} OR coalesce(finished_at > {t}, false))"
    not_returned = f"({not_closed} OR coalesce(returned_at > {t}, false))"
    late_by_then = f"(NOT {not_closed} OR coalesce(CAST(due_at AS DATE) < DATE '{as_of:%Y-%m-%d}', false))"
    return f"""
SELECT dossier_code, unit_code, procedure_code, field, level, online_eligible, channel, submitted_at,
    CASE WHEN {not_received} THEN NULL ELSE received_at END AS received_at,
    CASE WHEN {not_received} THEN NULL ELSE due_at END AS due_at,
    CASE WHEN {not_closed} THEN NULL ELSE finished_at END AS finished_at,
    CASE WHEN {not_returned} THEN NULL ELSE returned_at END AS returned_at,
    CAST(CASE WHEN {not_received} THEN 1 WHEN {not_closed} THEN 4 WHEN {not_returned} THEN 9 ELSE status END
         AS TINYINT) AS status,
    fee, paid_online AND NOT {not_received} AS paid_online, components_total, components_digitised,
    result_digitised AND NOT {not_closed} AS result_digitised,
    CASE WHEN {not_returned} THEN NULL ELSE rating END AS rating,
    apology_letter AND NOT {not_received} AND {late_by_then} AS apology_letter,
    wait_minutes,
    due_reset AND NOT {not_received} AND {late_by_then} AS due_reset
FROM ({_CHUNK_SELECT}) AS c
WHERE submitted_at <= {t}
"""


def _connection(cat: _Catalogue, units: list[tuple[str, int]]):
    import duckdb

    # DuckDB scans dicts of numpy arrays directly (NaN and NaT read as NULL): no pandas at run time.
    con = duckdb.connect()
    con.execute("SET threads = 2")
    con.register(
        "units_df",
        {
            "unit_idx": np.arange(len(units), dtype=np.int32),
            "unit_code": np.array([c for c, _ in units], dtype=object),
        },
    )
    con.register(
        "procs_df",
        {
            "proc_idx": np.arange(len(cat.procedures), dtype=np.int32),
            "procedure_code": np.array([p.code for p in cat.procedures], dtype=object),
            "field": np.array([p.field for p in cat.procedures], dtype=object),
            "level": np.array([p.level if p.online else "partial" for p in cat.procedures], dtype=object),
            "online_eligible": np.array([p.online for p in cat.procedures], dtype=bool),
        },
    )
    return con


def _check_units(units: list[tuple[str, int]]) -> None:
    codes = [c for c, _ in units]
    if len(set(codes)) != len(codes) or not all(codes):
        raise ValueError("unit codes must be unique and non-empty")


def generate(
    rows: int,
    year: int = 2026,
    units: list[tuple[str, int]] | None = None,
    seed: int = 0,
    *,
    chunk_rows: int = CHUNK_ROWS,
    as_of: date | None = None,
):
    """Yield pandas DataFrames (numpy-backed, no pyarrow) of about ``chunk_rows`` dossiers each, with
    exactly the columns of ``schema.COLUMNS``; ``rows`` in total. ``units``: (code, population or
    workload weight); default ``default_units(seed)``. Deterministic for (rows, year, units, seed)."""
    import pandas as pd

    units = units or default_units(seed)
    _check_units(units)
    con = None
    for cat, chunk in _generate_numeric(rows, year, units, seed, chunk_rows):
        if con is None:
            con = _connection(cat, units)
        con.register("chunk_df", pd.DataFrame(chunk))
        yield con.execute(_select(as_of)).df()
        con.unregister("chunk_df")


def write_file(
    path: str | os.PathLike,
    rows: int,
    year: int = 2026,
    fmt: str = "csv",
    *,
    seed: int = 0,
    units: list[tuple[str, int]] | None = None,
    chunk_rows: int = CHUNK_ROWS,
    as_of: date | None = None,
) -> Path:
    """Write ``rows`` synthetic dossiers to one CSV (with header) or Parquet file, chunk by chunk
    through DuckDB ``COPY (SELECT ...) TO``; memory stays at about one chunk. Returns the path.
    ``as_of``: the data as a one-stop system would export it at the end of that day (the demo uses
    today); default: a snapshot after the year's end."""
    if fmt not in ("csv", "parquet"):
        raise ValueError("fmt must be 'csv' or 'parquet'")
    path = Path(path)
    units = units or default_units(seed)
    _check_units(units)
    parts_dir = Path(tempfile.mkdtemp(prefix="dossiers-", dir=path.parent))
    try:
        con = None
        parts: list[Path] = []
        for i, (cat, chunk) in enumerate(_generate_numeric(rows, year, units, seed, chunk_rows)):
            if con is None:
                con = _connection(cat, units)
            con.register("chunk_df", chunk)
            part = parts_dir / f"part-{i:05d}.{fmt}"
            options = (
                "FORMAT parquet"
                if fmt == "parquet"
                else f"FORMAT csv, HEADER {'true' if i == 0 else 'false'}"
            )
            con.execute(f"COPY ({_select(as_of)}) TO '{part}' ({options})")
            con.unregister("chunk_df")
            parts.append(part)
        if fmt == "csv":
            with open(path, "wb") as out:
                for part in parts:
                    with open(part, "rb") as handle:
                        shutil.copyfileobj(handle, out, 16 * 1024 * 1024)
        elif len(parts) == 1:
            shutil.move(parts[0], path)
        else:
            import duckdb

            con2 = duckdb.connect()
            con2.execute("SET threads = 2")
            files = ", ".join(f"'{p}'" for p in parts)
            con2.execute(f"COPY (SELECT * FROM read_parquet([{files}])) TO '{path}' (FORMAT parquet)")
            con2.close()
        if con is not None:
            con.close()
    finally:
        shutil.rmtree(parts_dir, ignore_errors=True)
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write synthetic one-stop dossiers (CSV or Parquet).")
    parser.add_argument("path")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--format", choices=("csv", "parquet"), default=None)
    args = parser.parse_args(argv)
    fmt = args.format or ("parquet" if args.path.endswith(".parquet") else "csv")
    print(write_file(args.path, args.rows, args.year, fmt, seed=args.seed))


if __name__ == "__main__":
    main()
