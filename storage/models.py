"""SQLModel tables: everything mentorbot stores, scoped by community."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index, UniqueConstraint, text, true
from sqlmodel import Field, SQLModel


def _ts(*, nullable: bool = True, index: bool = False) -> Any:
    """A timezone-aware timestamp column (stored as UTC)."""
    return Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=nullable, index=index)
    )


def _json_list() -> Any:
    return Field(default_factory=list, sa_column=Column(JSON, nullable=False))


def _json_dict() -> Any:
    return Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Community(SQLModel, table=True):
    """A Discord guild, a Matrix room or the console: the unit everything is scoped by."""

    __tablename__ = "communities"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    external_id: str = Field(max_length=255)
    name: str = Field(default="", max_length=255)
    locale: str = Field(default="en", max_length=8)
    settings: dict[str, Any] = _json_dict()
    created_at: datetime | None = _ts()


class Member(SQLModel, table=True):
    """A person in one community (platform user id + profile + consent)."""

    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("community_id", "platform_user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="communities.id", index=True)
    platform_user_id: str = Field(max_length=255)
    display_name: str = Field(default="", max_length=255)
    locale: str | None = Field(default=None, max_length=8)
    timezone: str | None = Field(default=None, max_length=64)
    languages: list[str] = _json_list()
    interests: list[str] = _json_list()
    goals: str = Field(default="", max_length=1000)
    bio: str = Field(default="", max_length=1000)
    is_bot: bool = False
    consent_at: datetime | None = _ts()
    consent_withdrawn_at: datetime | None = _ts()
    joined_at: datetime | None = _ts(index=True)
    left_at: datetime | None = _ts()


class MentorProfile(SQLModel, table=True):
    """A member's offer to mentor: skills, languages, capacity, availability."""

    __tablename__ = "mentor_profiles"
    __table_args__ = (
        Index("ix_mentor_pool", "community_id", "status", "approved", "active_mentees"),
    )

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="communities.id")
    member_id: int = Field(foreign_key="members.id", unique=True)
    skills: list[str] = _json_list()
    languages: list[str] = _json_list()
    timezone: str | None = Field(default=None, max_length=64)
    capacity: int = 3
    active_mentees: int = 0
    total_mentees: int = 0
    status: str = Field(default="available", max_length=16)  # available | paused
    paused_until: datetime | None = _ts()
    approved: bool = True
    offers_accepted: int = 0
    offers_declined: int = 0
    offers_timed_out: int = 0
    consecutive_timeouts: int = 0
    last_matched_at: datetime | None = _ts()
    digest_opt_out: bool = False
    created_at: datetime | None = _ts()


OPEN_REQUEST_STATES = ("open", "offered", "waitlisted")


