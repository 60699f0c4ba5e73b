"""Put Vietnamese diacritics back into text that lost them (OCR output, typed without accents).

"Cai cach thu tuc hanh chinh" → "Cải cách thủ tục hành chính". The model is a small word n-gram
language model over accented, lower-case words (built by ``build_restore_model`` from administrative
texts that have their accents; never from the documents it is measured on). For every word the
candidates are the accented forms seen for its folded form (no marks, đ → d); a second-order Viterbi
search picks the sequence the trigram/bigram/unigram counts (stupid backoff) like best.

OCR also garbles letters: "Piéu" (Điều), "PAC KHU" (ĐẶC KHU), "S6" (Số), "ciia" (của), "QP-UBND"
(QĐ-UBND). A token whose folded form is unknown gets candidates from known words within a small
weighted edit distance, where the usual OCR confusions (P/B → Đ, 6 → ô, 1 → l, ii → ư …) are cheap;
it is only replaced when the neighbouring words support the replacement. Unknown words with no good
candidate (names, English terms) are left exactly as they were. The case pattern of every token is
kept (UPPER, Title, lower).
"""

from __future__ import annotations

import gzip
import json
import math
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

MODEL_PATH = Path(__file__).with_name("restore_model.json.gz")

NUM = "<num>"
UNK = "<unk>"
BOUNDARY = "<s>"

# A word: letters and digits, plus the symbols OCR puts inside words ("¢6" for "có").
WORD_RE = re.compile(r"(?:[^\W_]|[¢€©®§])+")
# Punctuation that ends the context of the language model.
_BREAK_RE = re.compile(r"[.;:!?()\[\]{}\"“”|•…]|\n\s*\n")

_SPECIAL_FOLD = str.maketrans(
    {"¢": "c", "€": "e", "©": "c", "®": "r", "§": "s", "đ": "d", "Đ": "d", "Ð": "d"}
)

# Vietnamese letters outside Latin-1: a word holding one was typed with real diacritics. Latin-1 marks
# alone ("hiéu", "Ké") are what OCR leaves behind and are not trusted.
_RICH = set("ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịĩọỏốồổỗộớờởỡợụủũứừửữựỳỵỷỹ")

_LATIN1_MARKS = set("áàãéèíìóòõúùýâêô")
_ROMAN = {"i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii"}

_ONSETS = (
    "ngh",
    "ng",
    "nh",
    "ch",
    "gh",
    "gi",
    "kh",
    "ph",
    "qu",
    "th",
    "tr",
    "b",
    "c",
    "d",
    "g",
    "h",
    "k",
    "l",
    "m",
    "n",
    "p",
    "r",
    "s",
    "t",
    "v",
    "x",
    "",
)
_RHYME_RE = re.compile(
    r"^(?:[aeiouy]|ai|ao|au|ay|eo|eu|ia|ie|iu|oa|oai|oay|oe|oi|oo|ua|uay|ue|ui|uo|uoi|uou|uu|uy|uya|uye|"
    r"uyu|ye|yeu|ieu|uoi|uou|oeo)(?:c|ch|m|n|ng|nh|p|t)?$"
)

# Cheap substitutions: what OCR makes of Vietnamese letters. (source in OCR text, what it stands for)
_OCR_SUBS: dict[tuple[str, str], float] = {}
for _a, _b, _cost in [
    ("p", "d", 0.3),
    ("b", "d", 0.4),
    ("b", "o", 0.4),
    ("d", "o", 0.5),
    ("6", "o", 0.2),
    ("0", "o", 0.2),
    ("1", "l", 0.2),
    ("4", "a", 0.3),
    ("3", "a", 0.5),
    ("i", "a", 0.5),
    ("i", "u", 0.5),
    ("y", "u", 0.4),
    ("w", "u", 0.3),
    ("q", "o", 0.4),
    ("c", "e", 0.5),
    ("e", "c", 0.6),
    ("e", "o", 0.6),
    ("a", "u", 0.6),
    ("t", "u", 0.6),
    ("r", "u", 0.6),
    ("d", "a", 0.7),
    ("o", "u", 0.7),
    ("u", "o", 0.7),
    ("a", "o", 0.7),
    ("e", "a", 0.7),
    ("a", "e", 0.7),
    ("l", "i", 0.5),
    ("i", "l", 0.5),
    ("s", "x", 0.7),
    ("5", "s", 0.5),
    ("8", "b", 0.6),
    ("0", "d", 0.6),
]:
    _OCR_SUBS[(_a, _b)] = _cost
