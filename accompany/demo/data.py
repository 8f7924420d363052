"""The demo network's data: its places, people, families and how their appointments run.

Everything is fictional except the places: names, phones (555-01xx) and emails (example.org).
`demo` builds the network from these tables.
"""

from __future__ import annotations

from datetime import time, timedelta

from accompany.models import AppointmentKind as K
from accompany.models import LocationKind, Role

CONSENT_GIVERS = ("the contact herself", "the contact himself", "her adult son", "his wife", "her sister")
EMAIL_DOMAIN = "demo.example.org"

BOSTON_COURT, CHELMSFORD_COURT = "Boston Immigration Court", "Chelmsford Immigration Court"
BURLINGTON_ICE, PLYMOUTH_JAIL = "ICE ERO Burlington", "Plymouth County Correctional Facility"

# (name, kind, address, town, arrival notes)
LOCATIONS = (
    (BOSTON_COURT, LocationKind.IMMIGRATION_COURT,
     "JFK Federal Building, 15 New Sudbury St, Room 320, Boston, MA 02203", "Boston",
     "Airport-style security at the building entrance; the line is long before 8:30, so arrive "
     "45 minutes early. Bring photo ID. Court is in Room 320 (3rd floor). Phones silenced and "
     "put away in the courtroom, no food or drink. Government Center and Haymarket T are close."),
    (CHELMSFORD_COURT, LocationKind.IMMIGRATION_COURT,
     "150 Apollo Dr, Chelmsford, MA 01824", "Chelmsford",
     "Office park off Route 3 with a free lot. Almost no public transit: plan a ride. Security "
     "screening at the door; bring photo ID. Phones off and no food or drink in the courtroom."),
    (BURLINGTON_ICE, LocationKind.ICE_OFFICE,
     "1000 District Ave, Burlington, MA 01803", "Burlington",
     "ICE field office. A line forms outside before opening: arrive 30 minutes early. Bring photo "
     "ID and the check-in paper. Companions wait in the lobby or outside. Text the coordinator "
     "when the person goes in and again when they come out."),
    (PLYMOUTH_JAIL, LocationKind.DETENTION_CENTER,
     "26 Long Pond Rd, Plymouth, MA 02360", "Plymouth",
     "County jail that also holds people for ICE. Visits are booked ahead and visitors must be "
     "on the person's visitor list. Bring government photo ID. Phones, keys and bags stay in "
     "the car or a locker. Plain, modest clothes. Arrive 30 minutes early for processing."),
)
# What a family's reminder says about each place: its discreet name (a street address, never the
# town), how many minutes early to be there, and what to bring (BringItem values).
FAMILY_TEXTS = {
    BOSTON_COURT: ("15 New Sudbury St, Room 320", 45, "photo_id,papers,notice"),
    CHELMSFORD_COURT: ("150 Apollo Dr", 45, "photo_id,papers,notice"),
    BURLINGTON_ICE: ("1000 District Ave", 30, "photo_id,notice"),
    PLYMOUTH_JAIL: ("26 Long Pond Rd", 30, "photo_id"),
}

# (name, email, role label, role)
STAFF = (
    ("Maureen Walsh", f"admin@{EMAIL_DOMAIN}", "admin", Role.ADMIN),
    ("Grace Oduya", f"grace.oduya@{EMAIL_DOMAIN}", "coordinator", Role.COORDINATOR),
    ("Luis Ortega", f"luis.ortega@{EMAIL_DOMAIN}", "coordinator", Role.COORDINATOR),
)

