"""All core services, wired from one context."""

from __future__ import annotations

from bot.core.activity import ActivityCounter
from bot.core.checkins import CheckInService
from bot.core.cohorts import CohortService
from bot.core.community import CommunityService
from bot.core.context import Context
from bot.core.goals import GoalService
from bot.core.groups import GroupService
from bot.core.lifecycle import Lifecycle
from bot.core.moderation import ModerationService
from bot.core.officehours import OfficeHoursService
from bot.core.outbox import Postman
from bot.core.pairs import PairService
from bot.core.privacy import PrivacyService
from bot.core.profiles import ProfileService
from bot.core.recognition import RecognitionService
from bot.core.reports import ReportService
from bot.core.requests import RequestService
from bot.core.safety import SafetyService
from bot.core.tandem import TandemService


class Services:
    """The core as front-ends see it."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.profiles = ProfileService(ctx)
        self.pairs = PairService(ctx)
        self.requests = RequestService(ctx, self.pairs)
        self.recognition = RecognitionService(ctx)
        self.community = CommunityService(ctx)
        self.reports = ReportService(ctx)
        self.privacy = PrivacyService(ctx)
        self.goals = GoalService(ctx, self.pairs)
        self.checkins = CheckInService(ctx, self.pairs)
        self.lifecycle = Lifecycle(ctx)
        self.safety = SafetyService(ctx, self.pairs)
        self.moderation = ModerationService(ctx, self.pairs)
        self.groups = GroupService(ctx)
        self.cohorts = CohortService(ctx)
        self.office_hours = OfficeHoursService(ctx)
        self.tandem = TandemService(ctx)
        self.postman = Postman(ctx)
        self.activity = ActivityCounter(ctx.db, ctx.clock)
