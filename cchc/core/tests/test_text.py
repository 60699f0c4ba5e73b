import unicodedata

from cchc.core.text import fold, fold_key, nfc


def test_fold_removes_diacritics_and_case_and_maps_d_bar():
    assert fold("Cải cách THỦ TỤC hành chính") == "cai cach thu tuc hanh chinh"
    assert fold("Đặc khu Bạch Long Vĩ") == "dac khu bach long vi"


def test_fold_treats_decomposed_and_composed_text_alike():
    decomposed = unicodedata.normalize("NFD", "Phòng Văn hóa - Xã hội")
    assert fold(decomposed) == fold("Phòng Văn hóa - Xã hội")


def test_fold_key_ignores_punctuation_between_words():
    assert fold_key("Phòng Văn hóa – Xã hội") == fold_key("phong van hoa - xa hoi") == "phong van hoa xa hoi"


def test_nfc_composes_and_collapses_spaces():
    assert nfc(unicodedata.normalize("NFD", "  Mao   Điền ")) == "Mao Điền"
    assert unicodedata.is_normalized("NFC", nfc(unicodedata.normalize("NFD", "Điền")))
