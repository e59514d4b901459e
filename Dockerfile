FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 OMP_NUM_THREADS=1 TOKENIZERS_PARALLELISM=false
WORKDIR /app

# torch first, from the CPU index, so transformers does not pull a CUDA build.
RUN pip install --index-url https://download.pytorch.org/whl/cpu "torch==2.13.0"
COPY pyproject.toml README.md ./
COPY reviewqueue ./reviewqueue
COPY scoring ./scoring
RUN pip install .
COPY manage.py gunicorn.conf.py ./
COPY templates ./templates
COPY static ./static

RUN useradd --create-home --uid 1000 app && mkdir -p /app/var && chown -R app /app/var
USER app
# collectstatic needs settings but no database; the key is a build-time placeholder only.
RUN DATABASE_URL=sqlite:////tmp/build.sqlite3 SECRET_KEY=build-only-placeholder-key-0123456789abcdef \
    python manage.py collectstatic --noinput -v0

EXPOSE 8000
# Workers, threads and keep-alive come from gunicorn.conf.py (WEB_CONCURRENCY, GUNICORN_THREADS).
CMD ["gunicorn"]
