# One image for every process of the engine: the command line, Celery workers and beat,
# the outbox relay and the metrics exporter (docker-compose.yml picks the command).
FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
# WeasyPrint lays out the feedback report's PDF with Pango; the CJK font is embedded in it.
RUN apt-get update && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 fonts-wqy-zenhei \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
COPY mqa_workflow ./mqa_workflow
COPY standards ./standards
COPY notifications ./notifications
RUN pip install --no-cache-dir . && useradd --create-home mqa \
    && mkdir -p /var/lib/mqa/audit-key /var/lib/mqa/audit-checkpoints /var/lib/mqa/beat \
    && chown -R mqa /var/lib/mqa && chmod 700 /var/lib/mqa/audit-key
USER mqa
ENTRYPOINT ["mqa"]
CMD ["--help"]
