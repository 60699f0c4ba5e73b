"""`load_demo` creates accounts with a published password, so production (DEBUG off) must ask for it."""

import pytest
from django.core.management import CommandError, call_command

from cchc.demo.management.commands import load_demo as command
from cchc.org.models import User


@pytest.fixture
def loads(monkeypatch):
    """The real seeding takes a minute; what is checked here is whether the command lets it run."""
    calls = []
    counts = {"units": 0, "plans": 0, "targets": 0, "tasks": 0, "dossiers": 0}
    monkeypatch.setattr(command, "load_demo", lambda: calls.append(1) or counts)
    return calls


@pytest.mark.django_db
def test_with_debug_off_load_demo_refuses_to_create_the_demo_accounts(settings, loads):
    settings.DEBUG = False
    with pytest.raises(CommandError) as refused:
        call_command("load_demo", "--quiet")
    assert "Không tạo tài khoản mẫu khi DEBUG tắt" in str(refused.value)
    assert "--allow-demo-accounts" in str(refused.value)
    assert loads == [] and not User.objects.exists()


@pytest.mark.django_db
def test_with_debug_off_the_explicit_flag_lets_it_run(settings, loads):
    settings.DEBUG = False
    call_command("load_demo", "--quiet", "--allow-demo-accounts")
    assert loads == [1]


@pytest.mark.django_db
def test_make_run_with_debug_on_loads_the_demo(settings, loads):
    settings.DEBUG = True
    call_command("load_demo", "--quiet")
    assert loads == [1]
