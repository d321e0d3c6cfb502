# omnidesk: one image for every role (web, worker, beat); docker-compose.yml picks the command.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    OMNIDESK_VAR_DIR=/data \
    STATIC_ROOT=/app/staticfiles

WORKDIR /app

# Dependencies first, so a code change does not reinstall them: the run lock (pinned,
# with hashes; the project runs from /app).
COPY requirements/run.txt requirements/run.txt
RUN pip install --require-hashes -r requirements/run.txt

COPY . .
# Static files are baked into the image and served by WhiteNoise. A throw-away var folder:
# the secrets each install generates on its first start must not be baked in.
RUN OMNIDESK_VAR_DIR=/tmp/build-var python manage.py collectstatic --noinput -v 0 \
    && rm -rf /tmp/build-var \
    && useradd --system --home-dir /app --uid 10001 omnidesk \
    && mkdir -p /data \
    && chown omnidesk /data

USER omnidesk
EXPOSE 8000
# The web role; worker and beat override the command (see docker-compose.yml).
CMD ["uvicorn", "omnidesk.asgi:application", "--host", "0.0.0.0", "--port", "8000", \
     "--lifespan", "on", "--proxy-headers", "--ws-per-message-deflate", "false"]
