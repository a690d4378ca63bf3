"""The deployment kit and the lean install, as an operator meets them.

No image can be built here (no registry for base images), so the Dockerfile's steps run in a
clean virtual environment instead: its build stage's COPY lines and `pip wheel --no-deps`
build the wheel, the wheel goes into an empty venv with the runtime dependencies only (no
extras, binary wheels only, as on the slim image without a compiler), and the image's
entrypoint, command and health check run there with /data replaced by a temporary folder.
compose.yaml, compose.shards.yaml and the systemd unit are parsed and every mentorbot command
they call is checked against the CLI's argparse and run where it can be.

The venv is built once per test session (about 20 s with pip's cache).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli import EXIT_CONFIG, _parser
from bot.core.i18n import t
from bot.core.services import Services
from bot.reporting import report_messages
from tests.conftest import actor
from tests.discord.conftest import error_logs, fake_discord  # noqa: F401  (fixtures)
from tests.discord.env import MANAGE_GUILD, bot_env
from tests.fakediscord import FakeDiscord

pytestmark = pytest.mark.packaging

ROOT = Path(__file__).resolve().parent.parent
DATA = "/data"
# Packages that must never reach the runtime install (tests, lint, the optional chart).
NOT_IN_RUNTIME = {"matplotlib", "numpy", "pillow", "fonttools", "pytest", "pytest-asyncio",
                  "hypothesis", "matrix-synapse", "twisted", "ruff", "mypy", "pre-commit",
                  "pyyaml"}  # fmt: skip
RUNTIME_LIMIT_MB = 160  # measured 125 MB of files (no pip); matplotlib & co. add about 170 MB
CONFIG = '[bot]\nlocale = "en"\n\n[mentoring]\ncheckin_interval = "7d"\n'
SCRIPT = "/mod mod\nmod> !mentoring-report\n"


# ---------------------------------------------------------------- the Dockerfile, parsed


@dataclass
class Instruction:
    word: str
    args: str


def dockerfile() -> list[list[Instruction]]:
    """The Dockerfile's global ARGs, build stage and runtime stage, as instruction lists
    (continuation lines joined, comments dropped)."""
    stages: list[list[Instruction]] = [[]]
    logical = ""
    for raw in (ROOT / "Dockerfile").read_text().splitlines():
        line = raw.strip()
        if not logical and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        if line.endswith("\\"):
            logical += line[:-1] + " "
            continue
        logical += line
        word, _, args = logical.partition(" ")
        if word.upper() == "FROM":
            stages.append([])
        stages[-1].append(Instruction(word.upper(), args.strip()))
        logical = ""
    assert len(stages) == 3, "expected global ARGs, a build stage and a runtime stage"
    return stages


def only(stage: list[Instruction], word: str) -> Instruction:
    (found,) = [i for i in stage if i.word == word]
    return found


def arg_default(stage: list[Instruction], name: str) -> str:
    for i in stage:
        key, _, value = i.args.partition("=")
        if i.word == "ARG" and key == name:
            return value.strip('"')
    raise AssertionError(f"no ARG {name}")


def healthcheck_command(stage: list[Instruction]) -> str:
    """The shell command of HEALTHCHECK ... CMD <command>."""
    args = only(stage, "HEALTHCHECK").args
    return args[args.index(" CMD ") + len(" CMD ") :]


def mentorbot_argv(command: str | list[str]) -> list[str]:
    """The arguments after `mentorbot` in an exec-form list or a shell command."""
    words = shlex.split(command) if isinstance(command, str) else list(command)
    if words and words[0] in ("CMD", "CMD-SHELL"):
        words = words[1:]
    assert words and Path(words[0]).name == "mentorbot", f"not a mentorbot command: {command}"
    argv = []
    for w in words[1:]:
        if w in (">", ">>", "|", "||", "&&", ";", "2>&1"):
            break
        argv.append(w)
    return argv


def assert_cli_accepts(argv: list[str]) -> None:
    """The CLI's own argparse takes these arguments (a typo'd command or option fails here)."""
    try:
        _parser().parse_args(argv)
    except SystemExit as exc:
        raise AssertionError(f"mentorbot {' '.join(argv)}: rejected by argparse") from exc


def compose(name: str) -> dict[str, Any]:
    data = yaml.safe_load((ROOT / name).read_text())
    assert isinstance(data, dict)
    return data


def bot_services(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Services running the mentorbot image (built from this Dockerfile)."""
    return {n: s for n, s in doc["services"].items() if s.get("build") == "."}


