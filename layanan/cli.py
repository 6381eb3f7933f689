"""Flask CLI commands for setting up and running the service."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from layanan import db


@click.command("db-upgrade")
@with_appcontext
def db_upgrade_command() -> None:
    """Create or upgrade the database schema (and its reference data) to the latest version."""
    from layanan.migrate import upgrade

    upgrade(current_app.config["DATABASE_URL"])
    click.echo("Basis data mutakhir.")


@click.command("create-staff")
@click.argument("username")
@click.option("--name", "full_name", required=True, help="Nama lengkap.")
@click.option("--role", "roles", multiple=True, required=True, help="Peran (boleh lebih dari satu).")
@click.option("--kecamatan", default=None, help="Kode kecamatan untuk peran UPT.")
@click.password_option()
@with_appcontext
def create_staff_command(username: str, full_name: str, roles: tuple[str, ...], kecamatan: str | None,
                         password: str) -> None:
    """Create a staff account."""
    from tickets.accounts import create_staff

    user = create_staff(db.session(), username=username, full_name=full_name, roles=list(roles),
                        password=password, kecamatan_code=kecamatan)
    click.echo(f"Akun {user.username} dibuat dengan peran {', '.join(user.roles)}.")


@click.command("load-demo")
@click.option("--password", default="demo-tanggamus-2026", show_default=True, help="Kata sandi semua akun demo.")
@click.option("--paksa", "--force", "force", is_flag=True,
              help="Buat juga di basis data selain SQLite tertanam (mis. PostgreSQL produksi).")
@with_appcontext
def load_demo_command(password: str, force: bool) -> None:
    """Create one demo staff account per role of the workflow (skips existing ones); on a database other
    than the embedded SQLite only when forced, as the demo password is published."""
    from tickets.accounts import load_demo_staff

    if not current_app.config["DATABASE_URL"].startswith("sqlite") and not force:
        raise click.ClickException(
            "Basis data ini bukan SQLite tertanam: akun demo dengan kata sandi yang tercantum di README tidak "
            "dibuat. Bila memang disengaja (mis. server uji), jalankan lagi dengan --paksa.")
    for user in load_demo_staff(db.session(), password):
        click.echo(f"  {user.username:<22} {', '.join(user.roles)}")
    click.echo(f"Akun demo siap; kata sandi: {password}")


@click.command("create-api-token")
@click.argument("name")
@with_appcontext
def create_api_token_command(name: str) -> None:
    """Create a bearer token for the JSON API and print it once."""
    from tickets.tokens import create_token

    click.echo(create_token(db.session(), name))


@click.command("twilio-token")
@with_appcontext
def twilio_token_command() -> None:
    """Print the auth token webhook signatures are checked with (the generated one in development)."""
    click.echo(current_app.config["TWILIO_AUTH_TOKEN"])


@click.command("sweep-jobs")
@with_appcontext
def sweep_jobs_command() -> None:
    """Put on the queue every recorded job that could not be enqueued (e.g. while Redis was down)."""
    from layanan.outbox import sweep

    click.echo(f"{sweep(db.session())} job dimasukkan ke antrean")


def register_commands(app: Flask) -> None:
    """Attach the commands to `flask --app layanan ...`."""
    for command in (db_upgrade_command, create_staff_command, load_demo_command, create_api_token_command,
                    twilio_token_command, sweep_jobs_command):
        app.cli.add_command(command)
    from pdf_delivery.cli import create_demo_certificate_command  # noqa: E402
    app.cli.add_command(create_demo_certificate_command)
    from tickets.generate import generate_tickets_command  # noqa: E402  (imports the models)
    app.cli.add_command(generate_tickets_command)
    from tickets.retention import purge_retention_command  # noqa: E402
    app.cli.add_command(purge_retention_command)
