"""Shell commands: `flask --app wsgi create-user | seed-demo | rotate-keys | scheduler | reminders | sms |
purge`."""

from __future__ import annotations

import logging

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from accompany.clock import utcnow
from accompany.database import db
from accompany.models import MessageState, Role
from accompany.phones import mask_phone
from accompany.services.errors import DomainError
from accompany.services.messaging.message_log import recipient_number
from accompany.services.people import accounts
from accompany.timezones import to_local


@click.command("create-user")
@click.option("--email", required=True, help="Login email.")
@click.option("--name", required=True, help="Full name as shown to others.")
@click.option(
    "--role",
    type=click.Choice([role.value for role in Role]),
    default=Role.COORDINATOR.value,
    show_default=True,
)
@click.password_option(help="Prompted (with confirmation) when not given.")
def create_user_command(email: str, name: str, role: str, password: str) -> None:
    """Make an active account from the shell."""
    try:
        user = accounts.create_user(email, name, Role(role), password, now=utcnow())
    except DomainError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Created {user.role.value} account {user.email} (id {user.id}).")


@click.command("seed-demo")
def seed_demo_command() -> None:
    """Fill an empty database with a realistic Boston-area demo network."""
    from accompany.demo import DEMO_PASSWORD, seed_demo

    result = seed_demo(now=utcnow())
    db.session.commit()
    if result.created:
        click.echo(f"Demo network created: {result.summary}.")
    else:
        click.echo("The demo network is already here; nothing was added.")
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for role, email in result.logins:
        click.echo(f"  {role:<12} {email}")


@click.command("rotate-keys")
def rotate_keys_command() -> None:
    """Re-encrypt every sealed field with the first key in FIELD_ENCRYPTION_KEYS."""
    from accompany.services.privacy.keys import rotate_encrypted_fields

    counts = rotate_encrypted_fields()
    db.session.commit()
    total = sum(counts.values())
    click.echo(f"Re-encrypted {total} values." + "".join(f"\n  {name}: {n}" for name, n in counts.items()))


@click.command("scheduler")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between ticks.")
@with_appcontext
def scheduler_command(interval: float) -> None:
    """Run the long-lived scheduler process (exactly one per deployment)."""
    from accompany.scheduler import run_scheduler

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # no line per tick
    run_scheduler(current_app._get_current_object(), interval)


@click.group("reminders")
def reminders_group() -> None:
    """The SMS outbox: what is planned, and sending what is due."""


@reminders_group.command("list")
@click.option("--state", type=click.Choice([state.value for state in MessageState]), default=None,
              help="Only rows in this state (default: pending and sending).")
@click.option("--limit", default=50, show_default=True)
@with_appcontext
def reminders_list_command(state: str | None, limit: int) -> None:
    """Show planned messages: when, kind, recipient (masked), state. No message text."""
    from accompany.services.messaging.message_log import MessageFilters, find_messages

    states = [MessageState(state)] if state else [MessageState.PENDING, MessageState.SENDING]
    rows = find_messages(MessageFilters(states=states), limit=limit, soonest_first=True)
    tz = current_app.config["ORG_TIMEZONE"]
    if not rows:
        click.echo("Nothing planned.")
    for row in rows:
        when = to_local(row.not_before, tz).strftime("%a %b %d %H:%M")
        until = to_local(row.send_before, tz).strftime("%a %b %d %H:%M")
        click.echo(f"#{row.id:<6} {when} → {until}  {row.kind:<28} {row.recipient_kind.value:<11} "
                   f"{mask_phone(recipient_number(row))}  {row.state.value}")


@reminders_group.command("send-due")
@with_appcontext
def reminders_send_due_command() -> None:
    """Send what is due now, once, and exit (for cron-style deployments)."""
    from accompany.services.messaging.dispatch import send_due
    from accompany.services.messaging.sms.gateway import current_gateway

    outcomes = send_due(current_gateway())
    done = {name: count for name, count in sorted(outcomes.items()) if count}
    click.echo(", ".join(f"{name}: {count}" for name, count in done.items()) or "Nothing was due.")


