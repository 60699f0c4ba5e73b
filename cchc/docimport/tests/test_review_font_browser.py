"""At a real browser: the review page's source text draws each Vietnamese letter with its tone marks in
one monospace cell (a font without the precomposed letters splits them: "KÊ ́HOẠCH")."""

import pytest

from cchc.conftest import PASSWORD
from cchc.testing import signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIETNAMESE = "ẾỒẪỮỰỢẶĐƠƯếồẫữựợặđơư"


def test_every_vietnamese_letter_takes_one_cell_of_the_source_font(world, personas, live_server, browser):
    from cchc.docimport.models import ImportDraft

    draft = ImportDraft.objects.create(
        issuer=world.mao_dien,
        filename="ke-hoach.txt",
        source_kind="txt",
        source_lines=["KẾ HOẠCH cải cách hành chính"],
        proposal={"targets": [], "tasks": []},
        created_by=personas["officer"],
    )
    page = signed_in_page(browser, live_server, "officer", PASSWORD)
    page.goto(f"{live_server.url}/nhap-ke-hoach/{draft.pk}/")
    page.evaluate("document.fonts.ready")
    # Ask the browser which fonts really drew the line: Liberation Mono alone, which has a glyph for each
    # Vietnamese letter. DejaVu Sans Mono (the former choice) lacks them and is drawn in pieces.
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    line = cdp.send("DOM.querySelector", {"nodeId": root, "selector": ".source .lines li"})["nodeId"]
    page.evaluate(
        "text => { document.querySelector('.source .lines li').textContent += ' ' + text; }", VIETNAMESE
    )
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": line})["fonts"]
    assert [f["familyName"] for f in fonts] == ["Liberation Mono"], fonts
