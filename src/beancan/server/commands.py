"""The service half of the `beancan` command: migrate, createworkspace, createuser, createtoken,
serve, worker, replay, metrics, manage. Django is set up only when one of these runs."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path


class ServiceUsageError(Exception):
    """A bad command line or a missing object; one line for the user, exit 2."""


def setup() -> None:
    """Configure Django from the environment (idempotent)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "beancan.server.settings")
    import django

    django.setup()


def _workspace(name: str):
    from beancan.workspaces.models import Workspace

    ws = Workspace.objects.filter(name=name).first()
    if ws is None:
        raise ServiceUsageError(
            f"no workspace {name!r} (create it with: beancan createworkspace {name})"
        )
    return ws


def _when(text: str | None, flag: str) -> datetime | None:
    if text is None:
        return None
    from django.utils import timezone

    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ServiceUsageError(f"{flag} {text!r}: give an ISO 8601 date or time") from exc
    return timezone.make_aware(value, timezone.UTC) if timezone.is_naive(value) else value


def _speed(text: str) -> float | None:
    if text == "max":
        return None
    try:
        value = float(text.lower().removesuffix("x"))
    except ValueError:
        value = 0
    if value <= 0:
        raise ServiceUsageError(f"--speed {text!r}: give a multiple like 60x, or max")
    return value


def add_commands(commands, parser_class) -> None:
    """Add the service subcommands to the `beancan` parser."""
    p = commands.add_parser("migrate", help="create or upgrade the database (DATABASE_URL)")
    p.set_defaults(run=run_migrate)

    p = commands.add_parser("createworkspace", help="create a workspace (a brand or care team)")
    p.add_argument("name")
    p.add_argument("--brand", action="append", default=[], metavar="HANDLE")
    p.set_defaults(run=run_createworkspace)

    p = commands.add_parser("createuser", help="create a user, or add one to a workspace")
    p.add_argument("username")
    p.add_argument("--workspace", help="make the user a member of this workspace")
    p.add_argument("--role", default="agent", choices=("admin", "supervisor", "agent", "viewer"))
    p.add_argument("--email", default="")
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    p.add_argument("--superuser", action="store_true", help="may use the Django admin")
    p.set_defaults(run=run_createuser)

    p = commands.add_parser("createtoken", help="create an API token for a workspace")
    p.add_argument("--workspace", required=True)
    p.add_argument("--role", default="agent", choices=("admin", "supervisor", "agent", "viewer"))
    p.add_argument("--name", default="api")
    p.set_defaults(run=run_createtoken)

    p = commands.add_parser("serve", help="start the web server and the background worker")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--no-worker", action="store_true", help="web only (run `beancan worker`)")
    p.add_argument("--web-processes", type=int, default=1, help="uvicorn worker processes")
    p.add_argument("--demo", action="store_true", help="set up the demo workspace and replay it")
    p.set_defaults(run=run_serve)

    p = commands.add_parser("worker", help="run background workers (sending, sweeps)")
    p.add_argument("--interval", type=float, default=0.2, help="seconds between queue polls")
    p.add_argument("--tick", type=float, default=2.0, help="seconds between clock sweeps")
    p.add_argument(
        "--queue", action="append", metavar="NAME", help="run only this queue's tasks (repeatable)"
    )
    p.add_argument(
        "--exclude-queue", action="append", metavar="NAME", help="leave this queue's tasks out"
    )
    p.add_argument("--no-clock", action="store_true", help="run tasks only, no clock sweeps")
    p.set_defaults(run=run_worker)

    p = commands.add_parser("replay", help="feed an export through ingest() as live traffic")
    p.add_argument("file")
    p.add_argument("--workspace", required=True)
    p.add_argument("--channel", default="replay", help="the channel to create or use")
    p.add_argument("--format", choices=("twcs", "csv", "jsonl"))
    p.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN")
    p.add_argument("--brand", action="append", default=[], metavar="HANDLE")
    p.add_argument("--time-format")
    p.add_argument("--speed", default="max", help="a multiple of real time like 60x, or max")
    p.add_argument(
        "--live-times", action="store_true", help="stamp messages with the time they arrive"
    )
    p.add_argument("--strict", action="store_true")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(run=run_replay)

    p = commands.add_parser("metrics", help="the audit's metrics from the live database")
    p.add_argument("--workspace", required=True)
    p.add_argument("--since", help="conversations started at or after (ISO 8601)")
    p.add_argument("--until", help="conversations started before (ISO 8601)")
    p.add_argument("--target", default="60m")
    p.add_argument("--json", type=Path, metavar="OUT")
    p.set_defaults(run=run_metrics)

    p = commands.add_parser("manage", help="run a Django management command")
    p.add_argument("args", nargs=argparse.REMAINDER)
    p.set_defaults(run=run_manage)