# (name, home area, languages, has car, court-trained, obligor-eligible)
VOLUNTEERS = (
    ("Ana Lucía Ferreira", "Somerville", "en es pt", True, True, False),
    ("Daniel Cohen", "Jamaica Plain", "en es", True, True, True),
    ("Fabiola Joseph", "Mattapan", "en ht fr", True, True, False),
    ("Patrick O'Neill", "Dorchester", "en", True, False, True),
    ("Mariana Souza", "Framingham", "en pt", True, True, False),
    ("Hannah Goldberg", "Brookline", "en fr", False, True, True),
    ("José Tzoc", "Lynn", "en es quc", False, True, False),
    ("Rebecca Lin", "Cambridge", "en", False, True, False),
    ("Tom Brennan", "Quincy", "en", True, False, True),
    ("Claudia Restrepo", "East Boston", "en es", False, True, False),
    ("Jean-Robert Pierre", "Brockton", "en ht fr", True, False, False),
    ("Sarah Mitchell", "Arlington", "en es", True, True, False),
    ("Kwame Asante", "Malden", "en fr", True, True, False),
    ("Emily Nguyen", "Medford", "en", True, False, False),
    ("Rafael Castillo", "Chelsea", "en es", True, True, False),
    ("Margaret Doyle", "Milton", "en", True, True, True),
    ("Priya Raman", "Waltham", "en", False, False, False),
    ("Beatriz Lima", "Everett", "en pt es", False, True, False),
    ("David Rosen", "Newton", "en es", True, True, True),
    ("Nadège Alexis", "Randolph", "en ht", True, True, False),
    ("Chris Walker", "Roslindale", "en", True, False, False),
    ("Lucy Tran", "Lowell", "en", True, True, False),
    ("Gabriel Mendes", "Marlborough", "en pt", True, False, False),
    ("Ellen Sullivan", "Chelmsford", "en", True, True, True),
    ("Mohamed Diallo", "Worcester", "en fr", True, False, False),
    ("Isabel Vargas", "Revere", "en es", False, True, False),
    ("Jacob Stein", "Lexington", "en", True, True, False),
    ("Carmen Ruiz", "Allston", "en es", False, False, False),
    ("Stéphanie Moreau", "Somerville", "en fr", False, True, False),
    ("Bill Murphy", "Braintree", "en", True, False, True),
    ("Alejandra Pérez", "Lawrence", "en es", True, True, False),
    ("Nora Keane", "Plymouth", "en", True, True, False),
    ("Anne-Marie Louis", "Hyde Park", "en ht", False, False, False),
    ("Ben Okafor", "Watertown", "en", True, True, False),
    ("Julia Santos", "Framingham", "en pt", False, False, False),
    ("Michael Reyes", "Salem", "en es", True, False, False),
)
PENDING_VOLUNTEERS = (
    ("Olivia Grant", "Belmont", "en es", False, False, False),
    ("Tiago Alves", "Somerville", "en pt", True, False, False),
    ("Wideline Charles", "Dorchester", "en ht", False, False, False),
    ("Marcus Bell", "Melrose", "en", True, False, False),
)