# Two OCR characters for one letter ("ii" → ư, "tr" → ư, "rn" → m).
_OCR_MERGES: dict[tuple[str, str], float] = {
    ("ii", "u"): 0.3,
    ("ir", "u"): 0.4,
    ("tr", "u"): 0.5,
    ("ti", "u"): 0.5,
    ("it", "u"): 0.5,
    ("tm", "u"): 0.5,
    ("rn", "m"): 0.4,
    ("uw", "u"): 0.3,
    ("cl", "d"): 0.5,
    ("ea", "a"): 0.5,
    ("ue", "u"): 0.6,
}

_SUBS_FROM: dict[str, list[tuple[str, float]]] = {}
for (_a, _b), _cost in _OCR_SUBS.items():
    _SUBS_FROM.setdefault(_a, []).append((_b, _cost))
_MERGES_FROM: dict[str, list[tuple[str, float]]] = {}
for (_a, _b), _cost in _OCR_MERGES.items():
    _MERGES_FROM.setdefault(_a, []).append((_b, _cost))

_DIGIT_LETTERS = str.maketrans({"6": "o", "0": "o", "1": "l", "4": "a", "3": "a", "5": "s", "8": "b"})

ALPHA = 0.4
LOG_ALPHA = math.log(ALPHA)
CHANNEL_WEIGHT = 3.0  # log-penalty per unit of weighted edit distance
KEEP_BONUS = 2.0
NEAR = 0.7  # how far a known word may be read as another known word
CHANGE_PRIOR = 2.0
MAX_CANDIDATES = 12
BEAM = 24
PRUNE = 9.0  # drop search states this far (log) below the best one  # the word already carries exactly these (trusted) diacritics


def fold_word(word: str) -> str:
    """Lower case, no combining marks, đ → d, OCR symbols to the letters they stand for."""
    decomposed = unicodedata.normalize("NFD", word.translate(_SPECIAL_FOLD))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower().translate(_SPECIAL_FOLD)


