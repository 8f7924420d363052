"""Settings for Accompany, one class per way of running it.

Values come from the environment (names fixed in DESIGN §7). Development works with no
environment at all: it keeps SQLite and generated keys under `instance/`. Production refuses
to start without its secrets.
"""

from __future__ import annotations

import json
import os
import secrets
from datetime import timedelta
from pathlib import Path

from cryptography.fernet import Fernet

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("ACCOMPANY_INSTANCE_DIR", BASE_DIR / "instance"))

REQUIRED_SECRETS = ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY")


class ConfigError(RuntimeError):
    """The configuration cannot run the app; the message says what to set."""


def _env_list(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


class Config:
    """Shared defaults. Subclasses say how secrets and the database are found."""

    ENV_NAME = "base"
    TESTING = False

    ORG_NAME = os.environ.get("ORG_NAME", "Accompany Network")
    ORG_HELP_PHONE = os.environ.get("ORG_HELP_PHONE", "")
    ORG_TIMEZONE = os.environ.get("ORG_TIMEZONE", "America/New_York")
    # The pages' language when neither the person nor their browser says one we have: en, es, pt,
    # ht or fr (accompany.i18n).
    ORG_LANGUAGE = os.environ.get("ORG_LANGUAGE", "en").strip().lower()
    # The short name texts start with (at most 20 GSM-7 letters; ORG_NAME when unset and short
    # enough): checked at start by accompany.services.messaging.sender_name.
    SMS_SENDER_NAME = os.environ.get("SMS_SENDER_NAME", "")

    SMS_BACKEND = os.environ.get("SMS_BACKEND", "console")
    TWILIO_ACCOUNT_SID = os.environ.get("TWILIO_ACCOUNT_SID", "")
    TWILIO_AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN", "")
    TWILIO_MESSAGING_SERVICE_SID = os.environ.get("TWILIO_MESSAGING_SERVICE_SID", "")
    TWILIO_FROM_NUMBER = os.environ.get("TWILIO_FROM_NUMBER", "")
    TWILIO_API_BASE_URL = os.environ.get("TWILIO_API_BASE_URL", "")
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")

    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "")
    # hide_parameters: a database error's message (logged with a 500) names the statement but not
    # the values bound to it, which can be an email, a name or a password hash.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True, "hide_parameters": True}
    # SQLite in write-ahead mode (accompany.database.write_ahead). Off in the test suite, which
    # copies a fresh database file over the last test's, and a log beside it would be replayed in.
    SQLITE_WAL = True

    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    FIELD_ENCRYPTION_KEYS = _env_list(os.environ.get("FIELD_ENCRYPTION_KEYS"))
    BLIND_INDEX_KEY = os.environ.get("BLIND_INDEX_KEY", "")

    # Sessions: the cookie is never readable by scripts and never sent cross-site on POST.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    # Each login is a row (models.security.LoginSession) checked on every request: it ends after
    # this long without a request (staff see families, so theirs is shorter) and this long after
    # the password was typed, whatever the cookie says.
    SESSION_IDLE_MINUTES_STAFF = int(os.environ.get("SESSION_IDLE_MINUTES_STAFF", "30"))
    SESSION_IDLE_MINUTES_VOLUNTEER = int(os.environ.get("SESSION_IDLE_MINUTES_VOLUNTEER", "120"))
    SESSION_ABSOLUTE_HOURS = int(os.environ.get("SESSION_ABSOLUTE_HOURS", "12"))
    PERMANENT_SESSION_LIFETIME = timedelta(hours=SESSION_ABSOLUTE_HOURS)
    # The cookie is signed again only when the session changes, not on every page: it lasts as long
    # as a session may (the absolute limit from login), and the idle limit is the row's.
    SESSION_REFRESH_EACH_REQUEST = False
    # There is no "remember me": login_user is never asked to remember, so this cookie is never
    # issued (a test checks); kept short in case a library default ever changes.
    REMEMBER_COOKIE_DURATION = timedelta(minutes=30)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False

    # Two-step login: coordinators and admins must set it up before they see anything
    # (always in production; TWO_FACTOR_REQUIRED=0 turns it off for a development demo).
    TWO_FACTOR_REQUIRED = os.environ.get("TWO_FACTOR_REQUIRED", "1").strip().lower() not in ("0", "false", "no", "off")
    TWO_FACTOR_PENDING_MINUTES = 5  # between the right password and the code

    # Login throttling (services.login_throttle): this many failures are free, then each one makes
    # the next try wait 2, 4, 8... seconds, up to the cap. Counts are forgotten after a quiet day.
    LOGIN_FREE_FAILURES = 5  # per account, and for the second step
    LOGIN_FREE_FAILURES_PER_ADDRESS = 20  # per client address (an office may share one)
    LOGIN_MAX_WAIT_SECONDS = 15 * 60
    LOGIN_FORGET_HOURS = 24

    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # tied to the session, which already expires

    # Reminder timing (DESIGN §6). Family texts only between these local hours; volunteers' and
    # coordinators' texts only between those (org time zone), but for the kinds that cannot wait
    # (MessageKind.ignores_quiet_hours). Checked when planned, sent and retried.
    FAMILY_TEXT_HOURS = (8, 20)
    STAFF_TEXT_HOURS = (7, 21)
    # Two reminders of one appointment never go closer together than this; an appointment saved
    # too late for the first of its 7/3/1-day reminders gets one "coming up" text at once instead.
    FAMILY_REMINDER_MIN_GAP_HOURS = 12
    FAMILY_REMINDER_DAYS = (7, 3, 1)
    FAMILY_REMINDER_HOUR = 10
    VOLUNTEER_EVENING_HOUR = 19
    VOLUNTEER_SOON_MINUTES = 120
    # A hearing's date is to be checked with the court this many days before (its "verify by" date).
    HEARING_VERIFY_DAYS = 3
    SMS_RATE_PER_SECOND = float(os.environ.get("SMS_RATE_PER_SECOND", "1"))  # carrier limits
    SMS_BATCH_SIZE = int(os.environ.get("SMS_BATCH_SIZE", "50"))  # rows one claim takes
    # A claim not renewed for this long is a dead sender's: its rows are recovered (a live sender
    # renews its claims every quarter of it, however long its batch takes).
    SMS_LEASE_SECONDS = float(os.environ.get("SMS_LEASE_SECONDS", "120"))
    # Requests to the carrier out at once: a slow or hung one holds only its own slot. At the
    # default rate (1/s) and timeout (10 s) about 10 are ever out; raise it with the rate.
    SMS_MAX_IN_FLIGHT = int(os.environ.get("SMS_MAX_IN_FLIGHT", "64"))
    TWILIO_TIMEOUT_SECONDS = 10
    TWILIO_VALIDITY_SECONDS = 4 * 3600
    RELEASE_CUTOFF_HOURS = 24  # releasing later than this before a shift alerts coordinators
    # Urgent shifts filled by text: how many volunteers each round asks, how long before the next
    # round, and how close to the shift the coordinators are told it is still open.
    URGENT_GROUP_SIZE = 5
    URGENT_WAIT_MINUTES = 20
    URGENT_ALERT_HOURS = 3
    # Detention response (issue 15): minutes the person on call has to acknowledge before the next
    # step of the alert chain (next on the rota, every coordinator, a voice call) goes.
    DETENTION_ACK_MINUTES = float(os.environ.get("DETENTION_ACK_MINUTES", "10"))
    TWILIO_VOICE_FROM_NUMBER = os.environ.get("TWILIO_VOICE_FROM_NUMBER", "")
    # Casework tasks: giving one back after its due day, or less than this many hours before the
    # end of it, is late, and the need's owner gets a text.
    TASK_LATE_GIVE_BACK_HOURS = int(os.environ.get("TASK_LATE_GIVE_BACK_HOURS", "48"))

    # Retention (DESIGN §4): `flask purge` anonymizes a family this many days after its last
    # appointment. LEGAL_HOLD stops every purge; only "", "0", "false", "no" and "off" leave it
    # off, so a mistyped value holds rather than purges.
    RETENTION_DAYS = int(os.environ.get("RETENTION_DAYS", "365"))
    LEGAL_HOLD = os.environ.get("LEGAL_HOLD", "").strip().lower() not in ("", "0", "false", "no", "off")

    # The bond fund: a cancelled bond's refund is overdue this many days after the cancellation.
    BOND_REFUND_OVERDUE_DAYS = int(os.environ.get("BOND_REFUND_OVERDUE_DAYS", "90"))

    MAX_CONTENT_LENGTH = 2 * 1024 * 1024  # uploads (CSV imports) and forms
    PASSWORD_HASH_PROFILE = "rfc9106-low-memory"
    INVITATION_DAYS = 7
    PROXY_FIX_HOPS = int(os.environ.get("PROXY_FIX_HOPS", "0"))
    # Start the app's clock at this ISO instant (with its offset) and let it tick on: for demos and
    # for tests that run the app in another process. Refused in production.
    CLOCK_START = os.environ.get("ACCOMPANY_CLOCK_START", "")

    @classmethod
    def prepare(cls) -> None:
        """Fill in what this way of running needs, or raise ConfigError."""


