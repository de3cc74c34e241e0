# Quellen API image.
#
#   docker build -t quellen .            # or: podman build --format docker -t quellen .
#   docker compose up                    # with PostgreSQL 16, see compose.yaml
#
# BASE_IMAGE is any Debian-like image with python3 (3.11 or newer) and its venv module: the
# official slim Python image by default, or a locally bootstrapped Debian where no registry
# is reachable (scripts/container-smoke does that). Python is always called as `python3`,
# which both provide (in /usr/local/bin and /usr/bin respectively).
ARG BASE_IMAGE=python:3.11-slim-bookworm

# --- build: a virtual environment with the dependencies and the `quellen` command --------
FROM ${BASE_IMAGE} AS build
# A CA bundle for pip, for networks that intercept TLS; used by the pip steps only and not
# part of the final image (e.g. --volume /etc/ssl/certs:/host-certs:ro
# --build-arg PIP_CERT=/host-certs/ca-certificates.crt).
ARG PIP_CERT=
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PIP_DEFAULT_TIMEOUT=120
# strip (binutils), for this stage only: see the step after the install
RUN apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends binutils \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
RUN python3 -m venv /opt/venv
# Dependencies first, in a layer of their own: they change far less often than the code.
# The exact packages of requirements.lock, each checked against its hash (`make lock`).
COPY pyproject.toml README.md requirements.lock ./
RUN /opt/venv/bin/pip install ${PIP_CERT:+--cert "$PIP_CERT"} --require-hashes \
    -r requirements.lock
# Wheels ship their compiled modules with symbols for debuggers (uvloop's is 13 MB, 1.6 MB
# without), Swagger UI its source maps, and some packages type stubs, Cython sources and C
# headers, for their developers: none of it runs, so none of it is kept (about 27 MB).
RUN find /opt/venv -name '*.so' -type f -exec strip --strip-unneeded {} + \
    && find /opt/venv -type f \( -name '*.map' -o -name '*.pyi' -o -name '*.pyx' \
        -o -name '*.pxd' -o -name '*.h' \) -delete
# The code stays in /app, where the migrations, alembic.ini and data/ sit beside it (the
# settings find them relative to the package); an editable install gives the venv the
# `quellen` command and puts /app on its path.
COPY api ./api
# pip and setuptools have done their work: the server never installs anything, so they stay
# out of the final image (about 20 MB).
RUN /opt/venv/bin/pip install ${PIP_CERT:+--cert "$PIP_CERT"} --no-deps -e . \
    && rm -rf /app/build \
    && /opt/venv/bin/python -m pip uninstall --yes --quiet pip setuptools

# --- final: the base image, the venv and the code; no compiler, no pip cache, no root ---
FROM ${BASE_IMAGE}
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    QUELLEN_HOST=0.0.0.0 \
    QUELLEN_PORT=8000 \
    QUELLEN_WORKERS=2 \
    QUELLEN_LOAD_SEED=0 \
    QUELLEN_LOG_FORMAT=json \
    QUELLEN_DATA_DIR=/app/data
RUN groupadd --system --gid 10001 quellen \
    && useradd --system --uid 10001 --gid quellen --home-dir /home/quellen --create-home \
       --shell /usr/sbin/nologin quellen
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY alembic.ini ./
COPY alembic ./alembic
COPY data ./data
COPY api ./api
# Bytecode compiled now, as root: the code is read-only to the server at run time. Without
# a database URL the server keeps its SQLite file in /app/var: a volume the server's user
# owns, so `docker run quellen` works as it is and its data outlives the container.
RUN python3 -m compileall -q /app/api /app/alembic \
    && mkdir -p /app/var && chown 10001:10001 /app/var
VOLUME ["/app/var"]
USER 10001:10001
EXPOSE 8000
# Uvicorn stops on SIGTERM: it closes the listening socket, lets requests in flight finish
# (QUELLEN_SHUTDOWN_TIMEOUT seconds at most) and exits; give it longer than that to stop.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python3", "-c", "import os, urllib.request as r; r.urlopen('http://127.0.0.1:%s/health' % os.environ.get('QUELLEN_PORT', '8000'), timeout=4)"]
# `quellen serve`: `alembic upgrade head` under a PostgreSQL advisory lock (so replicas
# starting together migrate once), the seed corpus into an empty database when
# QUELLEN_LOAD_SEED=1, then uvicorn with QUELLEN_WORKERS workers. Other commands run the
# same way: `docker compose run --rm api migrate`, `... api check`.
ENTRYPOINT ["quellen"]
CMD ["serve"]
