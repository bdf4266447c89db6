# One image for every process of the engine: the command line, Celery workers and beat,
# the outbox relay and the metrics exporter (docker-compose.yml picks the command).
FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY pyproject.toml README.md ./
COPY mqa_workflow ./mqa_workflow
COPY standards ./standards
RUN pip install --no-cache-dir . && useradd --create-home mqa \
    && mkdir -p /var/lib/mqa/audit-key /var/lib/mqa/audit-checkpoints \
    && chown -R mqa /var/lib/mqa && chmod 700 /var/lib/mqa/audit-key
USER mqa
ENTRYPOINT ["mqa"]
CMD ["--help"]
