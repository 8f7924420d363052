"""The demo network's letters of support and legal referrals (issue 14, points 4 and 5): a letter
drive for a hearing with volunteers and community contacts asked and some letters in, a directory
of legal providers (one not taking cases) and referrals at different stages, one due for a
follow-up today. Made through the services, so reminders are planned as the app would plan them.
Every name is fictional."""

from __future__ import annotations

from datetime import datetime, timedelta

from accompany.models import HEARING_KINDS, Appointment, AppointmentKind, Family, ReferralStatus, User
from accompany.services.casework import letters, referrals
from accompany.services.messaging.audience import org_today

PROVIDERS = (
    # name, languages, what they take, taking cases, phone, email, website
    ("Harbor Immigrant Legal Aid", ("es", "pt"), ("removal_defense", "bond_hearings", "detained_docket"), True,
     "(617) 555-0195", "intake@harbor-legal.example.org", "harbor-legal.example.org"),
    ("Merrimack Valley Refugee Law Clinic", ("es", "ht", "fr"), ("asylum", "removal_defense"), True,
     "(978) 555-0196", "clinic@mvrlc.example.org", "mvrlc.example.org"),
    ("Ferreira & Osei, Attorneys", ("pt", "en"), ("bond_hearings", "removal_defense"), True,
     "(617) 555-0197", "office@ferreira-osei.example.org", ""),
    ("Greater Boston Detained Defense Project", ("es", "en"), ("detained_docket", "bond_hearings"), False,
     "(617) 555-0198", "", "gbddp.example.org"),
)
CONTACTS = (("Pastora Lidia Ferreira", "Pastor at their church"), ("Mr. Osei Mensah", "Their children's teacher"))
OUTSIDE_WRITER = ("Dolores Whitcombe", "Employer")


def seed_letters_and_referrals(families: list[Family], appointments: list[Appointment], coordinators: list[User],
                               volunteers: list[User], *, now: datetime) -> dict[str, int]:
    """Add the demo's letter drive, providers and referrals; returns counts for the summary."""
    owner = coordinators[0]
    today = org_today(now)
    providers = [
        referrals.create_provider(referrals.ProviderDetails(
            name=name, languages=languages, services=services, taking_cases=taking, phone=phone, email=email,
            website=website), by=owner, now=now)
        for name, languages, services, taking, phone, email, website in PROVIDERS
    ]
    drives = 0
    hearings = [a for a in appointments if a.kind in HEARING_KINDS and letters.default_deadline(a) > today]
    hearing = next((a for a in hearings if a.kind == AppointmentKind.INDIVIDUAL_HEARING), hearings[0] if hearings else None)
    if hearing is not None:
        drive = letters.start_drive(hearing, letters.DriveDetails(
            target=6, deadline=letters.default_deadline(hearing), owner_id=owner.id), by=owner, now=now)
        asked = [letters.ask_volunteer(drive, volunteer.id, by=owner, now=now) for volunteer in volunteers[:3]]
        contacts = [letters.ask_contact(drive, name, relationship, by=owner, now=now) for name, relationship in CONTACTS]
        letters.record_letter(drive, ask_id=asked[0].id, writer_name="", relationship="", received_on=today,
                              by=owner, now=now)
        letters.record_letter(drive, ask_id=contacts[0].id, writer_name="", relationship="", received_on=today,
                              by=owner, now=now)
        letters.record_letter(drive, ask_id=None, writer_name=OUTSIDE_WRITER[0], relationship=OUTSIDE_WRITER[1],
                              received_on=today - timedelta(days=1), by=owner, now=now)
        drives = 1
    stages = (
        (ReferralStatus.SENT, 10, 0, "Sent the intake form by email; they call back within a week."),
        (ReferralStatus.ACCEPTED, 30, None, "Consultation done; they will file the appearance before the next date."),
        (ReferralStatus.NO_ANSWER, 14, -2, "Left two messages on the intake line."),
    )
    made = 0
    for family, provider, (status, days_ago, follow_up, note) in zip(families[3:], providers, stages, strict=False):
        referrals.refer_family(family, referrals.ReferralDetails(
            provider_id=provider.id, sent_on=today - timedelta(days=days_ago), status=status,
            follow_up_on=None if follow_up is None else today + timedelta(days=follow_up), notes=note),
            by=owner, now=now)
        made += 1
    return {"letter_drives": drives, "legal_providers": len(providers), "referrals": made}