def interpolate(value: str) -> str:
    """Compose's ${VAR} / ${VAR:?msg} with a made-up .env."""
    env = {"POSTGRES_PASSWORD": "s3cretpw"}
    return re.sub(r"\$\{(\w+)(?::\?[^}]*)?\}", lambda m: env[m.group(1)], value)


# ---------------------------------------------------------------- the clean runtime venv


@dataclass
class Runtime:
    venv: Path
    wheel: Path
    site: Path

    @property
    def bin(self) -> Path:
        return self.venv / "bin"

    def env(self, **extra: str) -> dict[str, str]:
        """A clean environment: no MENTORBOT_* settings, no PYTHONPATH, the venv first on PATH."""
        keep = {k: v for k, v in os.environ.items()
                if not k.startswith(("MENTORBOT_", "PYTHON", "VIRTUAL_ENV"))}  # fmt: skip
        keep["PATH"] = f"{self.bin}{os.pathsep}{os.environ.get('PATH', '')}"
        return {**keep, **extra}

    def run(self, argv: list[str], cwd: Path, stdin: str = "", timeout: float = 60,
            **env: str) -> subprocess.CompletedProcess[str]:  # fmt: skip
        return subprocess.run(argv, cwd=cwd, input=stdin, capture_output=True, text=True,
                              timeout=timeout, env=self.env(**env), check=False)  # fmt: skip


def _pip(*args: str, cwd: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "pip", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300, check=False)  # fmt: skip
    assert done.returncode == 0, f"pip {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"


