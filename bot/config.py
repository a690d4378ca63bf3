"""Settings: a TOML file plus MENTORBOT_<SECTION>__<KEY> environment overrides, validated."""

from __future__ import annotations

import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import unquote, urlsplit

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    SecretStr,
    ValidationError,
    field_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from bot.core.durations import format_duration, parse_duration
from bot.core.i18n import SUPPORTED
from bot.core.settings import Programme
from bot.logs import mask_url


def _duration(value: Any) -> timedelta:
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError("use a duration like 30s, 15m, 48h, 7d or 2w")
    if isinstance(value, int):
        value = f"{value}s"
    return parse_duration(value)


def _snowflake(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("use a numeric id")
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    if isinstance(value, int) and value >= 0:
        return value
    raise ValueError("use a numeric id (a TOML integer or a string of digits)")


Duration = Annotated[
    timedelta,
    BeforeValidator(_duration),
    PlainSerializer(format_duration, return_type=str, when_used="json"),
]
Snowflake = Annotated[int, BeforeValidator(_snowflake)]


class Section(BaseModel):
    """A config table: unknown keys are errors, so typos are caught."""

    model_config = ConfigDict(extra="forbid")


class BotSection(Section):
    database_url: str = "sqlite:///mentorbot.db"
    locale: str = "en"

    @field_validator("locale")
    @classmethod
    def _locale(cls, value: str) -> str:
        if value not in SUPPORTED:
            raise ValueError(f"choose one of: {', '.join(SUPPORTED)}")
        return value

    @field_validator("database_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("sqlite://", "postgresql://", "postgres://")):
            raise ValueError("use sqlite:///file.db or postgresql://user@host/db")
        return value


class MentoringSection(Section):
    request_timeout: Duration = timedelta(hours=48)
    max_offer_attempts: int = Field(default=3, ge=1, le=20)
    checkin_interval: Duration = timedelta(days=7)
    program_length: Duration = timedelta(days=90)
    default_capacity: int = Field(default=3, ge=1, le=10)
    auto_pause_after: int = Field(default=2, ge=1, le=100)
    mentor_approval: bool = False
    retention: Duration = timedelta(days=90)

    def programme(self) -> Programme:
        """The core's view of these settings."""
        return Programme(**self.model_dump())


class DiscordGuild(Section):
    welcome_channel: Snowflake = 0
    mentoring_channel: Snowflake = 0
    mentors_channel: Snowflake = 0
    moderation_channel: Snowflake = 0
    recognition_channel: Snowflake = 0
    help_channel: Snowflake = 0
    moderator_roles: list[Snowflake] = []
    mentor_role: Snowflake = 0
    badge_roles: dict[str, Snowflake] = {}


def _url(value: str, schemes: tuple[str, ...], example: str) -> str:
    """An absolute URL with one of these schemes and a host (or '' for unset)."""
    value = value.strip()
    if not value:
        return value
    parts = urlsplit(value)
    if parts.scheme not in schemes or not parts.hostname:
        raise ValueError(f"use an absolute {' or '.join(schemes)} URL like {example}")
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise ValueError(f"the port is not a number; use a URL like {example}") from None
    return value


class DiscordSection(Section):
    token: SecretStr = SecretStr("")
    api_base_url: str = ""
    gateway_url: str = ""

    @field_validator("api_base_url")
    @classmethod
    def _api(cls, value: str) -> str:
        return _url(value, ("http", "https"), "http://proxy:8080/api/v10")

    @field_validator("gateway_url")
    @classmethod
    def _gateway(cls, value: str) -> str:
        return _url(value, ("ws", "wss"), "wss://gateway.example.org/")

    dev_guild_ids: list[Snowflake] = []
    shard_count: int = Field(default=0, ge=0, le=10000)
    shard_ids: list[int] = []
    guilds: dict[Snowflake, DiscordGuild] = {}

    @property
    def enabled(self) -> bool:
        """Whether a token is configured."""
        return bool(self.token.get_secret_value())


class MatrixRoom(Section):
    moderation_room: str = ""
    recognition_room: str = ""
    mentors_room: str = ""


class MatrixSection(Section):
    homeserver: str = ""

    @field_validator("homeserver")
    @classmethod
    def _homeserver(cls, value: str) -> str:
        return _url(value, ("http", "https"), "https://matrix.example.org").rstrip("/")

    user_id: str = ""
    access_token: SecretStr = SecretStr("")
    password: SecretStr = SecretStr("")
    device_id: str = "MENTORBOT"
    store_path: str = "matrix-store"
    encrypt_rooms: bool = False
    command_prefix: str = Field(default="!", min_length=1, max_length=3)
    moderator_power_level: int = Field(default=50, ge=0, le=100)
    rooms: dict[str, MatrixRoom] = {}

    @property
    def enabled(self) -> bool:
        """Whether a homeserver and credentials are configured."""
        has_secret = self.access_token.get_secret_value() or self.password.get_secret_value()
        return bool(self.homeserver and self.user_id and has_secret)


class OpsSection(Section):
    log_format: Literal["text", "json"] = "text"


class Settings(BaseSettings):
    """Everything mentorbot reads at start-up."""

    model_config = SettingsConfigDict(
        env_prefix="MENTORBOT_", env_nested_delimiter="__", extra="forbid", case_sensitive=False
    )

    bot: BotSection = BotSection()
    mentoring: MentoringSection = MentoringSection()
    discord: DiscordSection = DiscordSection()
    matrix: MatrixSection = MatrixSection()
    ops: OpsSection = OpsSection()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The environment overrides the file, which is handed in as init values.
        return (env_settings, init_settings)


class ConfigError(Exception):
    """The configuration cannot be used; `problems` has one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


SECRET_KEYS = {"token", "access_token", "password"}


def _describe(err: Any, source: str) -> str:
    key = ".".join(str(p) for p in err["loc"])
    leaf = str(err["loc"][-1]) if err["loc"] else ""
    shown = "***" if leaf in SECRET_KEYS else mask_url(repr(err.get("input"))[:80])
    message = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        return f"{source}: unknown key '{key}' (check the spelling against config.example.toml)"
    return f"{source}: '{key}' = {shown}: {message}"


def load_settings(path: str | Path | None = None) -> Settings:
    """Read and validate the file (optional) and environment; raise ConfigError if unusable."""
    data: dict[str, Any] = {}
    source = str(path) if path else "environment"
    if path is not None:
        try:
            with open(path, "rb") as fh:
                data = tomllib.load(fh)
        except FileNotFoundError:
            raise ConfigError([f"{path}: file not found"]) from None
        except tomllib.TOMLDecodeError as err:
            raise ConfigError([f"{path}: not valid TOML: {err}"]) from None
        except OSError as err:
            raise ConfigError([f"{path}: cannot read: {err.strerror}"]) from None
    try:
        return Settings(**data)
    except ValidationError as err:
        raise ConfigError([_describe(e, source) for e in err.errors()]) from None


def masked(settings: Settings) -> dict[str, Any]:
    """The effective settings as plain data, secrets replaced by '***' (or '' when unset)."""
    data = settings.model_dump(mode="json")
    data["bot"]["database_url"] = mask_url(settings.bot.database_url)
    for section in ("discord", "matrix"):
        for key in SECRET_KEYS:
            if key in data[section]:
                secret = getattr(getattr(settings, section), key)
                data[section][key] = "***" if secret.get_secret_value() else ""
    return data


def secrets_of(settings: Settings) -> list[str]:
    """Every secret value in the settings (for the log redactor)."""
    values = [getattr(getattr(settings, section), key).get_secret_value()
              for section in ("discord", "matrix") for key in SECRET_KEYS
              if hasattr(getattr(settings, section), key)]  # fmt: skip
    password = urlsplit(settings.bot.database_url).password or ""
    return [v for v in (*values, password, unquote(password)) if v]
