"""Changing one's password and resetting it by e-mail, in Vietnamese, with an audit row."""

import re

import pytest
from axes.models import AccessAttempt
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.test import Client
from django.urls import reverse

from cchc.conftest import PASSWORD
from cchc.core.models import AuditEntry
from cchc.testing import check_matrix

NEW = "Hai-Phong-2026-moi!"


def _notes(user) -> list[str]:
    return list(
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(user), object_id=str(user.pk)
        ).values_list("note", flat=True)
    )


@pytest.fixture
def officer(personas):
    user = personas["officer"]
    user.email = "chuyenvien@maodien.haiphong.gov.vn"
    user.save(update_fields=["email"])
    return user


#              anon off  offi head cstd sib  city dept lead admin
SIGNED_IN = "302  200  200  200  200  200  200  200  200  200"
OPEN = "200  200  200  200  200  200  200  200  200  200"


@pytest.mark.django_db
def test_password_pages_answer_each_persona(personas, login):
    pages = [
        (reverse("password_change"), SIGNED_IN),
        (reverse("password_change_done"), SIGNED_IN),
        (reverse("password_reset"), OPEN),
        (reverse("password_reset_done"), OPEN),
        (reverse("password_reset_complete"), OPEN),
        (reverse("password_reset_confirm", args=["MQ", "sai-ma"]), OPEN),
    ]
    assert check_matrix(login, personas, pages) == []
    response = login(None).get(reverse("password_change"))
    assert response.url.startswith(reverse("login"))


@pytest.mark.django_db
def test_the_user_menu_links_to_the_password_change(officer, login):
    html = login(officer).get(reverse("home")).content.decode()
    assert f'href="{reverse("password_change")}"' in html and "Đổi mật khẩu" in html


@pytest.mark.django_db
def test_an_officer_changes_her_password(officer, login):
    client = login(officer)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 302 and response.url == reverse("password_change_done")
    assert client.get(reverse("home")).status_code == 200, "this session stays signed in"
    officer.refresh_from_db()
    assert officer.check_password(NEW)
    assert "Đổi mật khẩu" in _notes(officer)
    assert "***" in str(AuditEntry.objects.filter(note="Đổi mật khẩu").get().changes)
    assert NEW not in str(AuditEntry.objects.values_list("changes", flat=True))


@pytest.mark.django_db
def test_a_wrong_old_password_or_a_weak_new_one_is_refused_in_vietnamese(officer, login):
    client = login(officer)
    wrong = client.post(
        reverse("password_change"), {"old_password": "sai", "new_password1": NEW, "new_password2": NEW}
    ).content.decode()
    assert "Mật khẩu cũ không đúng" in wrong
    weak = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "123", "new_password2": "123"},
    ).content.decode()
    assert "ít nhất 8 ký tự" in weak
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)


@pytest.mark.django_db
def test_a_forgotten_password_is_reset_through_the_mailed_link(officer):
    client = Client()
    response = client.post(reverse("password_reset"), {"email": "ChuyenVien@maodien.haiphong.gov.vn"})
    assert response.status_code == 302 and response.url == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["chuyenvien@maodien.haiphong.gov.vn"]
    assert message.subject == "Đặt lại mật khẩu tài khoản CCHC Hải Phòng"
    assert "Kính gửi officer" in message.body and "«officer»" in message.body

    link = re.search(r"http://testserver(/dat-lai-mat-khau/\S+/)", message.body).group(1)
    form_page = client.get(link, follow=True)
    assert "Đặt mật khẩu mới" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302 and done.url == reverse("password_reset_complete")

    officer.refresh_from_db()
    assert officer.check_password(NEW)
    assert "Đặt lại mật khẩu qua liên kết gửi thư điện tử" in _notes(officer)
    assert client.post(reverse("login"), {"username": "officer", "password": NEW}).status_code == 302
    again = client.get(link, follow=True).content.decode()
    assert "Liên kết đặt lại mật khẩu không hợp lệ" in again, "a link works once"


@pytest.mark.django_db
def test_an_unknown_address_gets_the_same_answer_and_no_mail(officer):
    response = Client().post(reverse("password_reset"), {"email": "ai-do@example.com"})
    assert response.status_code == 302 and response.url == reverse("password_reset_done")
    assert mail.outbox == []


@pytest.mark.django_db
def test_an_imported_account_without_a_password_gets_its_first_one_by_mail(officer):
    officer.set_unusable_password()
    officer.save()
    Client().post(reverse("password_reset"), {"email": officer.email})
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_an_inactive_account_gets_no_mail(officer):
    officer.is_active = False
    officer.save()
    Client().post(reverse("password_reset"), {"email": officer.email})
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_reset_lifts_the_lockout_of_the_account(officer):
    for i in range(5):
        Client().post(reverse("login"), {"username": "officer", "password": f"sai-{i}"})
    assert AccessAttempt.objects.filter(username="officer").exists()
    client = Client()
    client.post(reverse("password_reset"), {"email": officer.email})
    link = re.search(r"http://testserver(/dat-lai-mat-khau/\S+/)", mail.outbox[0].body).group(1)
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(set_url, {"new_password1": NEW, "new_password2": NEW})
    assert client.post(reverse("login"), {"username": "officer", "password": NEW}).status_code == 302
