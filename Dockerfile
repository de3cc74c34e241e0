# Quellen API image (draft; the deployment issue adds compose, metrics and the smoke test).
ARG BASE_IMAGE=python:3.11-slim

FROM ${BASE_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
RUN python3 -m venv /opt/venv
COPY pyproject.toml README.md ./
COPY api ./api
RUN /opt/venv/bin/pip install .

FROM ${BASE_IMAGE}
ENV PATH=/opt/venv/bin:$PATH PYTHONUNBUFFERED=1 \
    QUELLEN_HOST=0.0.0.0 QUELLEN_PORT=8000 QUELLEN_LOAD_SEED=0
RUN useradd --system --create-home --uid 10001 quellen
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY alembic.ini ./
COPY alembic ./alembic
COPY data ./data
COPY api ./api
USER quellen
EXPOSE 8000
CMD ["quellen", "serve"]
