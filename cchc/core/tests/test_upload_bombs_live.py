"""Four upload bombs at once against a live, threaded server, while a person keeps reading a normal
page: every bomb is refused with its Vietnamese message and the page keeps answering."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.urls import reverse

from cchc.core.tests import samples
from cchc.core.tests.http import Browser


@pytest.fixture
def officer_browser(transactional_db, world, personas, live_server, client, settings):
    """A new browser tab of the commune officer (its own CSRF cookie) each call."""
    settings.CSRF_COOKIE_SECURE = False  # the live server speaks plain HTTP
    client.force_login(personas["officer"])
    return lambda: Browser(live_server.url, client.cookies["sessionid"].value)


def test_four_bombs_at_once_are_refused_while_a_normal_page_still_answers(officer_browser, world):
    browser = officer_browser()
    document = reverse("docimport:upload")
    excel = reverse("plans:plan_import", args=[world.plan.pk])
    bombs = [
        ("docx 1 MB → 400 MB", document, "ke-hoach.docx", samples.docx_bomb(), "Tệp giải nén ra quá lớn"),
        ("xlsx 1.000.000 dòng", excel, "ke-hoach.xlsx", samples.xlsx_rows(1_000_000), "20.000 dòng"),
        ("PDF rác 25 MB", document, "ke-hoach.pdf", samples.junk_pdf(), "không phải PDF hợp lệ"),
        ("PDF/EXE", document, "ke-hoach.pdf", samples.pdf_exe_polyglot(), "chương trình (EXE)"),
    ]
    fields = {document: {"issuer": world.mao_dien.pk, "parent": ""}, excel: {}}
    normal = reverse("plans:plan_list")
    latencies: list[float] = []
    done = threading.Event()

    def bomb(item):
        label, path, name, data, message = item
        started = time.perf_counter()
        status, page = officer_browser().post_file(path, fields[path], name, data)
        return label, status, message in page, time.perf_counter() - started

    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(bomb, item) for item in bombs]
        while not done.is_set():
            started = time.perf_counter()
            status, page = browser.get(normal)
            latencies.append(time.perf_counter() - started)
            assert status == 200 and "Kế hoạch" in page
            if all(f.done() for f in futures):
                done.set()
        results = [f.result() for f in futures]

    print()
    for label, status, refused, seconds in results:
        print(f"{label}: HTTP {status}, refused={refused}, {seconds:.3f} s")
    print(f"normal page meanwhile: {len(latencies)} answers, slowest {max(latencies):.3f} s")
    for label, status, refused, seconds in results:
        assert status == 200 and refused, label
        assert seconds < 3, label  # four at once on a two-core machine, each well under a second alone
    assert max(latencies) < 2
