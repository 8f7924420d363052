"""Accompany: the system an accompaniment network runs on.

`create_app` only assembles the app: config, extensions, blueprints, commands. It never starts
the scheduler, which runs as its own process (`flask --app wsgi scheduler`).
"""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import BASE_DIR, INSTANCE_DIR, Config, ConfigError, config_from_env


def create_app(config: type[Config] | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(BASE_DIR / "templates"),
        static_folder=str(BASE_DIR / "static"),
        instance_path=str(INSTANCE_DIR),
    )
    for register in (
        register_config,
        register_proxy_fix,
        register_extensions,
        register_request_parsing,
        register_blueprints,
        register_static_files,
        register_error_handlers,
        register_security_headers,
        register_template_helpers,
        register_commands,
    ):
        register(app, config)
    return app


def register_config(app: Flask, config: type[Config] | None) -> None:
    config = config or config_from_env()
    config.prepare()
    app.config.from_object(config)
    from accompany.services.messaging.sender_name import BadSenderName, sms_sender_name

    try:
        app.config["SMS_SENDER_NAME"] = sms_sender_name(
            app.config.get("SMS_SENDER_NAME"), app.config.get("ORG_NAME"),
            production=app.config["ENV_NAME"] == "production")
    except BadSenderName as error:
        raise ConfigError(str(error)) from None
    if app.config["CLOCK_START"]:
        from accompany.clock import parse_instant, set_clock

        try:
            set_clock(parse_instant(app.config["CLOCK_START"]))
        except ValueError as error:
            raise ConfigError(f"ACCOMPANY_CLOCK_START: {error}") from None


def register_proxy_fix(app: Flask, config) -> None:
    """Trust exactly the configured number of proxies in front of the app, no more."""
    hops = app.config["PROXY_FIX_HOPS"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)


def register_extensions(app: Flask, config) -> None:
    from accompany.auth.sessions import load_user
    from accompany.crypto import init_keyring
    from accompany.database import db, write_ahead
    from accompany.extensions import csrf, login_manager, migrate
    from accompany.i18n import N_, gettext, init_i18n
    from accompany.services.messaging.sms.gateway import init_gateway
    from accompany.services.people.passwords import init_password_hasher

    init_keyring(app)
    init_password_hasher(app)
    init_gateway(app)
    db.init_app(app)
    if app.config["SQLITE_WAL"]:
        with app.app_context():
            write_ahead(db.engine)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    init_i18n(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = N_("Please log in to see that page.")
    login_manager.localize_callback = gettext
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)


def register_request_parsing(app: Flask, config) -> None:
    """Before any route: ids in paths are bounded (`<id:…>`), query strings lose control characters."""
    from accompany.formfields import init_input_request
    from accompany.routing import init_url_converters, init_url_helpers

    init_url_converters(app)
    init_url_helpers(app)
    from accompany.fragments import init_fragments

    init_fragments(app)
    init_input_request(app)


def register_blueprints(app: Flask, config) -> None:
    from accompany.admin import bp as admin_bp
    from accompany.auth import bp as auth_bp
    from accompany.coordinator import bp as coordinator_bp
    from accompany.extensions import csrf
    from accompany.health import bp as health_bp
    from accompany.home import bp as home_bp
    from accompany.volunteer import bp as volunteer_bp
    from accompany.webhooks import bp as webhooks_bp

    csrf.exempt(webhooks_bp)  # Twilio signs its requests instead (checked in webhooks.signatures)
    for blueprint in (home_bp, auth_bp, volunteer_bp, coordinator_bp, admin_bp, health_bp, webhooks_bp):
        app.register_blueprint(blueprint)


def register_static_files(app: Flask, config) -> None:
    """static/ with a version in each URL, gzipped for browsers that take it (accompany.static_files)."""
    from accompany.static_files import init_static_files

    init_static_files(app)


def register_error_handlers(app: Flask, config) -> None:
    from accompany.errors import init_error_handlers

    init_error_handlers(app)


def register_security_headers(app: Flask, config) -> None:
    from accompany.headers import init_security_headers

    init_security_headers(app)


def register_template_helpers(app: Flask, config) -> None:
    from accompany.presentation import init_template_helpers

    init_template_helpers(app)


def register_commands(app: Flask, config) -> None:
    from accompany.cli import init_commands

    init_commands(app)
