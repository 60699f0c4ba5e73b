"""Login throttling and lockout (django-axes): per account and per address, Vietnamese, audited."""

import pytest
from axes.models import AccessAttempt
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from cchc.conftest import PASSWORD
from cchc.core.models import AuditEntry

LOCKED = "Tạm khóa đăng nhập"


def _try(client: Client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def _login_notes(user) -> list[str]:
    return list(
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(user), object_id=str(user.pk)
        ).values_list("note", flat=True)
    )


@pytest.mark.django_db
def test_thirty_wrong_passwords_then_the_right_one_is_refused_in_vietnamese(personas):
    client = Client()
    statuses = [_try(client, "officer", f"sai-{i}").status_code for i in range(30)]
    assert statuses[:4] == [200] * 4, "the first wrong passwords show the login form again"
    assert set(statuses[4:]) == {429}, "the fifth wrong password locks the account"

    response = _try(client, "officer", PASSWORD)
    html = response.content.decode()
    assert response.status_code == 429
    assert LOCKED in html and "sai 5 lần" in html and "15 phút" in html
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_each_failed_login_and_the_lockout_leave_an_audit_row(personas):
    client = Client()
    for i in range(6):
        _try(client, "officer", f"sai-{i}", ip="10.0.0.7")
    notes = _login_notes(personas["officer"])
    failed = [n for n in notes if n.startswith("Đăng nhập không thành công từ địa chỉ 10.0.0.7")]
    lockouts = [n for n in notes if n.startswith("Khóa đăng nhập sau 5 lần sai mật khẩu")]
    assert len(failed) == 6
    assert len(lockouts) == 1 and "«officer»" in lockouts[0] and "10.0.0.7" in lockouts[0]


@pytest.mark.django_db
def test_an_unknown_name_is_audited_against_the_attempt_record(personas):
    _try(Client(), "khong-co-ai", "sai")
    attempt = AccessAttempt.objects.get(username="khong-co-ai")
    entry = AuditEntry.objects.get(content_type=ContentType.objects.get_for_model(attempt))
    assert entry.note.startswith("Đăng nhập không thành công") and entry.actor is None


@pytest.mark.django_db
def test_another_account_from_another_address_is_not_affected(personas):
    for i in range(8):
        _try(Client(), "officer", f"sai-{i}", ip="10.0.0.1")
    response = _try(Client(), "head", PASSWORD, ip="10.0.0.2")
    assert response.status_code == 302 and response.url == reverse("home")


@pytest.mark.django_db
def test_the_account_stays_locked_from_another_address(personas):
    for i in range(5):
        _try(Client(), "officer", f"sai-{i}", ip="10.0.0.1")
    assert _try(Client(), "officer", PASSWORD, ip="10.9.9.9").status_code == 429


@pytest.mark.django_db
def test_the_address_is_locked_for_every_account(personas):
    for i, name in enumerate(["officer", "head", "sibling", "leader", "officer"]):
        _try(Client(), name, f"sai-{i}", ip="10.0.0.3")
    assert _try(Client(), "city_standing", PASSWORD, ip="10.0.0.3").status_code == 429
    assert _try(Client(), "city_standing", PASSWORD, ip="10.0.0.4").status_code == 302


@pytest.mark.django_db
def test_behind_the_proxy_the_address_comes_from_the_configured_header(personas, settings):
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    for i in range(5):
        # Everyone reaches Django from the proxy's address; the proxy appends the real one.
        Client().post(
            reverse("login"),
            {"username": f"khach-{i}", "password": "sai"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9",
        )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.9"}
    other = Client().post(
        reverse("login"),
        {"username": "head", "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.1",
    )
    assert other.status_code == 302, "another client behind the same proxy is not locked"


@pytest.mark.django_db
def test_a_successful_login_clears_the_earlier_failures(personas):
    client = Client()
    for i in range(4):
        _try(client, "officer", f"sai-{i}")
    assert _try(client, "officer", PASSWORD).status_code == 302
    assert _try(Client(), "officer", "sai-lan-nua").status_code == 200


@pytest.mark.django_db
def test_an_administrator_unlocks_with_the_command(personas):
    for i in range(5):
        _try(Client(), "officer", f"sai-{i}", ip="10.0.0.5")
    assert _try(Client(), "officer", PASSWORD, ip="10.0.0.6").status_code == 429
    call_command("axes_reset_username", "officer")
    assert _try(Client(), "officer", PASSWORD, ip="10.0.0.6").status_code == 302


@pytest.mark.django_db
def test_an_administrator_unlocks_in_the_admin(personas, login):
    for i in range(5):
        _try(Client(), "officer", f"sai-{i}", ip="10.0.0.5")
    admin = login(personas["admin"])
    changelist = reverse("admin:axes_accessattempt_changelist")
    assert "officer" in admin.get(changelist).content.decode()
    attempt = AccessAttempt.objects.get(username="officer")
    response = admin.post(
        changelist, {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"}
    )
    assert response.status_code == 302 and not AccessAttempt.objects.exists()
    assert _try(Client(), "officer", PASSWORD, ip="10.0.0.5").status_code == 302


@pytest.mark.django_db
def test_the_attempt_records_are_for_administrators_only(personas, login):
    changelist = reverse("admin:axes_accessattempt_changelist")
    assert login(personas["city_standing"]).get(changelist).status_code == 302
    assert login(None).get(changelist).status_code == 302


@pytest.mark.django_db
def test_the_test_clients_login_still_works(personas, client):
    assert client.login(username="officer", password=PASSWORD)


@pytest.mark.django_db
def test_the_admin_login_is_throttled_too(personas):
    client = Client()
    url = reverse("admin:login")
    for i in range(5):
        client.post(url, {"username": "admin", "password": f"sai-{i}"}, REMOTE_ADDR="10.0.0.8")
    response = client.post(url, {"username": "admin", "password": PASSWORD}, REMOTE_ADDR="10.0.0.8")
    assert response.status_code == 429 and LOCKED in response.content.decode()
