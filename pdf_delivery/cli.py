"""CLI command of the electronic signature: the demo certificate for the embedded default."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from pdf_delivery.signing import trust_roots_path

DEMO_PASSPHRASE = "demo12345"


@click.command("create-demo-certificate")
@click.option("--passphrase", default=DEMO_PASSPHRASE, show_default=True,
              help="Passphrase yang diketik Kepala Dinas saat menandatangani.")
@click.option("--overwrite", is_flag=True, help="Timpa sertifikat yang sudah ada.")
@with_appcontext
def create_demo_certificate_command(passphrase: str, overwrite: bool) -> None:
    """Create a self-signed signing certificate for the Kepala Dinas (demo only, not BSrE)."""
    # Imported here: every process that builds the app registers this command, few run it, and certificates
    # loads cryptography's X.509 and PKCS#12 modules.
    from pdf_delivery.certificates import create_demo_certificate

    try:
        path = create_demo_certificate(current_app.config, passphrase, overwrite=overwrite)
    except FileExistsError as exc:
        click.echo(f"Sertifikat sudah ada di {exc}; pakai --overwrite untuk menggantinya.")
        return
    click.echo(f"Sertifikat TTE demo untuk {current_app.config['SIGNER_NAME']} dibuat: {path}")
    click.echo(f"Sertifikat akar untuk verifikasi: {trust_roots_path(current_app.config)}")
    click.echo(f"Passphrase: {passphrase}")
