FROM python:3.11-slim
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md requirements.lock ./
# the locked versions first (a layer of their own), then the project without re-resolving
RUN pip install --no-cache-dir -r requirements.lock
COPY core core
COPY connectors connectors
COPY adapters adapters
COPY tasks tasks
COPY webapp webapp
COPY bots bots
COPY migrations migrations
COPY oneclick oneclick
RUN pip install --no-cache-dir --no-deps .
ENV HOST=0.0.0.0 PORT=8000 DATA_DIR=/data MEDIA_DIR=/data/media
VOLUME /data
EXPOSE 8000
CMD ["oneclick", "web"]