@click.group("sms")
def sms_group() -> None:
    """Texts people send us."""


@sms_group.command("receive")
@click.option("--from", "sender", required=True, help="The sender's phone number.")
@click.argument("body")
@with_appcontext
def sms_receive_command(sender: str, body: str) -> None:
    """Handle BODY as if it had been texted to us from --from (to try replies without Twilio).
    Prints what it was read as and the answer Twilio would send back."""
    from accompany.services.messaging.inbound import receive_text

    handled = receive_text(sender, body, provider_sid=None, now=utcnow())
    db.session.commit()
    message = handled.message
    click.echo(f"Read as {message.kind}; " + (
        "handled." if message.handled_at else "waiting in the coordinators' inbox."))
    if handled.reply is not None:
        click.echo(f"Answer: {handled.reply.body}")
    elif message.answered_with:
        click.echo(f"Answer planned in the outbox: {message.answered_with}")


def _ids(ids: list[int]) -> str:
    return ", ".join(str(family_id) for family_id in ids)


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="Only say which families would be purged; change and delete nothing.")
@click.option("--days", type=click.IntRange(min=1), default=None,
              help="Purge after this many days instead of RETENTION_DAYS.")
@with_appcontext
def purge_command(dry_run: bool, days: int | None) -> None:
    """Anonymize families whose last appointment is more than RETENTION_DAYS ago (DESIGN §4),
    and delete their texts at the SMS provider. Does nothing while LEGAL_HOLD is on; families on
    legal hold are never purged. Prints ids and counts only."""
    from accompany.services.messaging.sms.gateway import current_gateway
    from accompany.services.privacy import retention

    try:
        run = retention.purge_due_families(now=utcnow(), days=days, dry_run=dry_run,
                                           gateway=None if dry_run else current_gateway())
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    if run.held:
        db.session.rollback()
        click.echo("Legal hold is on (LEGAL_HOLD): nothing was purged and nothing was deleted at the SMS provider.")
        return
    rule = (f"last appointment more than {_count(run.days, 'day')} ago, "
            f"before {to_local(run.cutoff, current_app.config['ORG_TIMEZONE']):%Y-%m-%d}")
    if dry_run:
        db.session.rollback()
        if run.families:
            click.echo(f"Dry run: {_count(len(run.families), 'family', 'families')} would be purged ({rule}): "
                       f"family ids {_ids(run.family_ids)}.")
            click.echo(f"{_count(run.texts, 'text')} to, from or about them would be cleared, "
                       f"{run.provider_records} of them deleted at the SMS provider.")
        else:
            click.echo(f"Dry run: no family is due for purging ({rule}).")
        if run.retried:
            click.echo(f"{_count(run.retried, 'text')} of families purged before would be deleted at the SMS "
                       "provider again (an earlier try failed).")
        click.echo("Nothing was changed.")
        return
    db.session.commit()
    if run.retried:
        click.echo(f"Tried again {_count(run.retried, 'text')} of families purged before: "
                   f"{run.retried_deleted} deleted at the SMS provider, {run.retried_failed} not.")
    if run.families:
        click.echo(f"Purged {_count(len(run.families), 'family', 'families')} ({rule}): "
                   f"family ids {_ids(run.family_ids)}.")
        click.echo(f"Cleared {_count(run.texts, 'text')} to, from or about them; {run.provider_deleted} of "
                   f"{run.provider_records} deleted at the SMS provider.")
    else:
        click.echo(f"No family is due for purging ({rule}).")
    if run.provider_failed:
        click.echo(f"{_count(run.provider_failed, 'text')} could not be deleted at the SMS provider; "
                   "the next run tries again.", err=True)
        raise click.exceptions.Exit(1)


def init_commands(app: Flask) -> None:
    for command in (create_user_command, seed_demo_command, rotate_keys_command, scheduler_command,
                    reminders_group, sms_group, purge_command):
        app.cli.add_command(command)