def strip_marks(text: str) -> str:
    """Text without diacritics, case kept: "Đặc khu Bạch Long Vĩ" → "Dac khu Bach Long Vi"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def is_syllable(folded: str) -> bool:
    """Whether a folded word can be one Vietnamese syllable ("nghiep" yes, "dic", "ctia" no)."""
    for onset in _ONSETS:
        if folded.startswith(onset):
            rest = folded[len(onset) :]
            if rest and _RHYME_RE.match(rest):
                return True
    return False


def case_like(form: str, original: str) -> str:
    """Give ``form`` the case pattern of ``original``: UPPER, Title or lower."""
    letters = [ch for ch in original if ch.isalpha()]
    if not letters:
        return form
    uppers = sum(ch.isupper() for ch in letters)
    if len(letters) > 1 and uppers == len(letters):
        return form.upper()
    if letters[0].isupper():
        if len(letters) > 2 and uppers * 2 > len(letters):
            return form.upper()
        return form[:1].upper() + form[1:]
    return form


def tokenize(text: str) -> list[str]:
    """Language-model tokens of a clean text: lower-case words, numbers as <num>, <s> at breaks."""
    tokens: list[str] = []
    pos = 0
    for match in WORD_RE.finditer(text):
        gap = text[pos : match.start()]
        if _BREAK_RE.search(gap) and tokens and tokens[-1] != BOUNDARY:
            tokens.append(BOUNDARY)
        word = unicodedata.normalize("NFC", match.group()).lower()
        tokens.append(NUM if word.isdigit() else word)
        pos = match.end()
    return tokens


class Model:
    """The n-gram counts and the indexes built from them at load time."""

    def __init__(self, data: dict):
        self.uni: dict[str, int] = data["uni"]
        self.bi: dict[str, int] = data["bi"]
        self.tri: dict[str, int] = data["tri"]
        self.total = sum(self.uni.values()) or 1
        self._scores: dict[tuple[str, str, str], float] = {}
        self._unigrams: dict[str, float] = {}
        self.forms: dict[str, list[tuple[str, int]]] = {}
        for word, count in self.uni.items():
            if word in (NUM, BOUNDARY):
                continue
            self.forms.setdefault(fold_word(word), []).append((word, count))
        for key in self.forms:
            self.forms[key].sort(key=lambda item: -item[1])
            del self.forms[key][10:]
        # log-scores by context for the search: tri_lp[(a, b)][c], bi_lp[b][c]
        self.tri_lp: dict[tuple[str, str], dict[str, float]] = {}
        for key, count in self.tri.items():
            a, b, c = key.split(" ")
            self.tri_lp.setdefault((a, b), {})[c] = math.log(count / self.bi[f"{a} {b}"])
        self.bi_lp: dict[str, dict[str, float]] = {}
        for key, count in self.bi.items():
            b, c = key.split(" ")
            self.bi_lp.setdefault(b, {})[c] = LOG_ALPHA + math.log(count / self.uni[b])
        self.unk_lp = 2 * LOG_ALPHA + math.log(0.5 / self.total) + 3.0
        self.deletes: dict[str, set[str]] = {}
        for folded in self.forms:
            for variant in _deletes(folded, 2 if len(folded) > 2 else 1):
                self.deletes.setdefault(variant, set()).add(folded)

    def unigram(self, word: str) -> float:
        found = self._unigrams.get(word)
        if found is None:
            found = self._unigrams[word] = math.log((self.uni.get(word, 0) + 0.5) / self.total)
        return found

    def score(self, a: str, b: str, c: str) -> float:
        """log S(c | a b), stupid backoff (memoised)."""
        key = (a, b, c)
        found = self._scores.get(key)
        if found is None:
            found = self._scores[key] = self._score(a, b, c)
        return found

    def _score(self, a: str, b: str, c: str) -> float:
        if c == UNK:
            return 2 * LOG_ALPHA + math.log(0.5 / self.total) + 3.0
        tri = self.tri.get(f"{a} {b} {c}")
        if tri:
            return math.log(tri / self.bi[f"{a} {b}"])
        bi = self.bi.get(f"{b} {c}")
        if bi:
            return LOG_ALPHA + math.log(bi / self.uni[b])
        return 2 * LOG_ALPHA + self.unigram(c)

    @lru_cache(maxsize=20000)  # noqa: B019 - one model per process
    def neighbours(self, folded: str, near: bool = False) -> tuple[tuple[str, float], ...]:
        """Known folded words within a small weighted edit distance (``near``: only very close ones)."""
        if near:
            return self._near(folded)
        limit = 1.0 if len(folded) <= 2 else 2.0
        depth = 1 if len(folded) <= 2 else 2
        found: dict[str, float] = {}
        pool: set[str] = set()
        probes = {folded, folded.translate(_DIGIT_LETTERS)}
        for probe in probes:
            for variant in _deletes(probe, depth):
                pool |= self.deletes.get(variant, set())
        first = folded[:1]
        for candidate in pool:
            if abs(len(candidate) - len(folded)) > 2:
                continue
            if (
                candidate[:1] != first
                and (first, candidate[:1]) not in _OCR_SUBS
                and (first, candidate[:1]) not in _FIRST_OK
                and len(folded) > 2
                and candidate[1:2] != folded[:1]
                and candidate[:1] != folded[1:2]
            ):
                continue  # OCR keeps the first letter or confuses it in known ways; skipping others is fast
            distance = weighted_distance(folded, candidate, limit)
            if distance <= limit:
                found[candidate] = distance
        best = sorted(found.items(), key=lambda item: (item[1], -self.uni_folded(item[0])))
        return tuple(best[:6])

    def _near(self, folded: str) -> tuple[tuple[str, float], ...]:
        """Known words one cheap OCR confusion away: one substitution or one two-letter merge."""
        found: dict[str, float] = {}
        for i, ch in enumerate(folded):
            for target, cost in _SUBS_FROM.get(ch, ()):
                if i == 0 and ch in "pb" and target == "d":
                    cost = 0.2
                if cost <= NEAR:
                    variant = folded[:i] + target + folded[i + 1 :]
                    if variant in self.forms and cost < found.get(variant, 9.0):
                        found[variant] = cost
            pair = folded[i : i + 2]
            for target, cost in _MERGES_FROM.get(pair, ()):
                variant = folded[:i] + target + folded[i + 2 :]
                if cost <= NEAR and variant in self.forms and cost < found.get(variant, 9.0):
                    found[variant] = cost
        return tuple(sorted(found.items(), key=lambda item: item[1]))

    def uni_folded(self, folded: str) -> int:
        return sum(count for _, count in self.forms.get(folded, []))


def _deletes(word: str, depth: int) -> set[str]:
    out = {word}
    frontier = {word}
    for _ in range(depth):
        nxt = set()
        for item in frontier:
            for i in range(len(item)):
                nxt.add(item[:i] + item[i + 1 :])
        out |= nxt
        frontier = nxt
    return out


def weighted_distance(source: str, target: str, limit: float = 99.0) -> float:
    """Edit distance from OCR text to a known word, with OCR confusions cheap (stops past limit)."""
    n, m = len(source), len(target)
    subs = _OCR_SUBS
    merges = _OCR_MERGES
    prev2: list[float] = []
    prev = [float(j) for j in range(m + 1)]
    for i in range(1, n + 1):
        a = source[i - 1]
        row = [float(i)] + [0.0] * m
        pair = source[i - 2 : i] if i >= 2 else ""
        for j in range(1, m + 1):
            b = target[j - 1]
            if a == b:
                sub = 0.0
            elif i == 1 and j == 1 and a in "pb" and b == "d":
                sub = 0.2
            else:
                sub = subs.get((a, b), 1.0)
            best = prev[j - 1] + sub
            if prev[j] + 1.0 < best:
                best = prev[j] + 1.0
            if row[j - 1] + 1.0 < best:
                best = row[j - 1] + 1.0
            if pair:
                merge = merges.get((pair, b))
                if merge is not None and prev2[j - 1] + merge < best:
                    best = prev2[j - 1] + merge
                if j >= 2 and a == target[j - 2] and pair[0] == b and prev2[j - 2] + 1.0 < best:
                    best = prev2[j - 2] + 1.0
            row[j] = best
        if min(row) > limit:
            return limit + 1.0
        prev2, prev = prev, row
    return prev[m]


_FIRST_OK = {("t", "u"), ("i", "u"), ("w", "u"), ("r", "u")}


@lru_cache(maxsize=1)
def load_model() -> Model:
    with gzip.open(MODEL_PATH, "rt", encoding="utf-8") as fh:
        return Model(json.load(fh))


def letters_of(token: str) -> str:
    return "".join(ch for ch in token if ch.isalpha())


def _ocr_caps(folded: str) -> bool:
    """An all-caps word that looks like OCR damage rather than an acronym: "HQI", "BQ", "PIEU"."""
    if re.search(r"q(?!u)", folded):
        return True
    return folded[:1] in "pb" and is_syllable("d" + folded[1:])


def _has_rich(word: str) -> bool:
    return any(ch in _RICH for ch in word.lower())


def _candidates(model: Model, token: str, first_in_line: bool, ocr: bool) -> list[tuple[str, float]]:
    """(lower-case output form, channel log-score) for one word token; UNK keeps the token."""
    lower = unicodedata.normalize("NFC", token).lower()
    if lower.isdigit():
        if ocr and lower in ("1", "13") and not first_in_line:
            # OCR reads "l" as "1": "Tỷ 1ệ", "1à"; the neighbours decide between a number and a word
            out = [(NUM, 0.0)]
            for form, _count in model.forms.get("la" if lower == "13" else "le", [])[:3]:
                out.append((form, -CHANNEL_WEIGHT * 0.8))
            return out
        return [(NUM, 0.0)]
    folded = fold_word(token)
    letters = sum(ch.isalpha() or ch in "¢€©®§" for ch in token)
    if token.isupper() and (folded in _ROMAN or len(folded) == 1) and first_in_line:
        return [(UNK, 0.0)]  # a Roman number or a lettered row ("C | CẢI CÁCH …") starting the line
    if len(folded) > 14 or letters == 0:
        return [(UNK, 0.0)]
    out: dict[str, float] = {}
    trusted = _has_rich(lower)
    for form, _count in model.forms.get(folded, []):
        bonus = KEEP_BONUS if form == lower and (trusted or lower != folded) else 0.0
        out[form] = bonus
    if trusted and lower in out:
        return [(lower, 0.0)]
    has_digit = any(ch.isdigit() for ch in token)
    ocr_symbol = any(ch in "¢€©®§" for ch in token)
    if token.isupper() and len(letters_of(token)) >= 2 and not has_digit and not ocr_symbol:
        if folded in model.forms:
            if not is_syllable(folded):
                # A known acronym (UBND, TTHC, NĐ, HĐND): its known spellings only.
                return [(form, 0.0) for form, _ in model.forms[folded]]
        elif not is_syllable(folded) and not _ocr_caps(folded):
            return [(UNK, 0.0)]  # an unknown acronym (PAPI, DVC): keep it
    odd = has_digit or ocr_symbol or not is_syllable(folded)
    if not out or odd:
        for neighbour, distance in model.neighbours(folded):
            if neighbour == folded:
                continue
            penalty = -CHANNEL_WEIGHT * distance
            for form, _count in model.forms[neighbour]:
                out.setdefault(form, penalty)
    elif ocr:
        # A real word, but OCR may have made it from another one ("thue hién" for "thực hiện",
        # "Pang" for "Đảng"): close readings compete, with a prior against changing the word.
        for neighbour, distance in model.neighbours(folded, near=True):
            if neighbour == folded:
                continue
            penalty = -CHANNEL_WEIGHT * distance - CHANGE_PRIOR
            for form, _count in model.forms[neighbour]:
                out.setdefault(form, penalty)
    keep_penalty = 0.0
    if odd and (has_digit or not out or not token.isupper()):
        keep_penalty = -4.0 if has_digit or any(ch in "¢€©®§" for ch in token) else -1.5
    if not out or folded not in model.forms:
        out[UNK] = keep_penalty
    if len(out) > MAX_CANDIDATES:
        ranked = sorted(out.items(), key=lambda item: -(item[1] + 0.2 * model.unigram(item[0])))
        return ranked[:MAX_CANDIDATES]
    return list(out.items())


def looks_like_ocr(text: str) -> bool:
    """Whether text carries OCR damage (stray Latin-1 accents, "¢6", "S6") rather than plain
    accent-less typing; OCR text also gets its real-but-misread words reconsidered."""
    words = WORD_RE.findall(text)
    if not words:
        return False
    odd = sum(
        1
        for w in words
        if any(ch in _LATIN1_MARKS or ch in "¢€©" for ch in w.lower())
        or (any(ch.isdigit() for ch in w) and any(ch.isalpha() for ch in w) and len(w) <= 4)
    )
    return odd / len(words) > 0.02


def restore_diacritics(text: str, ocr: bool | None = None) -> tuple[str, bool]:
    """Restore Vietnamese diacritics; returns (text, whether any word changed).

    Line breaks, spacing, punctuation and numbers are kept exactly; only words are rewritten.
    ``ocr`` (detected when None) also lets OCR misreadings of real words be corrected.
    """
    if not text or not text.strip():
        return text, False
    text = unicodedata.normalize("NFC", text)
    if ocr is None:
        ocr = looks_like_ocr(text)
    if ocr:
        # the document number line "S6: 95/…", "$6:6252 …" (Số:) before anything else
        text = re.sub(r"(?m)^(\s*)(?:S6|Sé6|Sé|S0|\$6|\$ố|\$)\s*:(?=\s*\d)", r"\1Số:", text)
    matches = list(WORD_RE.finditer(text))
    if not matches:
        return text, False
    pieces: list[str] = []
    pos = 0
    segments: list[list[int]] = [[]]
    line_start = True
    for index, match in enumerate(matches):
        gap = text[pos : match.start()]
        if index and _BREAK_RE.search(gap):
            segments.append([])
        if "\n" in gap:
            line_start = True
        segments[-1].append(index)
        pieces.append(gap)
        pos = match.end()
        matches[index] = (match, line_start)  # type: ignore[call-overload]
        line_start = False
    tail = text[pos:]
    chosen: list[str | None] = [None] * len(matches)
    for segment in segments:
        if not segment:
            continue
        tokens = [matches[i][0].group() for i in segment]  # type: ignore[index]
        firsts = [matches[i][1] for i in segment]  # type: ignore[index]
        best = _cached_viterbi(tuple(tokens), tuple(firsts), ocr)
        for i, form in zip(segment, best, strict=True):
            chosen[i] = form
    out: list[str] = []
    changed = False
    for index, (match, _first) in enumerate(matches):  # type: ignore[misc]
        token = match.group()
        form = chosen[index]
        if form in (None, UNK, NUM) or (form == fold_word(form) and form == fold_word(token)):
            new = token  # nothing to add: keep the word exactly as written (VNeID, iPhone)
        else:
            new = case_like(form, token)
        if new != token:
            changed = True
        out.append(pieces[index])
        out.append(new)
    out.append(tail)
    return "".join(out), changed


@lru_cache(maxsize=50000)
def _cached_candidates(token: str, first: bool, ocr: bool) -> list[tuple[str, float]]:
    return _candidates(load_model(), token, first, ocr)


@lru_cache(maxsize=20000)
def _cached_viterbi(tokens: tuple[str, ...], firsts: tuple[bool, ...], ocr: bool) -> tuple[str, ...]:
    return tuple(_viterbi(load_model(), list(tokens), list(firsts), ocr))


def _viterbi(model: Model, tokens: list[str], firsts: list[bool], ocr: bool) -> list[str]:
    """Best sequence of output forms for one context segment (second-order Viterbi, stupid backoff)."""
    lattice = [_cached_candidates(token, first, ocr) for token, first in zip(tokens, firsts, strict=True)]
    tri_lp, bi_lp, empty = model.tri_lp, model.bi_lp, {}
    back_off = {}
    for options in lattice:
        for form, _channel in options:
            if form not in back_off:
                back_off[form] = model.unk_lp if form == UNK else 2 * LOG_ALPHA + model.unigram(form)
    beams: dict[tuple[str, str], float] = {(BOUNDARY, BOUNDARY): 0.0}
    pointers: list[dict[tuple[str, str], tuple[str, str]]] = []
    for options in lattice:
        nxt: dict[tuple[str, str], float] = {}
        ptr: dict[tuple[str, str], tuple[str, str]] = {}
        for state, score in beams.items():
            a, b = state
            tri = tri_lp.get(state, empty)
            bi = bi_lp.get(b, empty)
            for form, channel in options:
                lm = tri.get(form)
                if lm is None:
                    lm = bi.get(form)
                    if lm is None:
                        lm = back_off[form]
                total = score + channel + lm
                key = (b, form)
                if total > nxt.get(key, -1e18):
                    nxt[key] = total
                    ptr[key] = state
        top = max(nxt.values())
        if len(nxt) > BEAM:
            nxt = dict(sorted(nxt.items(), key=lambda item: -item[1])[:BEAM])
        nxt = {key: value for key, value in nxt.items() if value >= top - PRUNE}
        beams = nxt
        pointers.append(ptr)
    state = max(beams, key=beams.get)
    out: list[str] = []
    for ptr in reversed(pointers):
        out.append(state[1])
        state = ptr[state]
    out.reverse()
    return out


def split_glued(text: str) -> str:
    """Split words OCR glued together: "Trungtâm" → "Trung tâm", "HĐNDvà" → "HĐND và".

    A word is split only when it is not a Vietnamese syllable itself and both parts are known words
    (syllables or known acronyms), so names and foreign terms stay as they are."""
    model = load_model()

    def known(part: str) -> bool:
        folded = fold_word(part)
        if folded not in model.forms:
            return False
        return is_syllable(folded) or (part.isupper() and len(part) >= 2)

    def fix(match: re.Match) -> str:
        word = match.group(0)
        letters = letters_of(word)
        if len(letters) < 5 or len(word) != len(letters):
            return word
        folded = fold_word(word)
        if folded in model.forms or is_syllable(folded):
            return word
        best, best_score = None, 0
        for i in range(2, len(word) - 1):
            left, right = word[:i], word[i:]
            if known(left) and known(right):
                score = model.uni_folded(fold_word(left)) * model.uni_folded(fold_word(right))
                if left[-1].isupper() and right[0].islower():
                    score *= 10  # "HĐNDvà": the case changes where the words meet
                if score > best_score:
                    best, best_score = f"{left} {right}", score
        return best or word

    return WORD_RE.sub(fix, text)
