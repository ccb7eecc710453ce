"""The member's PA records in 'Your data' (USER_DATA_EXPORTERS)."""

from accounts import crypto
from accounts.pas.models import CoverNeed, Deadline, EmployerSettings, PatternShift, PayPeriod, PersonalAssistant
from accounts.pas.services import read_details


def _iso(value):
    return value.isoformat() if value else None


def user_data(user) -> dict[str, object]:
    pas = list(PersonalAssistant.objects.owned_by(user).prefetch_related("timesheets__entries", "holidays"))
    if not pas and not EmployerSettings.objects.owned_by(user).exists():
        return {}
    keyring = crypto.load_keyring()
    records = []
    for pa in pas:
        details = read_details(pa, keyring)
        records.append({
            "id": str(pa.pk), "name": details.name, "notes": details.notes, "role": pa.role,
            "payroll_reference": pa.payroll_reference, "start_date": _iso(pa.start_date),
            "end_date": _iso(pa.end_date), "hourly_rate": str(pa.hourly_rate), "age_band": pa.get_age_band_display(),
            "hours": pa.get_hours_type_display(), "weekly_hours": str(pa.weekly_hours or ""),
            "days_per_week": str(pa.days_per_week or ""), "bank_holidays": pa.get_bank_holidays_display(),
            "holiday_year_starts": f"{pa.holiday_year_start_day}/{pa.holiday_year_start_month}",
            "dbs_certificate_date": _iso(pa.dbs_certificate_date), "dbs_update_service": pa.dbs_update_service,
            "documents": [str(pk) for pk in pa.documents.values_list("pk", flat=True)],
            "holiday": [{"first_day": _iso(b.first_day), "last_day": _iso(b.last_day), "hours": str(b.hours)}
                        for b in pa.holidays.all()],
            "timesheets": [{"week_start": _iso(t.week_start), "approved_at": _iso(t.approved_at),
                            "lines": [{"date": _iso(e.date), "start": _iso(e.start), "end": _iso(e.end),
                                       "hours": str(e.hours), "type": e.get_kind_display()}
                                      for e in t.entries.all()]}
                           for t in pa.timesheets.all()],
        })
    names = {pa.pk: record["name"] for pa, record in zip(pas, records, strict=True)}
    employer = EmployerSettings.objects.owned_by(user).first()
    return {"pas/pas.json": records,
            "pas/rota.json": {
                "shifts": [{"week": s.week, "weekday": s.get_weekday_display(), "start": _iso(s.start),
                            "end": _iso(s.end), "pa": names.get(s.pa_id)}
                           for s in PatternShift.objects.owned_by(user)],
                "cover_needed": [{"weekday": c.get_weekday_display(), "start": _iso(c.start), "end": _iso(c.end)}
                                 for c in CoverNeed.objects.owned_by(user)]},
            "pas/payroll-periods.json": [{"first_day": _iso(p.first_day), "last_day": _iso(p.last_day),
                                          "cut_off": _iso(p.cut_off), "sent_at": _iso(p.sent_at)}
                                         for p in PayPeriod.objects.owned_by(user)],
            "pas/employer-calendar.json": {
                "pension_duties_start": _iso(employer.pension_duties_start) if employer else None,
                "insurance_renewal": _iso(employer.insurance_renewal) if employer else None,
                "reminders_on": employer.reminders_on if employer else None,
                "deadlines": [{"type": d.get_kind_display(), "due_on": _iso(d.due_on),
                               "repeats": d.get_repeats_display(), "pa": names.get(d.pa_id)}
                              for d in Deadline.objects.owned_by(user)]}}