class MentorRequest(SQLModel, table=True):
    """A newcomer's request for a mentor; at most one open per member."""

    __tablename__ = "mentor_requests"
    __table_args__ = (
        Index(
            "uq_one_open_request",
            "mentee_id",
            unique=True,
            sqlite_where=text("status IN ('open', 'offered', 'waitlisted')"),
            postgresql_where=text("status IN ('open', 'offered', 'waitlisted')"),
        ),
        Index("ix_requests_community_status", "community_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="communities.id")
    mentee_id: int = Field(foreign_key="members.id", index=True)
    kind: str = Field(default="mentoring", max_length=16)
    topic: str = Field(default="", max_length=200)
    note: str = Field(default="", max_length=1000)
    status: str = Field(default="open", max_length=16)
    suggested_mentor_ids: list[int] = _json_list()
    attempts: int = 0
    created_at: datetime | None = _ts()
    updated_at: datetime | None = _ts()
    accepted_at: datetime | None = _ts()


class RequestOffer(SQLModel, table=True):
    """One offer of a request to one mentor, with its answer."""

    __tablename__ = "request_offers"
    __table_args__ = (Index("ix_offers_pending_due", "status", "expires_at"),)

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="mentor_requests.id", index=True)
    mentor_id: int = Field(foreign_key="mentor_profiles.id", index=True)
    status: str = Field(default="pending", max_length=16)  # pending|accepted|declined|timed_out
    reasons: str = Field(default="", max_length=500)
    offered_at: datetime | None = _ts()
    expires_at: datetime | None = _ts()
    answered_at: datetime | None = _ts()
    message_ref: str | None = Field(default=None, max_length=255)


class Pair(SQLModel, table=True):
    """A mentoring, buddy or tandem pair with its private space."""

    __tablename__ = "pairs"
    __table_args__ = (Index("ix_pairs_community_status", "community_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="communities.id")
    kind: str = Field(default="mentoring", max_length=16)  # mentoring | buddy | tandem
    mentor_id: int | None = Field(default=None, foreign_key="mentor_profiles.id", index=True)
    mentor_member_id: int = Field(foreign_key="members.id", index=True)
    mentee_id: int = Field(foreign_key="members.id", index=True)
    request_id: int | None = Field(default=None, foreign_key="mentor_requests.id")
    status: str = Field(default="active", max_length=16)  # active | completed | ended
    space_ref: str | None = Field(default=None, max_length=255)
    started_at: datetime | None = _ts()
    ends_at: datetime | None = _ts()
    ended_at: datetime | None = _ts()
    ended_by: int | None = Field(default=None, foreign_key="members.id")
    extended: bool = False
    next_checkin_at: datetime | None = _ts(index=True)
    unanswered_checkins: int = 0
    wrapped_up_at: datetime | None = _ts()
    mentee_ack_at: datetime | None = _ts()
    mentor_ack_at: datetime | None = _ts()


class CheckIn(SQLModel, table=True):
    """A scheduled check-in in a pair space; claimed before it is sent."""

    __tablename__ = "checkins"
    __table_args__ = (UniqueConstraint("pair_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    pair_id: int = Field(foreign_key="pairs.id", index=True)
    seq: int = 1
    due_at: datetime | None = _ts(index=True)
    claimed_at: datetime | None = _ts()
    claimed_by: str | None = Field(default=None, max_length=64)
    sent_at: datetime | None = _ts()
    answer: str | None = Field(default=None, max_length=16)  # well | help | wrap_up
    answered_by: int | None = Field(default=None, foreign_key="members.id")
    answered_at: datetime | None = _ts()


class Feedback(SQLModel, table=True):
    """A partner's rating (1-5) and comment at the end of a pair or group."""

    __tablename__ = "feedback"

    id: int | None = Field(default=None, primary_key=True)
    pair_id: int | None = Field(default=None, foreign_key="pairs.id", index=True)
    group_id: int | None = Field(default=None, foreign_key="groups.id")
    member_id: int = Field(foreign_key="members.id", index=True)
    rating: int
    comment: str = Field(default="", max_length=1000)
    created_at: datetime | None = _ts()


class Kudos(SQLModel, table=True):
    """A public thank-you from one member to another."""

    __tablename__ = "kudos"

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="communities.id", index=True)
    from_member_id: int = Field(foreign_key="members.id")
    to_member_id: int = Field(foreign_key="members.id", index=True)
    message: str = Field(default="", max_length=1000)
    # False for a repeat from the same thanker to the same member within the cooldown:
    # still posted, but not counted.
    counted: bool = Field(default=True, sa_column_kwargs={"server_default": true()})
    created_at: datetime | None = _ts()


class Badge(SQLModel, table=True):
    """A milestone badge, announced once."""

    __tablename__ = "badges"
    __table_args__ = (UniqueConstraint("member_id", "badge"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="members.id", index=True)
    badge: str = Field(max_length=32)
    awarded_at: datetime | None = _ts()
    announced_at: datetime | None = _ts()


class Goal(SQLModel, table=True):
    """A goal of a pair or tandem; milestones are goals with a parent."""

    __tablename__ = "goals"

    id: int | None = Field(default=None, primary_key=True)
    pair_id: int | None = Field(default=None, foreign_key="pairs.id", index=True)
    parent_id: int | None = Field(default=None, foreign_key="goals.id")
    created_by: int | None = Field(default=None, foreign_key="members.id")
    title: str = Field(max_length=200)
    done: bool = False
    created_at: datetime | None = _ts()
    completed_at: datetime | None = _ts()


class Group(SQLModel, table=True):
    """A cohort, topic circle or office-hours series."""

    __tablename__ = "groups"

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="communities.id", index=True)
    kind: str = Field(max_length=16)  # cohort | circle | office_hours
    name: str = Field(max_length=100)
    topic: str = Field(default="", max_length=200)
    owner_id: int | None = Field(default=None, foreign_key="members.id")
    capacity: int | None = None
    space_ref: str | None = Field(default=None, max_length=255)
    starts_at: datetime | None = _ts()
    ends_at: datetime | None = _ts()
    weekday: int | None = None
    local_time: str | None = Field(default=None, max_length=5)
    timezone: str | None = Field(default=None, max_length=64)
    duration_minutes: int | None = None
    status: str = Field(default="open", max_length=16)  # open | running | closed | cancelled
    member_count: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    next_at: datetime | None = _ts(index=True)  # next cohort check-in or office-hours session
    created_at: datetime | None = _ts()


class GroupMember(SQLModel, table=True):
    """Membership (or RSVP) of a member in a group."""

    __tablename__ = "group_members"

    group_id: int = Field(foreign_key="groups.id", primary_key=True)
    member_id: int = Field(foreign_key="members.id", primary_key=True, index=True)
    role: str = Field(default="member", max_length=16)  # member | leader | rsvp
    joined_at: datetime | None = _ts()


class Rsvp(SQLModel, table=True):
    """A member's RSVP to one office-hours session (by its local date)."""

    __tablename__ = "rsvps"

    group_id: int = Field(foreign_key="groups.id", primary_key=True)
    member_id: int = Field(foreign_key="members.id", primary_key=True, index=True)
    occurs_on: date = Field(primary_key=True)
    created_at: datetime | None = _ts()


class TandemProfile(SQLModel, table=True):
    """What a member offers and seeks for mutual mentoring."""

    __tablename__ = "tandem_profiles"
    __table_args__ = (Index("ix_tandem_pool", "community_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="communities.id")
    member_id: int = Field(foreign_key="members.id", unique=True)
    offers: list[str] = _json_list()
    seeks: list[str] = _json_list()
    status: str = Field(default="seeking", max_length=16)  # seeking | introduced | paired | off
    updated_at: datetime | None = _ts()


class TandemIntro(SQLModel, table=True):
    """A non-binding introduction of two tandem partners; both must confirm."""

    __tablename__ = "tandem_intros"
    __table_args__ = (Index("ix_tandem_intros_due", "status", "expires_at"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="communities.id", index=True)
    first_id: int = Field(foreign_key="members.id", index=True)
    second_id: int = Field(foreign_key="members.id", index=True)
    status: str = Field(default="proposed", max_length=16)  # proposed|started|declined|expired
    first_confirmed_at: datetime | None = _ts()
    second_confirmed_at: datetime | None = _ts()
    created_at: datetime | None = _ts()
    expires_at: datetime | None = _ts()
    answered_at: datetime | None = _ts()
    pair_id: int | None = Field(default=None, foreign_key="pairs.id")


class Activity(SQLModel, table=True):
    """Messages per member per day, for retention figures. Never message content."""

    __tablename__ = "activity"
    __table_args__ = (Index("ix_activity_community_day", "community_id", "day"),)

    member_id: int = Field(foreign_key="members.id", primary_key=True)
    day: date = Field(primary_key=True)
    community_id: int = Field(foreign_key="communities.id")
    messages: int = 0


class AuditLog(SQLModel, table=True):
    """Moderator actions, for accountability."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="communities.id", index=True)
    actor_id: int | None = Field(default=None, foreign_key="members.id")
    action: str = Field(max_length=64)
    target: str = Field(default="", max_length=255)
    created_at: datetime | None = _ts()


class Outbox(SQLModel, table=True):
    """Scheduled messages, delivered exactly once: claimed with a lease, sent with `key` as
    the platform's idempotency key, then marked sent."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index(
            "ix_outbox_pending",
            "due_at",
            sqlite_where=text("sent_at IS NULL"),
            postgresql_where=text("sent_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=120, unique=True)
    community_id: int = Field(foreign_key="communities.id", index=True)
    # The member the row is for (a DM's addressee, a badge's holder): how deletion finds it.
    recipient_member_id: int | None = Field(default=None, foreign_key="members.id", index=True)
    # The group whose name and topic the message shows, read from the group at delivery.
    group_id: int | None = Field(default=None, foreign_key="groups.id")
    kind: str = Field(max_length=16)  # checkin | nudge | wrap_up | graduate | badge | digest
    target_kind: str = Field(max_length=8)  # member | space | channel
    target: str = Field(max_length=255)  # member id | space ref | channel role
    template: str = Field(max_length=64)
    params: dict[str, Any] = _json_dict()
    mentions: dict[str, Any] = _json_dict()  # template parameter -> user id(s)
    buttons: list[list[str]] = _json_list()  # [label key, action, style]
    due_at: datetime | None = _ts()
    claimed_at: datetime | None = _ts()
    claimed_by: str | None = Field(default=None, max_length=64)
    sent_at: datetime | None = _ts()
    attempts: int = 0