# (name, language, town, wording, short note or "", appointment kinds in date order)
FAMILIES = (
    ("Rosa M.", "es", "Chelsea", "discreet", "", (K.MASTER_CALENDAR,)),
    ("Carlos H.", "es", "East Boston", "discreet", "", (K.ICE_CHECK_IN,)),
    ("Luciana S.", "pt", "Framingham", "discreet", "Prefers a call before a text.", (K.INDIVIDUAL_HEARING,)),
    ("Wisly P.", "ht", "Brockton", "discreet", "", (K.DETENTION_VISIT, K.BOND_HEARING)),
    ("Juana T.", "quc", "Lynn", "discreet", "Her daughter Ana (Spanish, English) helps with calls.",
     (K.MASTER_CALENDAR, K.ICE_CHECK_IN)),
    ("Amadou K.", "fr", "Worcester", "discreet", "", (K.MASTER_CALENDAR,)),
    ("Yesenia L.", "es", "Revere", "discreet", "Two small children come along: driver needs car seats.",
     (K.ICE_CHECK_IN,)),
    ("Grace O.", "en", "Lowell", "plain", "", (K.INDIVIDUAL_HEARING,)),
    ("Thiago F.", "pt", "Everett", "discreet", "", (K.ICE_CHECK_IN,)),
    ("Marie-Claude D.", "ht", "Mattapan", "discreet", "", (K.MASTER_CALENDAR,)),
    ("Wilmer P.", "es", "Lynn", "discreet", "Works nights; call after 11 AM.",
     (K.DETENTION_VISIT, K.BOND_HEARING)),
    ("Lucía G.", "es", "Somerville", "discreet", "", (K.MASTER_CALENDAR,)),
    ("Christelle M.", "fr", "Lowell", "discreet", "", (K.ICE_CHECK_IN,)),
    ("Tomás Q.", "quc", "Chelsea", "discreet", "", (K.MASTER_CALENDAR,)),
    ("Rosângela A.", "pt", "Framingham", "discreet", "", (K.BOND_PAYMENT,)),
    ("Esteban V.", "es", "Worcester", "discreet", "", (K.INDIVIDUAL_HEARING, K.ICE_CHECK_IN)),
    ("Fabienne J.", "ht", "Brockton", "discreet", "Uses a walker: drop off at the door.", (K.ICE_CHECK_IN,)),
    ("María José R.", "es", "East Boston", "discreet", "", (K.MASTER_CALENDAR,)),
    ("Samuel A.", "en", "Revere", "plain", "", (K.ICE_CHECK_IN,)),
    ("Jean-Pierre N.", "fr", "Lynn", "discreet", "", (K.DETENTION_VISIT, K.BOND_HEARING)),
    ("Marta C.", "es", "Everett", "discreet", "", (K.INDIVIDUAL_HEARING,)),
    ("Ana P.", "pt", "Somerville", "discreet", "", (K.MASTER_CALENDAR,)),
    ("Kevin R.", "es", "Chelsea", "discreet", "", (K.ICE_CHECK_IN, K.MASTER_CALENDAR)),
    ("Dieula F.", "ht", "Brockton", "discreet", "", (K.MASTER_CALENDAR,)),
    ("Gladys E.", "es", "Framingham", "discreet", "", (K.MASTER_CALENDAR,)),
)
FAMILY_AREA_CODES = {"Lynn": 781, "Lowell": 978, "Worcester": 508, "Framingham": 508, "Brockton": 508}
# Families further west and north are heard in Chelmsford; the rest in Boston.
CHELMSFORD_TOWNS = {"Lowell", "Worcester", "Framingham"}
CONSENT_METHODS = (
    "Verbal, in person at intake", "Verbal, by phone with a coordinator", "Replied YES to the welcome text"
)

FIXED_HOLIDAYS = {(1, 1), (6, 19), (7, 4), (11, 11), (12, 25)}
# (month, weekday with Monday 0, which one; -1 the last): MLK, Presidents, Memorial, Labor,
# Columbus / Indigenous Peoples', Thanksgiving.
NTH_WEEKDAY_HOLIDAYS = ((1, 0, 3), (2, 0, 3), (5, 0, -1), (9, 0, 1), (10, 0, 2), (11, 3, 4))

# kind: (place, possible local start times, how long it usually takes)
SCHEDULE = {
    K.MASTER_CALENDAR: (None, (time(8, 30), time(9, 0), time(13, 0)), timedelta(hours=3)),
    K.INDIVIDUAL_HEARING: (None, (time(8, 30), time(13, 0)), timedelta(hours=4)),
    K.BOND_HEARING: (BOSTON_COURT, (time(9, 0), time(13, 30)), timedelta(hours=2)),
    K.ICE_CHECK_IN: (BURLINGTON_ICE, (time(9, 0), time(10, 0), time(11, 0)), timedelta(hours=2)),
    K.BOND_PAYMENT: (BURLINGTON_ICE, (time(10, 0),), timedelta(hours=2)),
    K.DETENTION_VISIT: (PLYMOUTH_JAIL, (time(10, 0), time(14, 0), time(18, 30)), timedelta(hours=1)),
}
COURT_KINDS = {K.MASTER_CALENDAR, K.INDIVIDUAL_HEARING, K.BOND_HEARING}
MEETING_POINTS = {
    BOSTON_COURT: "Outside the JFK Federal Building, Cambridge St entrance",
    CHELMSFORD_COURT: "Front doors of 150 Apollo Dr, by the parking lot",
    BURLINGTON_ICE: "Front entrance of 1000 District Ave",
    PLYMOUTH_JAIL: "Visitor lobby, Plymouth County Correctional Facility",
}
APPOINTMENT_NOTES = {
    K.BOND_PAYMENT: "The obligor brings photo ID and proof of address.",
    K.DETENTION_VISIT: "Booked with the facility by the coordinator; visitors give their full name ahead.",
}
