"""create_app per config, and production refusing to start without its secrets."""

import pytest
from cryptography.fernet import Fernet

from accompany import create_app
from config import (
    ConfigError,
    DevelopmentConfig,
    ProductionConfig,
    TestingConfig,
    _development_secrets,
)

SECRETS = {
    "SECRET_KEY": "s" * 40,
    "FIELD_ENCRYPTION_KEYS": [Fernet.generate_key().decode()],
    "BLIND_INDEX_KEY": "b" * 40,
    "SQLALCHEMY_DATABASE_URI": "sqlite://",
}


def production(**overrides):
    return type("Prod", (ProductionConfig,), {**SECRETS, **overrides})


def test_testing_config_builds_a_testing_app():
    app = create_app(TestingConfig)
    assert app.testing
    assert app.config["ENV_NAME"] == "testing"
    assert {"auth", "home", "coordinator", "admin", "health"} <= set(app.blueprints)


def test_production_with_every_secret_starts_with_secure_cookies():
    app = create_app(production())
    assert app.config["ENV_NAME"] == "production"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["REMEMBER_COOKIE_SECURE"] is True


@pytest.mark.parametrize("missing", ["SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY"])
def test_production_refuses_to_start_naming_the_missing_secret(missing):
    empty = [] if missing == "FIELD_ENCRYPTION_KEYS" else ""
    with pytest.raises(ConfigError) as raised:
        create_app(production(**{missing: empty}))
    message = str(raised.value)
    assert missing in message
    assert "\n" not in message
    others = {"SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY"} - {missing}
    assert not any(name in message for name in others)


def test_production_refuses_to_start_without_a_database_url():
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        create_app(production(SQLALCHEMY_DATABASE_URI=""))


def test_production_refuses_a_malformed_encryption_key():
    with pytest.raises(ValueError, match="FIELD_ENCRYPTION_KEYS"):
        create_app(production(FIELD_ENCRYPTION_KEYS=["not-a-fernet-key"]))


def test_development_makes_its_secrets_once_and_keeps_them(tmp_path):
    path = tmp_path / "dev-secrets.json"
    first = _development_secrets(path)
    second = _development_secrets(path)
    assert first == second
    assert first["SECRET_KEY"] and first["BLIND_INDEX_KEY"]
    Fernet(first["FIELD_ENCRYPTION_KEYS"][0])  # a usable key
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_development_config_runs_with_an_empty_environment(tmp_path, monkeypatch):
    import config as config_module

    monkeypatch.setattr(config_module, "INSTANCE_DIR", tmp_path)
    dev = type("Dev", (DevelopmentConfig,), {"SECRET_KEY": "", "FIELD_ENCRYPTION_KEYS": [], "BLIND_INDEX_KEY": "", "SQLALCHEMY_DATABASE_URI": ""})
    app = create_app(dev)
    assert app.config["ENV_NAME"] == "development"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'accompany.sqlite'}"
    assert app.config["SECRET_KEY"]
    assert app.config["SESSION_COOKIE_SECURE"] is False


def test_proxy_fix_is_off_unless_hops_are_configured():
    plain = create_app(TestingConfig)
    proxied = create_app(type("Proxied", (TestingConfig,), {"PROXY_FIX_HOPS": 1}))
    assert type(plain.wsgi_app).__name__ != "ProxyFix"
    assert type(proxied.wsgi_app).__name__ == "ProxyFix"


# -- the sender name texts start with ----------------------------------------------------------------


def test_production_refuses_an_org_name_too_long_for_texts_without_a_sender_name():
    with pytest.raises(ConfigError, match="set SMS_SENDER_NAME") as raised:
        create_app(production(ORG_NAME="Metrowest Immigrant Accompaniment Network", SMS_SENDER_NAME=""))
    assert "at most 20" in str(raised.value)


@pytest.mark.parametrize(
    "sender, problem",
    [("Metrowest Accompaniment Net", "27 characters long; texts allow at most 20"),
     ("Rede Solidária", "(á)"),
     ("Red [Boston]", "([ ])")],
)
def test_production_refuses_a_sender_name_texts_cannot_carry(sender, problem):
    with pytest.raises(ConfigError, match="SMS_SENDER_NAME") as raised:
        create_app(production(ORG_NAME="Short", SMS_SENDER_NAME=sender))
    assert problem in str(raised.value)


def test_the_sender_name_is_the_org_name_when_it_fits_or_the_one_set():
    assert create_app(production(ORG_NAME="Accompany Network", SMS_SENDER_NAME="")).config["SMS_SENDER_NAME"] == (
        "Accompany Network")
    app = create_app(production(ORG_NAME="Metrowest Immigrant Accompaniment Network", SMS_SENDER_NAME="Metrowest Red"))
    assert app.config["SMS_SENDER_NAME"] == "Metrowest Red"


def test_development_shortens_an_org_name_too_long_for_texts(tmp_path, monkeypatch):
    monkeypatch.setattr("config.INSTANCE_DIR", tmp_path)
    config = type("Dev", (DevelopmentConfig,), {"SQLALCHEMY_DATABASE_URI": "sqlite://",
                                                 "ORG_NAME": "Rede Solidária de Acompanhamento", "SMS_SENDER_NAME": ""})
    assert create_app(config).config["SMS_SENDER_NAME"] == "Rede Solidaria de"
