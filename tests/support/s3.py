"""An S3 server for the test session: moto in server mode on loopback.

Server mode means real HTTP: the S3 backend runs its own aiobotocore client (signing, streaming,
multipart, error parsing) against it exactly as against AWS or MinIO, and no global mocking
is involved. Each test gets its own key prefix in one shared bucket.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import boto3
from moto.server import ThreadedMotoServer

from modelreg.storage.s3 import S3Storage

# Dummy credentials: moto accepts any, and nothing here can reach AWS.
ACCESS_KEY_ID = "modelreg-test-key"
SECRET_ACCESS_KEY = "modelreg-test-secret"
REGION = "us-east-1"


@dataclass
class MotoS3:
    server: ThreadedMotoServer
    endpoint_url: str
    bucket: str

    @classmethod
    def start(cls, bucket: str = "modelreg-test") -> MotoS3:
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        moto = cls(server=server, endpoint_url=f"http://{host}:{port}", bucket=bucket)
        try:
            client = boto3.client(
                "s3",
                region_name=REGION,
                endpoint_url=moto.endpoint_url,
                aws_access_key_id=ACCESS_KEY_ID,
                aws_secret_access_key=SECRET_ACCESS_KEY,
            )
            client.create_bucket(Bucket=bucket)
            client.close()
        except BaseException:
            server.stop()
            raise
        return moto

    def stop(self) -> None:
        self.server.stop()

    def storage(self, prefix: str | None = None, *, bucket: str | None = None) -> S3Storage:
        """A fresh S3Storage on this server, under a unique prefix unless one is given."""
        return S3Storage(
            bucket=bucket or self.bucket,
            prefix=prefix if prefix is not None else f"test-{uuid.uuid4().hex}",
            endpoint_url=self.endpoint_url,
            region=REGION,
            access_key_id=ACCESS_KEY_ID,
            secret_access_key=SECRET_ACCESS_KEY,
        )
