"""The `modelreg` command line: serve, migrate, seed the demo, export the schema, manage users,
tokens, members and projects (on the server's machine), move files (through a running server).

This module holds the `modelreg` group and registers the commands of its siblings:
server.py (run the server, migrate, demo, schema), accounts.py and projects.py (admin commands
straight to the database, through admin.py), remote.py (files through a running server),
webhooks.py (webhooks through a running server), serving.py (serve a model, modelreg.serving);
options.py and output.py are what they share.
"""

from __future__ import annotations

import click

from modelreg.cli.accounts import token, user
from modelreg.cli.projects import member, project
from modelreg.cli.remote import files
from modelreg.cli.server import db, demo_command, export_schema, serve
from modelreg.cli.serving import serve_model
from modelreg.cli.transfer import export_command, import_command, import_mlflow_command
from modelreg.cli.webhooks import webhooks


@click.group()
@click.version_option(package_name="modelreg")
def main() -> None:
    """modelreg: a self-hosted machine-learning model registry."""


for command in (
    serve,
    db,
    demo_command,
    export_schema,
    user,
    token,
    member,
    project,
    files,
    webhooks,
    serve_model,
    export_command,
    import_command,
    import_mlflow_command,
):
    main.add_command(command)
