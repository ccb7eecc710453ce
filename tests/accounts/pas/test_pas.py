"""PA records: adding and changing them, encryption, the minimum wage warning, linked documents."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from accounts import services as document_services
from accounts.pas import services
from accounts.pas.models import MinimumWageRate, PersonalAssistant
from tests.accounts.helpers import pdf
from tests.accounts.pas.helpers import PA_FORM, make_pa
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_member_adds_a_pa_and_sees_their_details(client, user):
    client.force_login(user)
    response = client.post(reverse("pas:pa_add"), {**PA_FORM, "notes": "Allergic to cats", "payroll_reference": "P7"})
    pa = PersonalAssistant.objects.get(owner=user)
    assert response.status_code == 302 and response["Location"] == pa.get_absolute_url()
    page = client.get(pa.get_absolute_url()).content.decode()
    assert "Sam Jones" in page and "Allergic to cats" in page and "P7" in page
    assert pa.weekly_hours == Decimal("20") and pa.start_date == date(2026, 1, 5)


def test_the_name_and_notes_are_not_stored_in_plain_text(user):
    make_pa(user, name="Zebedee Quill", notes="MARKER-pa-notes-4c1")
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM pas_personalassistant")
        dump = repr(cursor.fetchall())
    assert "Zebedee" not in dump and "MARKER-pa-notes" not in dump
    assert services.read_details(PersonalAssistant.objects.get()).name == "Zebedee Quill"


def test_a_pa_key_moved_to_another_row_does_not_open(user):
    from accounts import crypto

    first, second = make_pa(user, name="First"), make_pa(user, name="Second")
    second.wrapped_key, second.key_id = first.wrapped_key, first.key_id
    with pytest.raises(crypto.DecryptionFailed):
        services.read_details(second)


def test_bad_input_is_explained_next_to_the_field_and_kept(client, user):
    client.force_login(user)
    data = {**PA_FORM, "hourly_rate": "twelve", "weekly_hours": "", "end_date": "2025-01-01"}
    response = client.post(reverse("pas:pa_add"), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: " in page
    assert "Enter the hourly rate as a number of pounds, for example 13.50" in page
    assert "Enter their contracted hours a week, or choose irregular hours" in page
    assert "The last day of work must be on or after the start date" in page
    assert 'value="Sam Jones"' in page and 'value="twelve"' in page
    assert not PersonalAssistant.objects.exists()


@pytest.mark.parametrize(("today", "rate", "band", "expected"), [
    (date(2025, 12, 1), "12.50", "21_over", []),  # 12.21 in force; the April rise is over 90 days away
    (date(2026, 3, 31), "12.50", "21_over", [date(2026, 4, 1)]),  # fine today, below from tomorrow
    (date(2026, 4, 1), "12.50", "21_over", [date(2026, 4, 1)]),
    (date(2026, 4, 1), "12.71", "21_over", []),  # exactly the minimum is fine
    (date(2026, 4, 1), "10.50", "18_20", [date(2026, 4, 1)]),
    (date(2026, 4, 1), "10.85", "18_20", []),
    (date(2024, 12, 1), "11.50", "21_over", []),  # 11.44 then; 12.21 is more than 90 days away
])
def test_the_minimum_wage_warning_comes_on_the_right_dates(user, today, rate, band, expected):
    pa = make_pa(user, hourly_rate=Decimal(rate), age_band=band, start_date=date(2024, 6, 1))
    assert [warning.on for warning in services.wage_warnings(pa, today=today)] == expected


def test_a_rate_below_the_minimum_warns_but_is_saved(client, user, settings):
    client.force_login(user)
    response = client.post(reverse("pas:pa_add"), {**PA_FORM, "hourly_rate": "9.00"}, follow=True)
    page = response.content.decode()
    assert response.status_code == 200 and PersonalAssistant.objects.get().hourly_rate == Decimal("9.00")
    assert "£9.00 an hour is below the legal minimum" in page
    assert "the legal minimum for 21 and over (National Living Wage) is £12.71 an hour" in page


def test_a_moderator_updates_the_rate_table_and_members_are_warned_from_then(client, user, moderator):
    pa = make_pa(user, hourly_rate=Decimal("13.00"))
    assert services.wage_warnings(pa, today=date(2027, 4, 1)) == []
    client.force_login(moderator)
    response = client.post(reverse("pas:wage_rates"), {"band": "21_over", "starts_on": "2027-04-01",
                                                        "hourly_rate": "13.20", "source": "GOV.UK"})
    assert response.status_code == 302
    assert [w.rate.hourly_rate for w in services.wage_warnings(pa, today=date(2027, 4, 1))] == [Decimal("13.20")]


def test_members_cannot_change_the_rate_table(client, user):
    client.force_login(user)
    response = client.post(reverse("pas:wage_rates"), {"band": "21_over", "starts_on": "2027-04-01",
                                                        "hourly_rate": "1.00"})
    assert response.status_code == 403
    assert not MinimumWageRate.objects.filter(starts_on=date(2027, 4, 1)).exists()


def test_the_rate_table_is_seeded_by_the_migration():
    assert MinimumWageRate.objects.get(band="21_over", starts_on=date(2026, 4, 1)).hourly_rate == Decimal("12.71")


def test_a_pa_links_only_the_members_own_documents(client, user):
    mine = document_services.store_document(owner=user, upload=pdf("Sam contract.pdf"), kind="pa_contract")
    theirs = document_services.store_document(owner=UserFactory(), upload=pdf("Other.pdf"), kind="other")
    client.force_login(user)
    page = client.get(reverse("pas:pa_add")).content.decode()
    assert "Sam contract" in page and "Other" not in page
    refused = client.post(reverse("pas:pa_add"), {**PA_FORM, "documents": [str(mine.pk), str(theirs.pk)]})
    assert refused.status_code == 400 and "Choose from your own documents" in refused.content.decode()
    assert not PersonalAssistant.objects.exists()
    client.post(reverse("pas:pa_add"), {**PA_FORM, "documents": [str(mine.pk)]})
    pa = PersonalAssistant.objects.get()
    assert list(pa.documents.all()) == [mine]
    page = client.get(pa.get_absolute_url()).content.decode()
    assert mine.get_absolute_url() in page
    services.change_pa(pa=pa, owner=user, name="Sam", documents=[theirs])
    assert list(pa.documents.all()) == []


def test_another_member_cannot_change_or_delete_a_pa_through_the_services(user):
    from django.http import Http404

    pa = make_pa(user)
    stranger = UserFactory()
    with pytest.raises(Http404):
        services.change_pa(pa=pa, owner=stranger, name="Hijacked")
    with pytest.raises(Http404):
        services.delete_pa(pa=pa, owner=stranger)
    assert services.read_details(PersonalAssistant.objects.get()).name == "Sam Jones"


def test_the_pa_list_reads_names_in_a_fixed_number_of_queries(client, user, django_assert_max_num_queries):
    """Guards an n+1 on the PAs' holiday and warnings growing faster than one set per PA."""
    for number in range(3):
        make_pa(user, name=f"PA {number}")
    client.force_login(user)
    with django_assert_max_num_queries(40):
        assert client.get(reverse("pas:pa_list")).status_code == 200
