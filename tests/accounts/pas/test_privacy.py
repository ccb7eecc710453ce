"""A PA's data is the member's employer record: in 'Your data', and erased with the account."""

import io
import json
import zipfile
from datetime import date, time
from decimal import Decimal

import pytest
from django.apps import apps

from accounts import exports
from accounts.pas import services
from accounts.services import delete_account
from tests.accounts.pas.helpers import make_pa, shift
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _everything(user):
    services.change_rota(owner=user, weeks=1, starts_on=date(2026, 11, 30))
    pa = make_pa(user, name="Sam Jones", notes="Prefers texts")
    shift(user, pa, 1, "09:00", "13:00")
    services.add_cover_need(owner=user, weekday=1, start=time(8), end=time(20))
    services.book_holiday(owner=user, pa=pa, first_day=date(2026, 12, 14), last_day=date(2026, 12, 14),
                          hours=Decimal("4"))
    services.copy_rota(owner=user, week_start=date(2026, 12, 7))
    services.add_pay_period(owner=user, first_day=date(2026, 12, 1), last_day=date(2026, 12, 31), cut_off=None)
    services.add_deadline(owner=user, kind="audit", due_on=date(2027, 1, 1), repeats=0, pa=pa)
    services.change_employer_settings(owner=user, insurance_renewal=date(2027, 2, 1))
    services.set_feed(owner=user, on=True)
    return pa


def test_the_export_has_the_pas_records_decrypted(user):
    _everything(user)
    make_pa(UserFactory(), name="Not Theirs")
    data = b"".join(exports.stream_user_data(user=user))
    archive = zipfile.ZipFile(io.BytesIO(data))
    pas = json.loads(archive.read("pas/pas.json"))
    assert [(pa["name"], pa["notes"]) for pa in pas] == [("Sam Jones", "Prefers texts")]
    assert pas[0]["timesheets"][0]["lines"] == [{"date": "2026-12-08", "start": "09:00:00", "end": "13:00:00",
                                                 "hours": "4.00", "type": "Worked"}]
    assert pas[0]["holiday"] == [{"first_day": "2026-12-14", "last_day": "2026-12-14", "hours": "4.00"}]
    rota = json.loads(archive.read("pas/rota.json"))
    assert rota["shifts"][0]["pa"] == "Sam Jones"
    calendar = json.loads(archive.read("pas/employer-calendar.json"))
    assert calendar["insurance_renewal"] == "2027-02-01" and calendar["deadlines"][0]["pa"] == "Sam Jones"
    assert json.loads(archive.read("pas/payroll-periods.json"))[0]["first_day"] == "2026-12-01"
    assert b"Not Theirs" not in data


def test_a_member_with_no_pas_gets_no_pa_files(user):
    archive = zipfile.ZipFile(io.BytesIO(b"".join(exports.stream_user_data(user=user))))
    assert not [name for name in archive.namelist() if name.startswith("pas/")]


def test_deleting_the_account_erases_every_pa_record(user, django_capture_on_commit_callbacks):
    _everything(user)
    other = UserFactory()
    make_pa(other, name="Kept")
    with django_capture_on_commit_callbacks(execute=True):
        delete_account(user=user)
    for model in apps.get_app_config("pas").get_models():
        if model.__name__ == "MinimumWageRate":
            continue
        owned = model.objects.filter(timesheet__owner=user) if model.__name__ == "TimesheetEntry" else (
            model.objects.filter(owner=user))
        assert not owned.exists(), model.__name__
    assert services.read_details(other.pas.get()).name == "Kept"
