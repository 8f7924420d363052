"""What the seeder, the in-process measurements and the gunicorn servers share.

The app runs with a config derived from ProductionConfig, with its secrets given explicitly, so
the seeder (which encrypts family fields) and the gunicorn workers (which decrypt them) use the
same keys. bench/run makes fresh keys for every run and passes them through the environment
under the names DESIGN §7 fixes.
"""

from __future__ import annotations

import os
import secrets

from cryptography.fernet import Fernet

from config import ProductionConfig

PASSWORD = "benchmark-password-2203"
COORDINATOR_EMAIL = "coordinator@bench.example.org"
VOLUNTEER_EMAIL = "volunteer@bench.example.org"  # holds about 40 shifts over the two years
EMAIL_DOMAIN = "bench.example.org"
# Every seeded coordinator and admin is enrolled in two-step login with this TOTP secret (base32),
# as production requires, and logs in with the password, then pyotp.TOTP(TOTP_SECRET).now().
TOTP_SECRET = "BENCHTOTPSECRETAAAAAAAAAAAAAAAAA"
SEEDED_COORDINATORS = 5  # COORDINATOR_EMAIL and coordinator2..5, in every seed


def coordinator_emails(count: int) -> list[str]:
    """`count` distinct coordinator accounts: the seeded five, then the extra login coordinators
    `bench.seed --login-coordinators` adds. One per concurrent client, since a TOTP code (its
    30-second time step) is accepted only once per account."""
    emails = [COORDINATOR_EMAIL] + [f"coordinator{n}@{EMAIL_DOMAIN}" for n in range(2, SEEDED_COORDINATORS + 1)]
    emails += [f"login-coordinator{n:02d}@{EMAIL_DOMAIN}" for n in range(1, count - SEEDED_COORDINATORS + 1)]
    return emails[:count]

def tapping_volunteer_emails(count: int) -> list[str]:
    """`count` volunteers who may take any shift (a car, training, obligor, three languages), one per
    client of the claim-and-release scenario: `bench.seed --login-coordinators N` adds N of them."""
    return [f"tapper{n:02d}@{EMAIL_DOMAIN}" for n in range(1, count + 1)]


KEY_VARS = ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY")


def new_keys() -> dict[str, str]:
    """Fresh secrets for one benchmark run."""
    return {
        "SECRET_KEY": secrets.token_urlsafe(32),
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "BLIND_INDEX_KEY": secrets.token_urlsafe(32),
    }


def keys_from_env() -> dict[str, str]:
    missing = [name for name in KEY_VARS if not os.environ.get(name)]
    if missing:
        raise SystemExit(
            f"bench: set {', '.join(missing)} in the environment (bench/run does this; "
            "`python -m bench.settings` prints a fresh set to export)."
        )
    return {name: os.environ[name] for name in KEY_VARS}


def bench_config(database_url: str) -> type[ProductionConfig]:
    """Production settings with this run's secrets and database."""
    keys = keys_from_env()
    return type(
        "BenchConfig",
        (ProductionConfig,),
        {
            "SECRET_KEY": keys["SECRET_KEY"],
            "FIELD_ENCRYPTION_KEYS": [k.strip() for k in keys["FIELD_ENCRYPTION_KEYS"].split(",") if k.strip()],
            "BLIND_INDEX_KEY": keys["BLIND_INDEX_KEY"],
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SMS_BACKEND": "console",
        },
    )


def server_env(database_url: str) -> dict[str, str]:
    """The environment a gunicorn serving `wsgi:app` needs to read the same data."""
    env = dict(os.environ)
    env.update(keys_from_env())
    env.update({"ACCOMPANY_ENV": "production", "DATABASE_URL": database_url, "SMS_BACKEND": "console"})
    return env


if __name__ == "__main__":
    for name, value in new_keys().items():
        print(f"export {name}='{value}'")