def run_migrate(args) -> int:
    setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", interactive=False, verbosity=0)
    print(f"database ready: {connection.vendor} {connection.settings_dict['NAME']}")
    return 0


def create_workspace(name: str, brands: list[str] = ()):
    """Create a workspace with its default SLA policy (or return the existing one)."""
    from django.db import transaction

    from beancan.sla.models import SlaPolicy
    from beancan.workspaces.models import Workspace

    with transaction.atomic():
        ws, created = Workspace.objects.get_or_create(
            name=name, defaults={"brand_handles": [b.lstrip("@") for b in brands]}
        )
        if created:
            SlaPolicy.objects.create(workspace=ws)
    return ws, created


def run_createworkspace(args) -> int:
    setup()
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_slug

    try:
        validate_slug(args.name)
    except ValidationError as exc:
        raise ServiceUsageError(f"{args.name!r}: use letters, digits, - and _ only") from exc
    ws, created = create_workspace(args.name, args.brand)
    print(f"workspace {ws.name} {'created' if created else 'already exists'}")
    return 0


def run_createuser(args) -> int:
    setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from beancan.workspaces.models import Membership

    workspace = _workspace(args.workspace) if args.workspace else None
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    elif sys.stdin.isatty():
        password = getpass.getpass("password: ")
    else:
        raise ServiceUsageError("give the password on a terminal or with --password-stdin")
    User = get_user_model()
    user = User.objects.filter(username=args.username).first()
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ServiceUsageError("password: " + " ".join(exc.messages)) from exc
    if user is None:
        user = User(username=args.username, email=args.email)
    user.set_password(password)
    user.is_staff = user.is_superuser = args.superuser or user.is_superuser
    user.save()
    if workspace is not None:
        Membership.objects.update_or_create(
            workspace=workspace, user=user, defaults={"role": args.role}
        )
    where = f" in {workspace.name} as {args.role}" if workspace else ""
    print(f"user {user.username} ready{where}")
    return 0


def create_token(workspace, role: str, name: str) -> str:
    """A new API token's secret (shown once; only its digest is stored)."""
    from beancan.workspaces.crypto import digest
    from beancan.workspaces.models import ApiToken

    secret = ApiToken.new_secret()
    ApiToken.objects.create(
        workspace=workspace, name=name, role=role, digest=digest(secret), hint=secret[:7]
    )
    return secret


def run_createtoken(args) -> int:
    setup()
    secret = create_token(_workspace(args.workspace), args.role, args.name)
    print(secret)
    return 0


def run_metrics(args) -> int:
    from beancan.cli import parse_duration

    target = parse_duration(args.target)
    since, until = _when(args.since, "--since"), _when(args.until, "--until")
    if args.json is not None and not args.json.parent.exists():
        raise ServiceUsageError(f"{args.json}: folder {args.json.parent} does not exist")
    setup()
    from beancan.analytics.metrics import workspace_metrics

    report = workspace_metrics(
        _workspace(args.workspace), since=since, until=until, target_seconds=target
    )
    text = json.dumps(report, indent=2) + "\n"
    if args.json:
        args.json.write_text(text, encoding="utf-8")
        o = report["overall"]
        print(
            f"{o['conversations']} conversations, response rate "
            f"{o['response_rate'] if o['response_rate'] is not None else '-'}; wrote {args.json}"
        )
    else:
        sys.stdout.write(text)
    return 0


def run_replay(args) -> int:
    from beancan.audit.readers import open_source

    speed = _speed(args.speed)
    source = open_source(
        args.file,
        format=args.format,
        map_pairs=args.map,
        time_format=args.time_format,
        brand_handles=tuple(args.brand),
    )
    setup()
    from beancan.connectors.replay import replay

    workspace = _workspace(args.workspace)
    last = [0.0]

    def progress(done: int, total: int) -> None:
        if not args.quiet and time.monotonic() - last[0] > 1:
            last[0] = time.monotonic()
            print(f"  {done:,}/{total:,} messages", file=sys.stderr, flush=True)

    result = replay(
        workspace,
        source,
        channel_name=args.channel,
        speed=speed,
        live_times=args.live_times,
        strict=args.strict,
        on_batch=progress,
    )
    rate = result.ingested / result.seconds if result.seconds else 0
    print(
        f"replayed {result.valid:,} messages into {workspace.name}: {result.ingested:,} new, "
        f"{result.duplicates:,} already there, {len(result.rejections):,} rejected "
        f"({result.seconds:.1f} s, {rate:,.0f} messages/s)"
    )
    for r in result.rejections[:20]:
        print(f"  rejected line {r.line}: {r.reason}")
    return 0


def run_manage(args) -> int:
    setup()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["beancan manage", *args.args])
    return 0


def run_worker(args) -> int:
    setup()
    from beancan.server.worker import run

    run(
        interval=args.interval,
        tick=args.tick,
        queues=args.queue,
        exclude=args.exclude_queue,
        clock=not args.no_clock,
    )
    return 0


