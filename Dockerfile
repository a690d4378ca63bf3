# syntax=docker/dockerfile:1
# mentorbot image: `docker build -t mentorbot .`
#   --build-arg EXTRAS=charts      adds the PNG chart of the report (matplotlib, about +170 MB)
#   --build-arg EXTRAS=charts,e2e  also encrypted Matrix rooms
# Everything the bot keeps lives in the volume /data, which is also the working directory, so
# the default relative paths land there: the SQLite database (database_url =
# "sqlite:///mentorbot.db", unless it points to PostgreSQL) and the Matrix store
# (store_path = "matrix-store").
# The config is read from /data/mentorbot.toml; secrets are best passed as environment
# variables (MENTORBOT_DISCORD__TOKEN, MENTORBOT_MATRIX__ACCESS_TOKEN, ...).

ARG PYTHON_IMAGE=python:3.11-slim

# --- stage 1: build the wheel of mentorbot and of every dependency -----------------------
FROM ${PYTHON_IMAGE} AS build
ARG EXTRAS=""
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY bot ./bot
COPY cogs ./cogs
COPY storage ./storage
RUN pip wheel --no-deps --wheel-dir /wheels . \
 && pip wheel --wheel-dir /wheels "$(ls /wheels/mentorbot-*.whl)${EXTRAS:+[$EXTRAS]}"

# --- stage 2: the runtime, installed from those wheels only ------------------------------
FROM ${PYTHON_IMAGE}
ARG EXTRAS=""
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 \
    PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-index --find-links /wheels "mentorbot${EXTRAS:+[$EXTRAS]}" \
 && useradd --system --uid 10001 --user-group --home-dir /data --no-create-home mentorbot \
 && mkdir -p /data \
 && chown mentorbot:mentorbot /data
USER mentorbot
WORKDIR /data
VOLUME ["/data"]
# Validates the config (a bad file exits 2). `mentorbot doctor` / GET /healthz will replace it.
HEALTHCHECK --interval=60s --timeout=15s --start-period=30s --retries=3 \
    CMD mentorbot check-config --config /data/mentorbot.toml > /dev/null || exit 1
ENTRYPOINT ["mentorbot"]
CMD ["run", "--config", "/data/mentorbot.toml"]
