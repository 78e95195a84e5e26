"""Create modelreg's S3 bucket if it is missing (deploy/compose.yaml runs it once before modelreg).

Reads the settings modelreg itself uses: MODELREG_S3_BUCKET, MODELREG_S3_ENDPOINT_URL,
MODELREG_S3_REGION, MODELREG_S3_ACCESS_KEY_ID and MODELREG_S3_SECRET_ACCESS_KEY. Waits up to a
minute for the store to answer. Exit status 0 when the bucket exists (made now or before).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping
from typing import Any

import botocore.session
from botocore.exceptions import ClientError, EndpointConnectionError


def client(env: Mapping[str, str]) -> Any:
    session = botocore.session.get_session()
    return session.create_client(
        "s3",
        endpoint_url=env.get("MODELREG_S3_ENDPOINT_URL") or None,
        region_name=env.get("MODELREG_S3_REGION") or "us-east-1",
        aws_access_key_id=env.get("MODELREG_S3_ACCESS_KEY_ID") or None,
        aws_secret_access_key=env.get("MODELREG_S3_SECRET_ACCESS_KEY") or None,
    )


def ensure_bucket(s3: Any, bucket: str, region: str = "us-east-1") -> bool:
    """Create `bucket` unless it exists; True if it was created now."""
    try:
        s3.head_bucket(Bucket=bucket)
        return False
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") not in ("404", "NoSuchBucket"):
            raise
    options: dict[str, Any] = {}
    if region != "us-east-1":
        options["CreateBucketConfiguration"] = {"LocationConstraint": region}
    try:
        s3.create_bucket(Bucket=bucket, **options)
    except ClientError as exc:  # made by someone else in between
        if exc.response.get("Error", {}).get("Code") != "BucketAlreadyOwnedByYou":
            raise
        return False
    return True


def main(env: Mapping[str, str] = os.environ, wait_seconds: float = 60) -> int:
    bucket = env.get("MODELREG_S3_BUCKET", "")
    if not bucket:
        print("create_bucket: MODELREG_S3_BUCKET is not set", file=sys.stderr)
        return 2
    s3, deadline = client(env), time.monotonic() + wait_seconds
    while True:
        try:
            created = ensure_bucket(s3, bucket, env.get("MODELREG_S3_REGION") or "us-east-1")
            break
        except EndpointConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)
    print(f"create_bucket: bucket {bucket!r} {'created' if created else 'already exists'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
