# Moatlab: one app replica (the Streamlit web process plus the training worker it starts).
#
#   docker build -t moatlab .
#   docker run -p 8501:8501 -v moatlab-data:/data -v moatlab-artifacts:/artifacts moatlab
#
# Sign-in secrets are never baked in: mount them, e.g. -v ./secrets.toml:/app/.streamlit/secrets.toml:ro
#
# Several replicas share one PostgreSQL (DATABASE_URL) and one artifact volume
# (MOATLAB_ARTIFACT_DIR): see deploy/compose.yaml and docs/deploy.md.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TF_CPP_MIN_LOG_LEVEL=2 \
    MOATLAB_HOME=/data \
    MOATLAB_ARTIFACT_DIR=/artifacts

WORKDIR /app
# --build-arg REQUIREMENTS=requirements-ray.txt adds Ray (MOATLAB_EXECUTOR=ray).
ARG REQUIREMENTS=requirements.txt
COPY requirements*.txt ./
RUN pip install --no-cache-dir -r "$REQUIREMENTS"

COPY . .
RUN useradd --create-home --uid 10001 moatlab \
    && mkdir -p /data/uploads /data/catalogs /data/logs /artifacts \
    && chown -R moatlab:moatlab /data /artifacts
USER moatlab

VOLUME ["/data", "/artifacts"]
EXPOSE 8501

# Liveness: Streamlit answers "ok" on /_stcore/health (the slim image has no curl).
# Readiness of the database and the artifact folder: `python -m store health` (docs/deploy.md).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).read().strip() != b'ok')"]

CMD ["streamlit", "run", "app.py", "--server.address", "0.0.0.0", "--server.port", "8501"]