class DevelopmentConfig(Config):
    """A laptop: SQLite under instance/, console SMS, keys generated once and kept in instance/."""

    ENV_NAME = "development"
    DEBUG = False  # the debugger is opt-in with `flask run --debug`

    @classmethod
    def prepare(cls) -> None:
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        if not cls.SQLALCHEMY_DATABASE_URI:
            cls.SQLALCHEMY_DATABASE_URI = f"sqlite:///{INSTANCE_DIR / 'accompany.sqlite'}"
        missing = [name for name in REQUIRED_SECRETS if not getattr(cls, name)]
        if missing:
            stored = _development_secrets(INSTANCE_DIR / "dev-secrets.json")
            for name in missing:
                setattr(cls, name, stored[name])


class TestingConfig(Config):
    """The test suite: its own database per test, cheap password hashing, fixed fresh keys."""

    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret-key"
    FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    BLIND_INDEX_KEY = "testing-blind-index-key"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    SQLITE_WAL = False
    PASSWORD_HASH_PROFILE = "cheapest"
    SMS_BACKEND = "fake"
    ORG_NAME = "Test Accompaniment Network"
    SMS_SENDER_NAME = "Test Accompany Group"  # as long as a sender name may be
    ORG_HELP_PHONE = "+16175550100"
    ORG_TIMEZONE = "America/New_York"
    CLOCK_START = ""  # the test fixtures set the clock themselves
    TWO_FACTOR_REQUIRED = False  # most tests log staff in with a password only; tests/test_two_factor.py turns it on