@pytest.fixture(scope="session")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Runtime:
    """The Dockerfile's build and install steps, in a clean venv (once per session)."""
    _, build, runtime_stage = dockerfile()
    base = tmp_path_factory.mktemp("packaging")
    src = base / "src"
    src.mkdir()
    # Build stage: exactly the files it COPYs, then `pip wheel --no-deps`.
    for copy in (i for i in build if i.word == "COPY"):
        *sources, _dest = copy.args.split()
        for name in sources:
            path = ROOT / name
            if path.is_dir():
                shutil.copytree(path, src / name, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(path, src / name)
    assert "--no-deps" in only(build, "RUN").args
    _pip("wheel", "--no-deps", "--wheel-dir", str(base / "wheels"), str(src), cwd=base)
    (wheel,) = (base / "wheels").glob("mentorbot-*.whl")
    # Runtime stage: the wheel with the image's default extras, binary wheels only (no compiler).
    extras = arg_default(runtime_stage, "EXTRAS")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    target = f"{wheel}[{extras}]" if extras else str(wheel)
    _pip("--python", str(venv / "bin" / "python"), "install", "--only-binary=:all:", target,
         cwd=base)  # fmt: skip
    (site,) = (venv / "lib").glob("python3*/site-packages")
    return Runtime(venv, wheel, site)


# ---------------------------------------------------------------- the wheel and the install


def test_the_wheel_carries_code_locales_migrations_and_license(runtime: Runtime) -> None:
    names = set(zipfile.ZipFile(runtime.wheel).namelist())
    locales = {f"bot/locales/{p.name}" for p in (ROOT / "bot/locales").glob("*.json")}
    migrations = {str(p.relative_to(ROOT)) for p in (ROOT / "storage/migrations").rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts}  # fmt: skip
    assert locales and locales <= names, sorted(locales - names)
    assert {
        "storage/migrations/env.py",
        "storage/migrations/versions/0001_initial_schema.py",
    } <= migrations
    assert migrations <= names, sorted(migrations - names)
    for package in ("bot", "cogs", "storage"):
        code = {str(p.relative_to(ROOT)) for p in (ROOT / package).rglob("*.py")
                if "__pycache__" not in p.parts}  # fmt: skip
        assert code <= names, sorted(code - names)
    assert not any(n.startswith(("tests/", "bench/")) for n in names)
    dist_info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/METADATA"))
    assert f"{dist_info}/licenses/LICENSE" in names
    with zipfile.ZipFile(runtime.wheel) as whl:
        metadata = whl.read(f"{dist_info}/METADATA").decode()
        entry_points = whl.read(f"{dist_info}/entry_points.txt").decode()
    assert "mentorbot = bot.cli:main" in entry_points
    assert "License-Expression: MIT" in metadata
    requires = [line.removeprefix("Requires-Dist: ") for line in metadata.splitlines()
                if line.startswith("Requires-Dist: ")]  # fmt: skip
    runtime_requires = [r for r in requires if "extra ==" not in r]
    assert any(r.startswith("discord.py[speed]") for r in runtime_requires)
    for banned in ("matplotlib", "pytest", "hypothesis", "matrix-synapse", "ruff", "mypy"):
        assert not any(r.lower().startswith(banned) for r in runtime_requires), banned
    assert any(r.startswith("matplotlib") and 'extra == "charts"' in r for r in requires)
    extras = {line.removeprefix("Provides-Extra: ") for line in metadata.splitlines()
              if line.startswith("Provides-Extra: ")}  # fmt: skip
    assert {"charts", "e2e", "test", "lint", "dev"} <= extras


def test_the_runtime_install_is_lean_and_runs_from_the_venv(
    runtime: Runtime, tmp_path: Path
) -> None:
    listed = runtime.run([str(runtime.bin / "python"), "-c",
                          "import importlib.metadata as m, json, bot; "
                          "print(json.dumps([bot.__file__, [d.metadata['Name'] for d in m.distributions()]]))"],
                         cwd=tmp_path)  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    module, dists = json.loads(listed.stdout)
    assert module.startswith(str(runtime.site)), "bot was imported from the checkout, not the wheel"
    installed = {d.lower().replace("_", "-") for d in dists}
    assert not installed & NOT_IN_RUNTIME, sorted(installed & NOT_IN_RUNTIME)
    assert {"mentorbot", "discord.py", "matrix-nio", "asyncpg", "aiosqlite", "orjson",
            "aiodns", "brotli", "zstandard"} <= installed  # fmt: skip
    size = sum(p.stat().st_size for p in runtime.site.rglob("*") if p.is_file())
    assert size < RUNTIME_LIMIT_MB * 1024 * 1024, f"runtime install grew to {size / 2**20:.0f} MB"


IMPORT_ALL = """
import importlib, json, pkgutil
failed, count = {}, 0
for top in ("bot", "cogs", "storage"):
    for info in pkgutil.walk_packages(importlib.import_module(top).__path__, top + "."):
        if info.name.startswith("storage.migrations"):  # run by Alembic, not imported
            continue
        count += 1
        try:
            importlib.import_module(info.name)
        except Exception as err:
            failed[info.name] = f"{type(err).__name__}: {err}"
print(json.dumps({"count": count, "failed": failed}))
"""


def test_every_module_imports_with_the_runtime_dependencies_only(
    runtime: Runtime, tmp_path: Path
) -> None:
    """An undeclared dependency, or matplotlib imported outside a chart, fails here."""
    done = runtime.run([str(runtime.bin / "python"), "-c", IMPORT_ALL], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["count"] > 100
    assert result["failed"] == {}


def test_help_lists_every_command_the_kit_uses(runtime: Runtime, tmp_path: Path) -> None:
    shown = runtime.run(["mentorbot", "--help"], cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    for command in ("run", "check-config", "db", "report"):
        assert command in shown.stdout


# ---------------------------------------------------------------- the image, run in the venv


def test_the_image_runs_as_a_user_with_data_as_volume_and_workdir() -> None:
    globals_, build, stage = dockerfile()
    assert arg_default(globals_, "PYTHON_IMAGE") == "python:3.11-slim"
    assert only(build, "FROM").args == "${PYTHON_IMAGE} AS build"
    assert only(stage, "FROM").args == "${PYTHON_IMAGE}"
    user, install = only(stage, "USER").args, only(stage, "RUN").args
    assert user not in ("root", "0") and "useradd --system" in install and user in install
    # The runtime stage installs from the build stage's wheels only (no compiler, no sources).
    assert "from=build" in install and "--no-index" in install
    assert json.loads(only(stage, "VOLUME").args) == [DATA]
    assert only(stage, "WORKDIR").args == DATA
    assert json.loads(only(stage, "ENTRYPOINT").args) == ["mentorbot"]
    assert json.loads(only(stage, "CMD").args) == ["run", "--config", f"{DATA}/mentorbot.toml"]


def test_the_image_health_check_passes_on_a_good_config_and_fails_on_a_bad_one(
    runtime: Runtime, tmp_path: Path
) -> None:
    *_, stage = dockerfile()
    command = healthcheck_command(stage)
    argv = mentorbot_argv(command)
    assert argv[0] == "check-config"
    assert_cli_accepts(argv)
    data = tmp_path / "data"
    data.mkdir()
    shell = command.replace(DATA, str(data))
    (data / "mentorbot.toml").write_text(CONFIG)
    good = runtime.run(["sh", "-c", shell], cwd=data)
    assert good.returncode == 0, good.stderr
    (data / "mentorbot.toml").write_text('[mentoring]\ncheckin_interval = "soon"\n')
    bad = runtime.run(["sh", "-c", shell], cwd=data)
    assert bad.returncode == 1  # HEALTHCHECK: 1 = unhealthy
    direct = runtime.run(["mentorbot", *[a.replace(DATA, str(data)) for a in argv]], cwd=data)
    assert direct.returncode == EXIT_CONFIG
    assert "checkin_interval" in direct.stderr


def test_the_image_command_runs_the_console_report_without_matplotlib(
    runtime: Runtime, tmp_path: Path
) -> None:
    """ENTRYPOINT + CMD in /data: the console community on SQLite in the volume; the report
    works without the charts extra and says in one line that the chart is missing."""
    *_, stage = dockerfile()
    data = tmp_path / "data"
    data.mkdir()
    (data / "mentorbot.toml").write_text(CONFIG)
    argv = [*json.loads(only(stage, "ENTRYPOINT").args), *json.loads(only(stage, "CMD").args)]
    assert_cli_accepts(argv[1:])
    argv = [a.replace(DATA, str(data)) for a in argv]
    done = runtime.run(argv, cwd=data, stdin=SCRIPT)
    assert done.returncode == 0, done.stderr
    assert "[to mod] Mentoring report, last 30 days" in done.stdout
    assert f"[to mod] {t('en', 'report.chart_missing')}" in done.stdout
    assert "Traceback" not in done.stderr and "matplotlib" not in done.stderr
    assert (data / "mentorbot.db").stat().st_size > 0  # relative default path -> the volume


def test_db_upgrade_runs_as_the_shards_migrate_service_does(
    runtime: Runtime, tmp_path: Path
) -> None:
    (migrate,) = [s for n, s in compose("compose.shards.yaml")["services"].items()
                  if n == "migrate"]  # fmt: skip
    argv = mentorbot_argv(["mentorbot", *migrate["command"]])
    assert argv[:2] == ["db", "upgrade"]
    assert_cli_accepts(argv)
    (tmp_path / "mentorbot.toml").write_text(CONFIG)
    argv = [a.replace(DATA, str(tmp_path)) for a in argv]
    done = runtime.run(["mentorbot", *argv], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "up to date" in done.stdout
    assert (tmp_path / "mentorbot.db").stat().st_size > 0


# ---------------------------------------------------------------- compose files


@pytest.mark.parametrize("name", ["compose.yaml", "compose.shards.yaml"])
def test_compose_runs_the_bot_after_a_healthy_postgres_with_commands_the_cli_has(
    name: str, runtime: Runtime, tmp_path: Path
) -> None:
    doc = compose(name)
    postgres = doc["services"]["postgres"]
    assert postgres["image"] == "postgres:15"
    assert "pg_isready" in postgres["healthcheck"]["test"]
    bots = bot_services(doc)
    assert bots
    (tmp_path / "mentorbot.toml").write_text(CONFIG)
    for service in bots.values():
        assert_cli_accepts(mentorbot_argv(["mentorbot", *service["command"]]))
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
        env = {k: interpolate(str(v)) for k, v in (service.get("environment") or {}).items()}
        assert env["MENTORBOT_BOT__DATABASE_URL"].startswith(
            "postgresql://mentorbot:s3cretpw@postgres"
        )
        if "healthcheck" in service:
            argv = mentorbot_argv(service["healthcheck"]["test"])
            assert_cli_accepts(argv)
            # The health check as this service runs it: its environment, its config.
            argv = [a.replace(DATA, str(tmp_path)) for a in argv]
            checked = runtime.run(["mentorbot", *argv], cwd=tmp_path, **env)
            assert checked.returncode == 0, checked.stderr
            settings = json.loads(checked.stdout)
            assert settings["bot"]["database_url"].startswith("postgresql://mentorbot:")
            assert "s3cretpw" not in checked.stdout
        if service["command"][0] == "run":  # the bots keep their Matrix store in /data
            mounts = [str(v) for v in service["volumes"]]
            assert any(m.endswith(":/data") for m in mounts), mounts
            assert any(m.endswith(":/data/mentorbot.toml:ro") for m in mounts), mounts


def test_the_shards_cover_every_shard_once_and_matrix_runs_in_one_process(
    runtime: Runtime, tmp_path: Path
) -> None:
    bots = {n: s for n, s in bot_services(compose("compose.shards.yaml")).items()
            if s["command"][0] == "run"}  # fmt: skip
    assert len(bots) == 2
    (tmp_path / "mentorbot.toml").write_text(CONFIG)
    seen: list[int] = []
    matrix_on = 0
    for service in bots.values():
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        env = {k: interpolate(str(v)) for k, v in service["environment"].items()}
        # A Matrix login in the file, as an operator running both platforms would have it.
        env |= {"MENTORBOT_MATRIX__ACCESS_TOKEN": "syt_x", "MENTORBOT_MATRIX__USER_ID": "@bot:hs",
                **({} if "MENTORBOT_MATRIX__HOMESERVER" in env
                   else {"MENTORBOT_MATRIX__HOMESERVER": "https://hs.example"})}  # fmt: skip
        argv = [
            a.replace(DATA, str(tmp_path)) for a in mentorbot_argv(service["healthcheck"]["test"])
        ]
        checked = runtime.run(["mentorbot", *argv], cwd=tmp_path, **env)
        assert checked.returncode == 0, checked.stderr
        discord = json.loads(checked.stdout)["discord"]
        assert discord["shard_count"] == 2
        seen += discord["shard_ids"]
        matrix_on += bool(json.loads(checked.stdout)["matrix"]["homeserver"])
    assert sorted(seen) == [0, 1]
    assert matrix_on == 1


# ---------------------------------------------------------------- systemd


def unit_entries() -> list[tuple[str, str, str]]:
    section, entries = "", []
    for raw in (ROOT / "deploy/mentorbot.service").read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        entries.append((section, key, value))
    return entries


def test_the_systemd_unit_restarts_on_failure_and_keeps_state_and_secrets_apart(
    runtime: Runtime, tmp_path: Path
) -> None:
    service = {k: v for s, k, v in unit_entries() if s == "Service"}
    assert service["Restart"] == "on-failure"
    assert service.get("DynamicUser") == "yes" or service.get("User") == "mentorbot"
    assert service["WorkingDirectory"] == f"/var/lib/{service['StateDirectory']}"
    assert service["EnvironmentFile"].startswith("/etc/mentorbot/")
    assert service["RestartPreventExitStatus"] == str(EXIT_CONFIG)
    for key in ("ExecStartPre", "ExecStart"):
        assert_cli_accepts(mentorbot_argv(service[key]))
    assert mentorbot_argv(service["ExecStart"])[0] == "run"
    analyze = shutil.which("systemd-analyze")
    assert analyze is not None, "systemd-analyze (Debian: systemd) verifies the unit"
    unit = tmp_path / "mentorbot.service"
    binary = shlex.split(service["ExecStart"])[0]
    unit.write_text((ROOT / "deploy/mentorbot.service").read_text().replace(
        binary, str(runtime.bin / "mentorbot")))  # fmt: skip
    verified = subprocess.run([analyze, "verify", str(unit)], capture_output=True, text=True,
                              timeout=60, check=False)  # fmt: skip
    assert verified.returncode == 0 and not verified.stderr.strip(), verified.stderr


# ---------------------------------------------------------------- matplotlib only for a chart


def test_starting_the_bot_does_not_import_matplotlib() -> None:
    """Every front-end and every cog loads without matplotlib; drawing loads it."""
    code = (
        "import sys, bot.app, bot.cli, bot.platforms.console.runner, bot.text.router, "
        "bot.platforms.discord, bot.platforms.matrix, bot.reporting\n"
        "import importlib\n"
        "for cog in bot.app.DISCORD_COGS: importlib.import_module(cog)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('matplotlib', 'numpy', 'PIL')))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=60, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


@pytest.fixture
def without_matplotlib(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if the charts extra were not installed: `import matplotlib` fails."""
    monkeypatch.setitem(sys.modules, "matplotlib", None)


@pytest.mark.usefixtures("without_matplotlib")
@pytest.mark.parametrize("locale", ["en", "de"])
async def test_text_report_without_matplotlib_has_csv_and_says_the_chart_is_missing(
    services: Services, locale: str
) -> None:
    report = await services.reports.report(actor("mod", "guild-1"), 30, moderator=True)
    (message,) = await report_messages(report, locale)
    (table,) = message.files
    assert table.filename == "mentoring-report-30d.csv"
    assert message.text.splitlines()[-1] == t(locale, "report.chart_missing")
    assert "matplotlib" in message.text and "mentorbot[charts]" in message.text
    assert message.text.startswith(report.title(locale))


@pytest.mark.usefixtures("without_matplotlib")
async def test_discord_report_without_matplotlib_is_an_embed_without_image(
    fake_discord: FakeDiscord,  # noqa: F811  (the fixture imported above)
    tmp_path: Path,
) -> None:
    async with bot_env(fake_discord, tmp_path) as env:
        mod = await env.member("mod")
        handle = await env.slash(mod, "mentoring-report", {"days": 7}, permissions=MANAGE_GUILD)
        details = await env.answer_message(handle)
        original = await handle.wait_original(lambda m: m.embeds, timeout=10)
        (embed,) = original.embeds
        assert embed["title"] == "Mentoring report, last 7 days"
        assert "image" not in embed and not original.attachments
        assert embed["footer"]["text"] == t("en", "report.chart_missing")
        (table,) = details.attachments
        assert table.filename == "mentoring-report-7d.csv"