DEMO_CANNED = (
    (
        "Sorry, looking into it",
        "Hi {first_name}, sorry about this. I'm looking into it now. {agent_name}",
    ),
    (
        "Replacement on its way",
        "Hi {first_name}, I found order {order_id}: a replacement is on its way. {agent_name}",
    ),
    ("Fixed", "Good news {first_name}: this is fixed now. Thanks for your patience! {agent_name}"),
)
DEMO_AGENTS = (("alice", "admin"), ("bob", "agent"), ("carol", "agent"), ("victor", "viewer"))


def setup_demo(out_dir: Path) -> tuple[Path, list[tuple[str, str, str]]]:
    """The demo workspace, its agents with fresh passwords, and the export to replay."""
    from django.contrib.auth import get_user_model

    from beancan.audit.demo import DEMO_BRANDS, write_demo_export
    from beancan.inbox.models import CannedResponse
    from beancan.workspaces.models import Membership

    ws, _ = create_workspace("demo", [b.handle for b in DEMO_BRANDS])
    ws.auto_assign = True
    ws.save(update_fields=["auto_assign"])
    logins = []
    User = get_user_model()
    for username, role in DEMO_AGENTS:
        password = "demo-" + secrets.token_urlsafe(6)
        user = User.objects.filter(username=username).first() or User(username=username)
        user.set_password(password)
        user.save()
        presence = "online" if username in ("bob", "carol") else "offline"
        Membership.objects.update_or_create(
            workspace=ws, user=user, defaults={"role": role, "presence": presence}
        )
        logins.append((username, password, role))
    for name, text in DEMO_CANNED:
        CannedResponse.objects.get_or_create(workspace=ws, name=name, defaults={"text": text})
    out_dir.mkdir(parents=True, exist_ok=True)
    export = out_dir / "demo-export.csv"
    if not export.exists():
        write_demo_export(export, conversations=1500, seed=7)
    if not ws.vip_handles:
        ws.vip_handles = _demo_regulars(export, 3)  # the demo's VIPs: its most loyal customers
        ws.save(update_fields=["vip_handles"])
    return export, logins


def _demo_regulars(export: Path, n: int) -> list[str]:
    """The `n` customers who write most often in the demo export."""
    import csv
    from collections import Counter

    with export.open(newline="", encoding="utf-8") as f:
        counts = Counter(r["author_id"] for r in csv.DictReader(f) if r["inbound"] == "True")
    return [author for author, _ in counts.most_common(n)]


def run_serve(args) -> int:
    setup()
    import uvicorn
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    children: list[subprocess.Popen] = []
    beancan = [sys.executable, "-m", "beancan"]
    if not args.no_worker:
        from beancan.similar.selectors import similar_enabled

        if similar_enabled():  # embedding has a worker of its own: replies never wait behind it
            children.append(subprocess.Popen([*beancan, "worker", "--exclude-queue", "ml"]))
            children.append(subprocess.Popen([*beancan, "worker", "--queue", "ml", "--no-clock"]))
        else:
            children.append(subprocess.Popen([*beancan, "worker"]))
    if args.demo:
        from django.conf import settings

        export, logins = setup_demo(Path(settings.DATA_DIR) / "demo")
        print(f"\nbeancan demo at http://{args.host}:{args.port}/  — logins (workspace demo):")
        for username, password, role in logins:
            print(f"  {username:8} {password:16} {role}")
        print()
        children.append(
            subprocess.Popen(
                [
                    *beancan,
                    "replay",
                    str(export),
                    "--workspace",
                    "demo",
                    "--channel",
                    "demo",
                    "--speed",
                    "600x",
                    "--live-times",
                    "--quiet",
                ]
            )
        )

    def stop(*_):
        for child in children:
            if child.poll() is None:
                child.terminate()

    signal.signal(signal.SIGTERM, lambda *a: (stop(), sys.exit(0)))
    watcher = threading.Thread(target=_watch_children, args=(children,), daemon=True)
    watcher.start()
    try:
        uvicorn.run(
            "beancan.server.asgi:application",
            host=args.host,
            port=args.port,
            log_level="warning",
            lifespan="off",
            timeout_graceful_shutdown=5,  # SSE streams never end by themselves
            # uvicorn's default closes an idle connection after 5 s, while an agent's page sends
            # its next request after a few seconds of reading: a request sent as the server
            # closes fails (the agent benchmark saw one such ReadError a run). 75 s, as nginx.
            timeout_keep_alive=75,
            workers=max(1, args.web_processes),
        )
    finally:
        stop()
    return 0


def _watch_children(children: list[subprocess.Popen]) -> None:
    # The worker is restarted if it dies: work is in the database, nothing is lost.
    while True:
        time.sleep(2)
        for i, child in enumerate(children):
            if child.args[3:4] == ["worker"] and child.poll() is not None:
                children[i] = subprocess.Popen(child.args)
