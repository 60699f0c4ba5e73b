"""Score the plan-document parser against the hand-checked seed plans.

    python bench/docimport_score.py [--seeds DIR] [--verbose]

For each seed text (seeds/ke-hoach-*.txt) it parses the text and compares with the expected JSON in
cchc/demo/data/: tasks (top-level and sub-items together), targets, lead units and times. A predicted
task matches an expected one when their folded contents are similar (token-set Jaccard ≥ 0.6 or
difflib ratio ≥ 0.8), pairs taken greedily, best first, one to one. A target also needs the same
threshold. Lead units count as right when the folded sets of names are equal; times when the folded
time texts are equal (both over matched tasks). Parse times are per document, plus a synthetic
~60-page document (the seeds repeated to ~3,000 lines). No Django needed.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cchc.core.text import fold_key  # noqa: E402
from cchc.docimport.parse import parse_plan_text  # noqa: E402
from cchc.docimport.restore import load_model  # noqa: E402

DOCUMENTS = ROOT / "cchc" / "docimport" / "tests" / "documents"
SEEDS = {
    "ke-hoach-cchc-2026-2030-xa-mao-dien.txt": "plan_mao_dien_84.json",
    "ke-hoach-cchc-2026-2030-dac-khu-bach-long-vi.txt": "plan_bach_long_vi_95.json",
    "ke-hoach-cchc-2026-2030-so-gddt-hai-phong.txt": "plan_so_gddt_6252.json",
}


def tokens(text: str) -> set[str]:
    return set(fold_key(text).split())


def similar(a: str, b: str) -> float:
    """Similarity of two texts after folding; ≥ 0.6 Jaccard or ≥ 0.8 ratio counts as the same."""
    ta, tb = tokens(a), tokens(b)
    jaccard = len(ta & tb) / len(ta | tb) if ta | tb else 1.0
    ratio = difflib.SequenceMatcher(None, fold_key(a), fold_key(b)).ratio()
    return max(jaccard / 0.6, ratio / 0.8)  # ≥ 1.0 means "matches"


def match(expected: list, predicted: list, text_of, extra=lambda e, p: True) -> list[tuple[int, int]]:
    """Greedy one-to-one matching, most similar pairs first."""
    pairs = []
    for i, e in enumerate(expected):
        for j, p in enumerate(predicted):
            s = similar(text_of(e), text_of(p))
            if s >= 1.0 and extra(e, p):
                pairs.append((s, i, j))
    pairs.sort(reverse=True)
    used_e, used_p, out = set(), set(), []
    for _s, i, j in pairs:
        if i not in used_e and j not in used_p:
            used_e.add(i)
            used_p.add(j)
            out.append((i, j))
    return out


def flat_expected(tasks: list[dict]) -> list[dict]:
    out = []
    for task in tasks:
        out.append(task)
        out.extend(task.get("children") or [])
    return out


def flat_predicted(tasks) -> list[dict]:
    out = []
    for task in tasks:
        out.append(task)
        out.extend(task["children"])
    return out


def names(values) -> frozenset:
    return frozenset(fold_key(v) for v in (values or []) if fold_key(v))


def pr(matched: int, expected: int, predicted: int) -> tuple[float, float]:
    precision = matched / predicted if predicted else (1.0 if not expected else 0.0)
    recall = matched / expected if expected else 1.0
    return precision, recall


def score_document(text: str, expected: dict) -> tuple[dict, float, dict]:
    started = time.perf_counter()
    plan = parse_plan_text(text)
    elapsed = (time.perf_counter() - started) * 1000
    draft = plan.to_json()
    rows = {}
    exp_tasks = flat_expected(expected["tasks"])
    got_tasks = flat_predicted(draft["tasks"])
    pairs = match(exp_tasks, got_tasks, lambda t: t["content"])
    rows["tasks"] = (len(exp_tasks), len(got_tasks), len(pairs))
    lead_ok = sum(1 for i, j in pairs if names(exp_tasks[i].get("lead")) == names(got_tasks[j]["lead"]))
    rows["lead"] = (len(pairs), len(pairs), lead_ok)
    time_ok = sum(
        1
        for i, j in pairs
        if fold_key(exp_tasks[i].get("time_text") or "") == fold_key(got_tasks[j]["time_text"] or "")
    )
    rows["time"] = (len(pairs), len(pairs), time_ok)
    exp_targets, got_targets = expected["targets"], draft["targets"]

    def same_threshold(e, p):
        a, b = e.get("threshold"), p.get("threshold")
        return (a is None and b is None) or (
            a is not None and b is not None and abs(float(a) - float(b)) < 1e-6
        )

    tpairs = match(exp_targets, got_targets, lambda t: t["text"], same_threshold)
    rows["targets"] = (len(exp_targets), len(got_targets), len(tpairs))
    comp_ok = sum(1 for i, j in tpairs if exp_targets[i]["comparator"] == got_targets[j]["comparator"])
    rows["comparator"] = (len(tpairs), len(tpairs), comp_ok)
    plan_exp = expected["plan"]
    header_ok = sum(
        [
            fold_key(plan_exp["number"]) == fold_key(draft["number"])
            and plan_exp["number"] == draft["number"],
            plan_exp["date"] == draft["date"],
            fold_key(plan_exp["issuer"]) == fold_key(draft["issuer"]),
            similar(plan_exp["title"], draft["title"]) >= 1.0,
            plan_exp["kind"] == draft["kind"]
            and plan_exp["year_start"] == draft["year_start"]
            and plan_exp["year_end"] == draft["year_end"],
        ]
    )
    rows["header (5 fields)"] = (5, 5, header_ok)
    details = {
        "missed_tasks": [
            exp_tasks[i]["content"][:90] for i in range(len(exp_tasks)) if i not in {a for a, _ in pairs}
        ],
        "extra_tasks": [
            got_tasks[j]["content"][:90] for j in range(len(got_tasks)) if j not in {b for _, b in pairs}
        ],
        "missed_targets": [
            exp_targets[i]["text"][:90] for i in range(len(exp_targets)) if i not in {a for a, _ in tpairs}
        ],
        "extra_targets": [
            f"{got_targets[j]['text'][:90]} [{got_targets[j]['comparator']} {got_targets[j]['threshold']}]"
            for j in range(len(got_targets))
            if j not in {b for _, b in tpairs}
        ],
        "lead_wrong": [
            f"{exp_tasks[i].get('lead')} ≠ {got_tasks[j]['lead']}"
            for i, j in pairs
            if names(exp_tasks[i].get("lead")) != names(got_tasks[j]["lead"])
        ],
        "time_wrong": [
            f"{exp_tasks[i].get('time_text')!r} ≠ {got_tasks[j]['time_text']!r}"
            for i, j in pairs
            if fold_key(exp_tasks[i].get("time_text") or "") != fold_key(got_tasks[j]["time_text"] or "")
        ],
        "header": {
            k: draft[k] for k in ("number", "issuer", "date", "title", "kind", "year_start", "year_end")
        },
    }
    return rows, elapsed, details


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--seeds", type=Path, default=Path(os.environ.get("CCHC_SEEDS_DIR", "/work/shared/seeds"))
    )
    parser.add_argument("--expected", type=Path, default=ROOT / "cchc" / "demo" / "data")
    parser.add_argument(
        "--documents", type=Path, default=DOCUMENTS, help="held-out documents with their expected JSON"
    )
    parser.add_argument("--verbose", "-v", action="store_true", help="list missed and extra items")
    args = parser.parse_args(argv)
    load_model()  # model loading is not parse time
    header = f"{'document':<44} {'field':<18} {'expected':>8} {'predicted':>9} {'matched':>7} {'precision':>9} {'recall':>7}"
    print(header)
    print("-" * len(header))
    times = {}
    texts = []
    totals: dict[str, dict[str, list[int]]] = {}

    def report(label: str, group: str, text: str, expected: dict) -> None:
        rows, elapsed, details = score_document(text, expected)
        times[label] = elapsed
        for field, (n_exp, n_pred, n_match) in rows.items():
            sums = totals.setdefault(group, {}).setdefault(field, [0, 0, 0])
            sums[0], sums[1], sums[2] = sums[0] + n_exp, sums[1] + n_pred, sums[2] + n_match
            print(_row(label, field, n_exp, n_pred, n_match))
        if args.verbose:
            for key, values in details.items():
                if values:
                    print(f"    {key}:")
                    for value in values if isinstance(values, list) else [values]:
                        print(f"      - {value}")

    for seed, expected_name in SEEDS.items():
        clear_caches()
        path = args.seeds / seed
        text = path.read_text(encoding="utf-8")
        texts.append(text)
        expected = json.loads((args.expected / expected_name).read_text(encoding="utf-8"))
        report(seed, "seeds", text, expected)
    for path, expected in documents(args.documents):
        clear_caches()
        text = read_document(path)
        report(path.name, expected.get("set", "held-out"), text, expected)
    print()
    print("totals (fields summed over the documents of each set)")
    print(header)
    print("-" * len(header))
    for group, fields in totals.items():
        for field, (n_exp, n_pred, n_match) in fields.items():
            print(_row(f"TOTAL {group}", field, n_exp, n_pred, n_match))
    print()
    print(
        "parse time: "
        + ", ".join(f"{name.split('-2030-')[-1].rsplit('.', 1)[0]} {ms:.0f} ms" for name, ms in times.items())
    )
    # synthetic "60-page" documents (~3,000 lines): all seeds concatenated (accented overall, so no
    # restoration), and the two OCR seeds only (no diacritics: every line goes through restoration)
    for label, sources in (("all seeds", texts), ("OCR seeds only", texts[1:])):
        pieces, total = [], 0
        while total < 3000:
            for text in sources:
                pieces.append(text)
                total += text.count("\n") + 1
        big = "\n".join(pieces)
        clear_caches()
        started = time.perf_counter()
        plan = parse_plan_text(big)
        elapsed = (time.perf_counter() - started) * 1000
        print(
            f"synthetic 60-page document ({label}): {big.count(chr(10)) + 1} lines, {len(big) // 1024} KiB → "
            f"{len(plan.all_tasks())} tasks, {len(plan.targets)} targets in {elapsed:.0f} ms"
            + (" (repeated pages reuse cached restorations)" if plan.restored else "")
        )
    bach_long_vi = texts[1].count("\n") + 1
    print(
        f"cold restoration + parse of the Bạch Long Vĩ OCR text: {times[list(SEEDS)[1]]:.0f} ms for "
        f"{bach_long_vi} lines ≈ {times[list(SEEDS)[1]] / bach_long_vi * 50:.0f} ms per 50-line page"
    )
    print()
    from cchc.docimport.build_restore_model import evaluate

    for name, result in evaluate(args.expected).items():
        print(
            f"diacritics restoration, held-out {name}: {result['correct']}/{result['words']} words "
            f"= {result['accuracy']:.2%}"
        )
    return 0


RATIO_FIELDS = ("lead", "time", "comparator", "header (5 fields)")


def _row(label: str, field: str, n_exp: int, n_pred: int, n_match: int) -> str:
    precision, recall = pr(n_match, n_exp, n_pred)
    if field in RATIO_FIELDS:  # scored over matched items: one ratio
        precision = recall = n_match / n_exp if n_exp else 1.0
    return (
        f"{label[:44]:<44} {field:<18} {n_exp:>8} {n_pred:>9} {n_match:>7} {precision:>9.3f} {recall:>7.3f}"
    )


def documents(folder: Path) -> list[tuple[Path, dict]]:
    """The held-out test documents: each NAME.expected.json next to its source (NAME.txt unless the
    JSON names another "source"), written by hand before the parser was changed for it. Its "set"
    is "held-out" (written before the parser changes) or "blind" (written after, never developed on)."""
    out = []
    for expected_path in sorted(folder.glob("*.expected.json")):
        expected = json.loads(expected_path.read_text(encoding="utf-8"))
        source = expected.get("source") or expected_path.name.replace(".expected.json", ".txt")
        out.append((folder / source, expected))
    return out


def read_document(path: Path) -> str:
    """Text files are parsed as they are (like the seeds); Word and PDF files go through extract_text
    (OCR for a scan), which is not counted in the parse time."""
    if path.suffix == ".txt":
        return path.read_text(encoding="utf-8")
    from cchc.docimport.extract import extract_text

    return extract_text(path.read_bytes(), path.name).text


def clear_caches() -> None:
    """Forget restorations done so far, so a timing starts cold (the model stays loaded)."""
    from cchc.docimport import restore

    restore._cached_viterbi.cache_clear()
    restore._cached_candidates.cache_clear()
    restore.Model.neighbours.cache_clear()


if __name__ == "__main__":
    raise SystemExit(main())
