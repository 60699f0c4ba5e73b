"""Build the diacritics-restoration model (``restore_model.json.gz``) from accented texts.

    python -m cchc.docimport.build_restore_model [--seeds DIR] [--shared DIR]

Sources, all written WITH diacritics and none of them a document the model is measured on:
- the Mao Điền plan (``seeds/ke-hoach-cchc-2026-2030-xa-mao-dien.txt``);
- the Vietnamese phrases of ``domain.md`` (English sentences are skipped);
- ``seeds/cong-van-2345-…`` when it carries diacritics (the stored one is OCR text without them, so it
  is skipped, and the build says so);
- the Hải Phòng unit names in ``data/haiphong_communes.csv`` and ``data/haiphong_departments.csv``;
- the glossary below: administrative-reform vocabulary, document boilerplate (Decree 30/2020), unit
  names and task/product/time words, written by hand.
The Bạch Long Vĩ and Sở GD&ĐT plans are held out: they measure the model (``--evaluate``).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import re
import sys
from collections import Counter
from pathlib import Path

from cchc.docimport.restore import _RICH, BOUNDARY, MODEL_PATH, WORD_RE, tokenize

DEFAULT_SHARED = Path(os.environ.get("CCHC_SHARED_DIR", "/work/shared"))

GLOSSARY = """
Cải cách hành chính. Cải cách hành chính nhà nước. Chương trình tổng thể cải cách hành chính nhà nước.
Công tác chỉ đạo, điều hành. Công tác chỉ đạo điều hành cải cách hành chính.
Cải cách thể chế. Cải cách thủ tục hành chính. Cải cách tổ chức bộ máy hành chính nhà nước.
Cải cách tổ chức bộ máy. Cải cách chế độ công vụ. Cải cách tài chính công.
Xây dựng và phát triển Chính phủ điện tử, Chính phủ số. Xây dựng chính quyền điện tử, chính quyền số.
Xây dựng chính quyền điện tử, chính quyền số. Chuyển đổi số. Kinh tế số, xã hội số, công dân số.
Mục đích, yêu cầu. Mục đích. Yêu cầu. Mục tiêu và nhiệm vụ cụ thể. Mục tiêu. Nhiệm vụ. Chỉ tiêu.
Các chỉ tiêu và nhiệm vụ cụ thể. Giải pháp thực hiện. Kinh phí. Tổ chức thực hiện.
Trách nhiệm chung. Trách nhiệm cụ thể. Danh mục nhiệm vụ cụ thể. Phụ lục. Danh mục nhiệm vụ cụ thể kèm theo.
Danh mục nhiệm vụ cụ thể triển khai thực hiện Chương trình tổng thể cải cách hành chính nhà nước.
Nội dung công việc. Đơn vị chủ trì. Đơn vị phối hợp. Cơ quan chủ trì. Cơ quan phối hợp.
Kết quả, sản phẩm. Sản phẩm. Thời gian hoàn thành. Thời gian thực hiện. Số thứ tự. Ghi chú.
Kế hoạch. Quyết định. Báo cáo. Công văn. Thông báo. Tờ trình. Chỉ thị. Nghị quyết. Nghị định. Thông tư.
Kế hoạch, báo cáo. Quyết định, báo cáo. Danh mục văn bản. Văn bản tham gia. Tin, bài. Văn bản trả lời.
Văn bản hướng dẫn. Văn bản chỉ đạo. Báo cáo kết quả. Báo cáo kết quả rà soát. Kế hoạch kiểm tra.
Hằng năm. Hàng năm. Hàng quý. Hàng tháng. Thường xuyên. Định kỳ. Đột xuất. Cả năm. Quý I. Quý II.
Quý III. Quý IV. Sáu tháng đầu năm. Sáu tháng cuối năm. Trong tháng. Theo yêu cầu. Theo chỉ đạo.
Theo chỉ đạo của Ủy ban nhân dân thành phố. Theo văn bản chỉ đạo của cấp trên. Theo yêu cầu của Bộ Nội vụ.
Theo hướng dẫn của Sở Nội vụ. Theo kế hoạch của thành phố.
Cộng hòa xã hội chủ nghĩa Việt Nam. Độc lập - Tự do - Hạnh phúc.
Ủy ban nhân dân. Ủy ban nhân dân thành phố Hải Phòng. Ủy ban nhân dân xã. Ủy ban nhân dân phường.
Ủy ban nhân dân đặc khu. Hội đồng nhân dân. Thường trực Hội đồng nhân dân. Chủ tịch Ủy ban nhân dân.
Phó Chủ tịch Ủy ban nhân dân. Chủ tịch. Phó Chủ tịch. Các Phó Chủ tịch. Chánh Văn phòng.
Kế hoạch thực hiện. Ban hành Kế hoạch. Ban hành kèm theo Quyết định này. Kèm theo Quyết định số.
Kèm theo Kế hoạch số. Quyết định này có hiệu lực thi hành kể từ ngày ký. Có hiệu lực kể từ ngày ký.
Điều 1. Điều 2. Điều 3. Như Điều 3. Nơi nhận. Lưu: VT. Lưu văn thư. Đăng tin. Để báo cáo. Để thực hiện.
Thủ trưởng các cơ quan, đơn vị có liên quan chịu trách nhiệm thi hành Quyết định này.
Căn cứ Luật Tổ chức chính quyền địa phương. Căn cứ Nghị quyết số. Căn cứ Quyết định số. Căn cứ Kế hoạch số.
Theo đề nghị của Trưởng phòng. Theo đề nghị của Chánh Văn phòng. Xét đề nghị của.
Văn phòng Hội đồng nhân dân và Ủy ban nhân dân. Văn phòng HĐND và UBND. Văn phòng UBND.
Văn phòng Ủy ban nhân dân. Văn phòng Sở. Phòng Văn hóa - Xã hội. Phòng Kinh tế. Phòng Kinh tế, Hạ tầng và Đô thị.
Phòng Kế hoạch - Tài chính. Phòng Tổ chức cán bộ. Phòng Tổ chức - Cán bộ. Phòng chuyên môn.
Các phòng chuyên môn. Các phòng chức năng. Các phòng, ban, đơn vị có liên quan. Các phòng, đơn vị.
Các cơ quan, đơn vị. Các cơ quan, đơn vị có liên quan. Các cơ quan có liên quan. Các đơn vị trực thuộc.
Các phòng, ban, ngành, đoàn thể. Trung tâm Phục vụ hành chính công. Trung tâm sự nghiệp công.
Trung tâm Văn hóa, Thể thao và Truyền thông. Công an xã. Công an phường. Công an đặc khu. Ban Chỉ huy quân sự.
Cổng thông tin điện tử. Trang thông tin điện tử. Mặt trận Tổ quốc Việt Nam. Các đoàn thể chính trị - xã hội.
Sở Nội vụ. Sở Tư pháp. Sở Tài chính. Sở Khoa học và Công nghệ. Sở Giáo dục và Đào tạo. Sở Y tế.
Sở Xây dựng. Sở Công Thương. Sở Nông nghiệp và Môi trường. Sở Văn hóa, Thể thao và Du lịch. Sở Ngoại vụ.
Thanh tra thành phố. Ban Quản lý khu kinh tế. Bộ Nội vụ. Bộ Chính trị. Chính phủ. Thủ tướng Chính phủ.
Thành ủy. Đảng ủy. Đảng bộ. Ban Thường vụ. Ban Chỉ đạo. Hội đồng thẩm định. Tổ công tác.
Thành phố Hải Phòng. Hải Phòng. Đặc khu. Xã. Phường. Thôn. Khu dân cư. Tổ dân phố. Địa bàn. Địa phương.
Chính quyền địa phương hai cấp. Chính quyền địa phương 02 cấp. Sắp xếp đơn vị hành chính.
Thủ tục hành chính. Thủ tục hành chính nội bộ. Dịch vụ công trực tuyến. Dịch vụ công trực tuyến toàn trình.
Dịch vụ công trực tuyến một phần. Cổng Dịch vụ công quốc gia. Hệ thống thông tin giải quyết thủ tục hành chính.
Cơ chế một cửa, một cửa liên thông. Bộ phận Một cửa. Tiếp nhận và trả kết quả. Hồ sơ trực tuyến.
Thanh toán trực tuyến. Thanh toán không dùng tiền mặt. Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính.
Định danh điện tử. Xác thực điện tử. Căn cước. Tài khoản định danh điện tử. Ứng dụng VNeID.
Cơ sở dữ liệu quốc gia về dân cư. Cơ sở dữ liệu chuyên ngành. Dữ liệu mở. Dữ liệu dùng chung.
Mức độ hài lòng của người dân, doanh nghiệp. Sự hài lòng của người dân, tổ chức. Đo lường sự hài lòng.
Chỉ số cải cách hành chính. Chỉ số hài lòng về sự phục vụ hành chính. Chỉ số năng lực cạnh tranh cấp tỉnh.
Chỉ số hiệu quả quản trị và hành chính công cấp tỉnh. Chỉ số chuyển đổi số. Chỉ số chuyển đổi xanh.
Bộ Chỉ số cải cách hành chính. Tự đánh giá, chấm điểm. Thẩm định. Xếp hạng. Thứ hạng. Kết quả xếp hạng.
Rà soát, đánh giá. Rà soát, sửa đổi, bổ sung. Kiểm tra, rà soát, hệ thống hóa văn bản quy phạm pháp luật.
Văn bản quy phạm pháp luật. Theo dõi thi hành pháp luật. Phổ biến, giáo dục pháp luật. Kiểm soát thủ tục hành chính.
Luật Ban hành văn bản quy phạm pháp luật. Luật Cán bộ, công chức. Luật Viên chức. Luật Ngân sách nhà nước.
Luật Quản lý, sử dụng tài sản công. Thực hành tiết kiệm, chống lãng phí. Phòng, chống tham nhũng.
Cán bộ, công chức, viên chức. Người lao động. Người đứng đầu. Vị trí việc làm. Khung năng lực. Biên chế.
Tinh giản biên chế. Đào tạo, bồi dưỡng. Tuyển dụng. Thi tuyển. Đánh giá, xếp loại. Kỷ luật, kỷ cương hành chính.
Văn hóa công vụ. Đạo đức công vụ. Thi đua, khen thưởng. Chính sách tiền lương. Thu nhập tăng thêm.
Đơn vị sự nghiệp công lập. Cơ chế tự chủ tài chính. Ngân sách nhà nước. Dự toán ngân sách. Giải ngân vốn đầu tư công.
Tài sản công. Quản lý tài chính. Chi thường xuyên. Kinh phí thực hiện. Nguồn kinh phí.
Ứng dụng công nghệ thông tin. Hạ tầng số. Nền tảng số. Hệ thống quản lý văn bản và điều hành.
Chữ ký số. Văn bản điện tử. Hồ sơ công việc. Môi trường mạng. An toàn thông tin mạng. Hội nghị trực tuyến.
Trí tuệ nhân tạo. Dữ liệu lớn. Điện toán đám mây. Internet vạn vật. Chuỗi khối. Thiết bị di động.
Hệ thống quản lý chất lượng theo Tiêu chuẩn quốc gia TCVN ISO 9001:2015. Tiêu chuẩn.
Thông tin, tuyên truyền. Tuyên truyền, phổ biến. Nâng cao nhận thức. Sáng kiến. Mô hình. Cách làm hay.
Chính quyền thân thiện. Công sở thân thiện. Luồng xanh. Phân cấp, ủy quyền. Phân cấp, phân quyền.
Tăng cường. Đẩy mạnh. Tiếp tục. Triển khai. Thực hiện. Tổ chức thực hiện. Tham mưu. Hướng dẫn. Đôn đốc.
Theo dõi. Kiểm tra. Giám sát. Tổng hợp. Đánh giá. Nâng cao. Cải thiện. Duy trì. Áp dụng. Xây dựng.
Hoàn thiện. Ban hành. Sửa đổi, bổ sung. Bãi bỏ. Thay thế. Công khai. Minh bạch. Hiệu lực, hiệu quả.
Tối thiểu. Tối đa. Trở lên. Ít nhất. Không thấp hơn. Không quá. Bình quân. Giảm bình quân. Tăng. Giảm. Đạt.
Tỷ lệ. Phần trăm. So với năm. So với giai đoạn. Đến năm. Giai đoạn. Năm. Tháng. Ngày. Quý.
Trong đó. Trong số đó. Đồng thời. Cụ thể. Cụ thể như sau. Trên đây là. Đề nghị. Yêu cầu. Phản ánh, kiến nghị.
Đặc khu Bạch Long Vĩ. Đặc khu Cát Hải. Xã Mao Điền. Sở Giáo dục và Đào tạo thành phố Hải Phòng.
Ngành Giáo dục. Cơ sở giáo dục. Giáo dục và đào tạo. Y tế. Giáo dục công lập.
Văn phòng Sở. Lãnh đạo Sở. Giám đốc Sở. Phó Giám đốc Sở. Các phòng, đơn vị thuộc Sở. Các đơn vị trực thuộc Sở.
Cơ quan Sở. Của Sở. Tại Sở. Thuộc Sở. Trang thông tin điện tử của Sở. Các sở, ban, ngành. Các sở, ngành.
Từng bước cải thiện. Từng bước nâng cao. Góp phần để. Góp phần nâng cao. Là một trong những địa phương.
Đạt thứ hạng cao. Thứ hạng cao nhất. Phấn đấu đạt. Mô hình mới. Triển khai mô hình. Nhân rộng mô hình.
Để thực hiện tốt. Để bảo đảm. Đạt kết quả cao. Đạt tỷ lệ. Chỉ tiêu đạt. Thành phố Hải Phòng là một trong.
"""


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.exists() else ""


def rich_ratio(text: str) -> float:
    """Share of words carrying a Vietnamese letter outside Latin-1: ~0.4 in accented text, ~0 in OCR."""
    words = WORD_RE.findall(text)
    if not words:
        return 0.0
    return sum(1 for w in words if any(ch in _RICH for ch in w.lower())) / len(words)


def vietnamese_phrases(markdown: str) -> str:
    """The Vietnamese pieces of a mostly English text: phrases where most words carry diacritics."""
    keep = []
    for phrase in re.split(r"[()\[\]|,;:.!?\n`*\"“”]+| – | → |·", markdown):
        words = WORD_RE.findall(phrase)
        if len(words) < 2:
            continue
        accented = sum(1 for w in words if any(ch in _RICH or ch in "áàảãạéèíìóòúùýđ" for ch in w.lower()))
        if accented * 2 >= len(words):
            keep.append(phrase.strip())
    return ". ".join(keep)


def corpus(shared: Path) -> list[tuple[str, str]]:
    """(name, text) of every source used."""
    seeds = shared / "seeds"
    out = []
    mao_dien = _read(seeds / "ke-hoach-cchc-2026-2030-xa-mao-dien.txt")
    out.append(("seeds/ke-hoach-cchc-2026-2030-xa-mao-dien.txt", re.sub(r"\s*\n\s*", " ", mao_dien)))
    out.append(("domain.md (Vietnamese phrases)", vietnamese_phrases(_read(shared / "domain.md"))))
    cong_van = _read(seeds / "cong-van-2345-sang-kien-cchc-hai-phong-2025.txt")
    if rich_ratio(cong_van) >= 0.15:
        out.append(("seeds/cong-van-2345-…", re.sub(r"\s*\n\s*", " ", cong_van)))
    else:
        print(
            f"skipped seeds/cong-van-2345-…: no diacritics (rich ratio {rich_ratio(cong_van):.2f})",
            file=sys.stderr,
        )
    names = []
    for csv_name in ("haiphong_communes.csv", "haiphong_departments.csv"):
        path = shared / "data" / csv_name
        if path.exists():
            with path.open(encoding="utf-8") as fh:
                names += [row["name"] for row in csv.DictReader(fh)]
    out.append(("data/*.csv unit names", ". ".join(names)))
    out.append(("glossary", GLOSSARY))
    return out


def count(texts: list[str]) -> dict:
    uni: Counter = Counter()
    bi: Counter = Counter()
    tri: Counter = Counter()
    for text in texts:
        tokens = [BOUNDARY, BOUNDARY] + tokenize(text) + [BOUNDARY]
        for i, token in enumerate(tokens):
            if i >= 2:
                uni[token] += 1
                bi[f"{tokens[i - 1]} {token}"] += 1
                tri[f"{tokens[i - 2]} {tokens[i - 1]} {token}"] += 1
    uni[BOUNDARY] = uni.get(BOUNDARY, 0) + len(texts)
    bi[f"{BOUNDARY} {BOUNDARY}"] += len(texts)
    return {"uni": dict(uni), "bi": dict(bi), "tri": dict(tri)}


def build(shared: Path = DEFAULT_SHARED, out: Path = MODEL_PATH) -> dict:
    sources = corpus(shared)
    model = count([text for _, text in sources])
    payload = {"sources": [name for name, _ in sources], **model}
    with gzip.open(out, "wt", encoding="utf-8", compresslevel=9) as fh:
        json.dump(payload, fh, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return payload


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--shared", type=Path, default=DEFAULT_SHARED, help="folder with seeds/, data/, domain.md"
    )
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument("--evaluate", action="store_true", help="measure on the held-out plans afterwards")
    args = parser.parse_args(argv)
    payload = build(args.shared, args.out)
    print(
        f"wrote {args.out} ({args.out.stat().st_size // 1024} KiB): {len(payload['uni'])} words, "
        f"{len(payload['bi'])} bigrams, {len(payload['tri'])} trigrams from {', '.join(payload['sources'])}"
    )
    if args.evaluate:
        from cchc.docimport.restore import load_model

        load_model.cache_clear()
        for name, result in evaluate().items():
            print(
                f"{name}: {result['correct']}/{result['words']} words = {result['accuracy']:.2%} "
                f"({result['accuracy_ignoring_case']:.2%} ignoring case)"
            )
    return 0


def held_out_texts(path: Path) -> list[str]:
    """The accented texts of a hand-checked plan JSON: targets, tasks (and children), units."""
    data = json.loads(path.read_text(encoding="utf-8"))
    texts = [data["plan"].get("title") or ""]
    for target in data.get("targets", []):
        texts += [target.get("text") or "", target.get("metric") or ""]

    def walk(tasks):
        for task in tasks:
            texts.extend([task.get("content") or "", task.get("product") or "", task.get("time_text") or ""])
            texts.extend(task.get("lead") or [])
            texts.extend(task.get("partners") or [])
            walk(task.get("children") or [])

    walk(data.get("tasks", []))
    return [t for t in texts if t]


def evaluate(demo_dir: Path | None = None) -> dict[str, dict]:
    """Word accuracy of restore_diacritics on the folded texts of the held-out plans."""
    from cchc.docimport.restore import restore_diacritics, strip_marks

    demo_dir = demo_dir or Path(__file__).resolve().parent.parent / "demo" / "data"
    results = {}
    for name in ("plan_bach_long_vi_95.json", "plan_so_gddt_6252.json"):
        words = correct = correct_ci = 0
        for text in held_out_texts(demo_dir / name):
            restored, _ = restore_diacritics(strip_marks(text))
            gold = WORD_RE.findall(text)
            got = WORD_RE.findall(restored)
            if len(gold) != len(got):
                words += sum(1 for g in gold if not g.isdigit())
                continue
            for g, r in zip(gold, got, strict=True):
                if g.isdigit():
                    continue  # numbers are never touched; count words only
                words += 1
                correct += g == r
                correct_ci += g.lower() == r.lower()
        results[name] = {
            "words": words,
            "correct": correct,
            "accuracy": correct / words if words else 0.0,
            "accuracy_ignoring_case": correct_ci / words if words else 0.0,
        }
    return results


if __name__ == "__main__":
    raise SystemExit(main())
