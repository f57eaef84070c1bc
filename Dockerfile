# Payer Gateway: `payer-gateway serve` as a non-root user. Configure with PAYER_GATEWAY_* variables
# (database URL, cache URL, payers config path, and the required PAYER_GATEWAY_JWT_SECRET,
# PAYER_GATEWAY_PSEUDONYM_SECRET and PAYER_GATEWAY_DATA_KEYS) and the payer credential variables the
# payers config names.
# Apply migrations once per release with `payer-gateway migrate` (same image, same environment).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY gateway ./gateway
COPY payers ./payers
RUN pip install . && useradd --create-home --uid 10001 gateway
USER gateway
ENV PAYER_GATEWAY_PAYERS_CONFIG=/etc/payer-gateway/payers.toml
EXPOSE 8000
CMD ["payer-gateway", "serve", "--host", "0.0.0.0", "--port", "8000"]
