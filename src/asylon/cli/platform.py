"""Running the platform: the demo, the server, database migrations."""

from __future__ import annotations

import signal
from types import FrameType
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import select

from asylon.cli.context import console, progress_bar
from asylon.cli.errors import run_guarded
from asylon.config import get_settings
from asylon.db.engine import get_engine, transaction
from asylon.db.migrate import current_revision, upgrade
from asylon.db.models import Organisation, User
from asylon.demo.world import DEMO_PASSWORD
from asylon.services.deliverer import Deliverer
from asylon.services.demo import seed_demo

db_app = typer.Typer(help="The database: migrations.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision")] = "head") -> None:
    """Bring the database schema up to date (creates an empty database if there is none)."""
    run_guarded(lambda: upgrade(get_engine(), revision))
    console.print(f"database at revision [bold]{current_revision(get_engine())}[/] ({_where()})")


@db_app.command("current")
def db_current() -> None:
    """Print the database's schema revision."""
    console.print(current_revision(get_engine()) or "empty (run `asylon db upgrade`)")


def _where() -> str:
    return get_engine().url.render_as_string(hide_password=True)


class _Stopped(Exception):
    """SIGTERM arrived: leave uvicorn's run and stop the webhook deliverer in order."""


def _raise_stopped(signum: int, frame: FrameType | None) -> None:
    raise _Stopped


def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on")] = None,
    workers: Annotated[int, typer.Option(
        help="Worker processes (one per core serves the most requests; on SQLite they read side by side and "
             "write in turn)")] = 1,
    webhooks: Annotated[bool, typer.Option(
        "--webhooks/--no-webhooks",
        help="Deliver webhooks from this command (one process per deployment delivers at a time; others wait "
             "and take over when it stops)")] = True,
    access_log: Annotated[bool, typer.Option("--access-log/--no-access-log", help="Log every request")] = True,
) -> None:
    """Serve the API and web UI, and deliver webhooks."""
    from asylon.api import serving

    settings = get_settings()
    if settings.is_sqlite and workers > 1 and settings.database_url.rstrip("/").endswith((":memory:", "sqlite:")):
        console.print("[yellow]an in-memory SQLite database lives in one process: serving one worker[/]")
        workers = 1
    # One deliverer per command, beside the server processes; the lease keeps it one per deployment.
    deliverer = Deliverer(get_engine()).start() if webhooks else None
    if deliverer is not None:
        console.print("webhooks: delivered from this process while it holds the deployment's lease")
    # uvicorn restores the previous SIGTERM handler after its graceful shutdown and raises the signal
    # again; with this handler that ends uvicorn.run with _Stopped instead of killing the process, so
    # the deliverer finishes its pass and releases the lease.
    previous = signal.signal(signal.SIGTERM, _raise_stopped)
    try:
        serving.run(host=host or settings.host, port=port or settings.port, workers=workers, access_log=access_log)
    except (_Stopped, KeyboardInterrupt):
        pass
    except OSError as exc:
        console.print(f"[red]{exc.strerror}[/]")
        raise typer.Exit(1) from exc
    finally:
        signal.signal(signal.SIGTERM, previous)
        if deliverer is not None:
            deliverer.stop()
            console.print("webhooks: deliverer stopped")


def demo(
    households: Annotated[int, typer.Option(help="Households in the demo world")] = 3000,
    seed: Annotated[int, typer.Option(help="Seed of the demo world; the same seed gives the same world")] = 2026,
    host: Annotated[str | None, typer.Option(help="Address to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on")] = None,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Prepare the demo but do not start the server")] = False,
) -> None:
    """Migrate the embedded database, seed a demo world if it is empty, and serve it."""
    settings = get_settings()
    engine = get_engine()
    run_guarded(lambda: upgrade(engine))
    with progress_bar() as progress:
        result = run_guarded(lambda: seed_demo(engine, seed=seed, households=households, progress=progress))
    if result.seeded:
        console.print(f"seeded a demo world: {result.organisations} organisations, {result.households:,} households, "
                      f"{result.persons:,} persons")
    else:
        console.print("the database already has data; left as it is")
    _print_logins()
    url = f"http://{host or settings.host}:{port or settings.port}"
    console.print(f"\n[bold green]asylon is ready[/]: open [bold]{url}/[/]  (API: {url}/api/v1, "
                  f"OpenAPI: {url}/api/v1/openapi.json)\ndatabase: {_where()}")
    if not no_serve:
        serve(host=host, port=port)


def _print_logins() -> None:
    with transaction(write=False) as session:
        rows = session.execute(
            select(User.email, User.role, Organisation.name).join(Organisation)
            .where(User.email.like("%.demo"), Organisation.slug.in_(["un-amman", "deu-migration"]))
            .order_by(Organisation.slug, User.role)
        ).all()
    if not rows:
        return
    table = Table(title=f"Demo logins (password for all: {DEMO_PASSWORD})")
    for column in ("e-mail", "role", "organisation"):
        table.add_column(column)
    for email, role, org in rows:
        table.add_row(email, role, org)
    console.print(table)
    console.print("every demo organisation has admin@, caseworker@, analyst@ and viewer@<slug>.demo")


def register(app: typer.Typer) -> None:
    app.command()(demo)
    app.command()(serve)
    app.add_typer(db_app, name="db")