class ProductionConfig(Config):
    """Behind a TLS proxy, PostgreSQL, Twilio. Every secret comes from the environment."""

    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    TWO_FACTOR_REQUIRED = True  # never optional where real families' data is

    @classmethod
    def prepare(cls) -> None:
        missing = [name for name in REQUIRED_SECRETS if not getattr(cls, name)]
        if missing:
            raise ConfigError(
                "Accompany will not start in production without "
                + ", ".join(missing)
                + " set in the environment."
            )
        if not cls.SQLALCHEMY_DATABASE_URI:
            raise ConfigError("Accompany will not start in production without DATABASE_URL set.")
        if cls.CLOCK_START:
            raise ConfigError("ACCOMPANY_CLOCK_START is for demos and tests; unset it in production.")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env() -> type[Config]:
    """The config class named by ACCOMPANY_ENV (development when unset)."""
    name = os.environ.get("ACCOMPANY_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise ConfigError(
            f"ACCOMPANY_ENV={name!r} is not one of: {', '.join(CONFIGS)}."
        ) from None


def _development_secrets(path: Path) -> dict[str, object]:
    """Random development secrets, made on first run and reused so data stays readable."""
    if path.exists():
        return json.loads(path.read_text())
    values = {
        "SECRET_KEY": secrets.token_urlsafe(32),
        "FIELD_ENCRYPTION_KEYS": [Fernet.generate_key().decode()],
        "BLIND_INDEX_KEY": secrets.token_urlsafe(32),
    }
    path.write_text(json.dumps(values, indent=2))
    path.chmod(0o600)
    return values
