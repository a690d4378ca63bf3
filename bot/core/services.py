"""All core services, wired from one context."""

from __future__ import annotations

from bot.core.activity import ActivityCounter
from bot.core.checkins import CheckInService
from bot.core.community import CommunityService
from bot.core.context import Context
from bot.core.goals import GoalService
from bot.core.greeting import GreetingService
from bot.core.groups.circles import CircleService
from bot.core.groups.cohorts import CohortService
from bot.core.groups.office_hours import OfficeHoursService
from bot.core.mentors import MentorService
from bot.core.moderation import ModerationService
from bot.core.outbox import Postman
from bot.core.pairs import PairService
from bot.core.ports import Platform
from bot.core.privacy import PrivacyService
from bot.core.profiles import ProfileService
from bot.core.recognition import RecognitionService
from bot.core.reports import ReportService
from bot.core.requests import RequestService
from bot.core.safety import SafetyService
from bot.core.tandem import TandemService


class Services:
    """The core as front-ends see it."""

    def attach(self, platform: Platform) -> None:
        """Let core reach a front-end (bot/app.py wires each one it starts)."""
        self.ctx.platforms[platform.name] = platform

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.profiles = ProfileService(ctx)
        self.mentors = MentorService(ctx)
        self.pairs = PairService(ctx)
        self.requests = RequestService(ctx, self.pairs)
        self.recognition = RecognitionService(ctx)
        self.community = CommunityService(ctx)
        self.greeting = GreetingService(ctx, self.community)
        self.reports = ReportService(ctx)
        self.privacy = PrivacyService(ctx)
        self.goals = GoalService(ctx, self.pairs)
        self.checkins = CheckInService(ctx, self.pairs)
        self.safety = SafetyService(ctx, self.pairs)
        self.moderation = ModerationService(ctx, self.pairs)
        self.circles = CircleService(ctx)
        self.cohorts = CohortService(ctx)
        self.office_hours = OfficeHoursService(ctx)
        self.tandem = TandemService(ctx)
        self.postman = Postman(ctx)
        self.activity = ActivityCounter(ctx.db, ctx.clock)
