#!/bin/sh
# One-shot MinIO setup for the media app (what the seed's setup job does):
# the buckets, an S3 user for eventyard with the readwrite policy, and the
# rule that sends the `images` bucket's object-created events to the NATS
# target MinIO was started with (MINIO_NOTIFY_NATS_*_PRIMARY, hence the ARN
# arn:minio:sqs::PRIMARY:nats). Idempotent: run it again at every deploy.
# Needs MINIO_URL, MINIO_ROOT_USER, MINIO_ROOT_PASSWORD, and S3_ACCESS_KEY
# and S3_SECRET_KEY (the user eventyard connects as) in the environment.
set -eu

: "${MINIO_URL:?}" "${MINIO_ROOT_USER:?}" "${MINIO_ROOT_PASSWORD:?}"
: "${S3_ACCESS_KEY:?}" "${S3_SECRET_KEY:?}"

# MinIO may still be starting (Kubernetes starts this Job with it).
tries=0
until mc alias set eventyard "$MINIO_URL" "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" >/dev/null 2>&1; do
  tries=$((tries + 1))
  if [ "$tries" -ge 60 ]; then
    echo "minio-setup: MinIO at $MINIO_URL did not answer within 2 minutes" >&2
    exit 1
  fi
  sleep 2
done

mc mb --ignore-existing eventyard/images
mc mb --ignore-existing eventyard/thumbnails

mc admin user add eventyard "$S3_ACCESS_KEY" "$S3_SECRET_KEY"
mc admin policy attach eventyard readwrite --user "$S3_ACCESS_KEY" ||
  echo "minio-setup: readwrite already attached to $S3_ACCESS_KEY"

# `put` is s3:ObjectCreated:* (PutObject, CopyObject, multipart completes):
# the indexer's input, in MinIO's own notification format.
mc event add --ignore-existing --event put eventyard/images arn:minio:sqs::PRIMARY:nats
mc event ls eventyard/images
echo "minio-setup: done"
