"""The upload bombs of issue 9 against a running site, four at once, while a person reads a page.

    python bench/upload_bombs.py [--url http://127.0.0.1:8000] [--user maodien.chuyenvien]
                                 [--password cchc@2026] [--rounds 3]

Run it against `make run` or gunicorn + PostgreSQL with the demo data (`load_demo`). As the commune
officer it sends, all at the same time: a 1 MB .docx that inflates to 400 MB and a 25 MB junk PDF to
the plan document import, a 5 MB .xlsx of a million rows to the plan Excel import, and a PDF/EXE
polyglot as task evidence; meanwhile it reads the plan list in a loop. It prints how long each bomb
took to be refused (and with which message) and how the normal page answered meanwhile.
"""

import argparse
import re
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from cchc.core.tests import samples  # noqa: E402
from cchc.core.tests.http import Browser  # noqa: E402


def _first(pattern: str, page: str) -> str | None:
    found = re.search(pattern, page)
    return found.group(1) if found else None


def _targets(browser: Browser) -> dict:
    """Where the officer may upload: the issuer of a plan document, a plan and a task they edit."""
    _, upload_page = browser.get("/nhap-ke-hoach/")
    issuer = _first(r'name="issuer"[^>]*>\s*<option value="(\d+)"', upload_page)
    _, plans = browser.get("/ke-hoach/")
    plan = task = None
    for candidate in dict.fromkeys(re.findall(r'href="/ke-hoach/(\d+)/"', plans)):
        try:
            browser.get(f"/ke-hoach/{candidate}/nhap-excel/")
        except Exception:  # noqa: BLE001 - 404: not a plan this officer may import into
            continue
        plan = candidate
        _, plan_page = browser.get(f"/ke-hoach/{candidate}/")
        for task_id in dict.fromkeys(re.findall(r'href="/nhiem-vu/(\d+)/"', plan_page)):
            _, task_page = browser.get(f"/nhiem-vu/{task_id}/")
            if f"/nhiem-vu/{task_id}/kiem-chung/" in task_page:
                task = task_id
                break
        if task:
            break
    if not (issuer and plan and task):
        raise SystemExit("Không tìm thấy đơn vị ban hành, kế hoạch hoặc nhiệm vụ mà tài khoản được sửa.")
    return {"issuer": issuer, "plan": plan, "task": task}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--user", default="maodien.chuyenvien")
    parser.add_argument("--password", default="cchc@2026")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    def browser() -> Browser:
        tab = Browser(args.url.rstrip("/"), "")
        tab.login(args.user, args.password)
        return tab

    where = _targets(browser())
    document = ("/nhap-ke-hoach/", {"issuer": where["issuer"], "parent": ""})
    excel = f"/ke-hoach/{where['plan']}/nhap-excel/"
    evidence = f"/nhiem-vu/{where['task']}/kiem-chung/"
    task_page = f"/nhiem-vu/{where['task']}/"
    bombs = [
        ("docx 1 MB → 400 MB", *document, "ke-hoach.docx", samples.docx_bomb(), None),
        ("xlsx 1.000.000 dòng", excel, {}, "ke-hoach.xlsx", samples.xlsx_rows(), None),
        ("PDF rác 25 MB", *document, "ke-hoach.pdf", samples.junk_pdf(), None),
        (
            "PDF/EXE (kiểm chứng)",
            evidence,
            {"kind": "document"},
            "bao-cao.pdf",
            samples.pdf_exe_polyglot(),
            task_page,
        ),
    ]
    messages = re.compile(
        r"(Tệp giải nén ra quá lớn[^<]*|[^>]*giới hạn mỗi lần nhập[^<]*|[^>]*không phải PDF hợp lệ[^<]*)"
    )
    reader = browser()
    timings: dict[str, list[float]] = {label: [] for label, *_ in bombs}
    answers: dict[str, str] = {}
    latencies: list[float] = []
    for _ in range(args.rounds):
        done = threading.Event()

        def send(bomb):
            label, path, fields, name, data, form_page = bomb
            tab = browser()
            started = time.perf_counter()
            status, page = tab.post_file(path, fields, name, data, form_page)
            found = messages.search(page)
            return (
                label,
                status,
                found.group(1).strip() if found else "(không thấy thông báo)",
                time.perf_counter() - started,
            )

        with ThreadPoolExecutor(max_workers=len(bombs)) as pool:
            futures = [pool.submit(send, bomb) for bomb in bombs]
            while not done.is_set():
                started = time.perf_counter()
                status, _ = reader.get("/ke-hoach/")
                latencies.append(time.perf_counter() - started)
                if status != 200:
                    raise SystemExit(f"Trang danh sách kế hoạch trả lời {status} trong lúc tải tệp.")
                done.set() if all(f.done() for f in futures) else time.sleep(0.05)
            for future in futures:
                label, status, message, seconds = future.result()
                timings[label].append(seconds)
                answers[label] = f"HTTP {status}: {message}"
    print(f"{args.rounds} lượt, mỗi lượt 4 tệp cùng lúc, {args.url}")
    for label, values in timings.items():
        print(
            f"  {label:<22} median {statistics.median(values):.3f} s, max {max(values):.3f} s — {answers[label]}"
        )
    print(
        f"  trang /ke-hoach/ trong lúc đó: {len(latencies)} lần, median {statistics.median(latencies) * 1000:.0f} ms, "
        f"max {max(latencies) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
