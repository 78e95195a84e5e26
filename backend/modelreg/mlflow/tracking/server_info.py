"""MLflow 3's server-info endpoint: what this server offers for moving artifacts."""

from __future__ import annotations

from typing import Any

from modelreg.mlflow.app import Endpoint
from modelreg.mlflow.protocol import MlflowContext, Params


async def server_info(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    """What the client asks before it moves artifacts: no multipart or presigned URLs, so it
    uses plain PUT and GET through the proxy (which streams both ways)."""
    return {
        "store_type": None,
        "workspaces_enabled": False,
        "trace_archival_enabled": False,
        "multipart_uploads_enabled": False,
        "multipart_downloads_enabled": False,
        "presigned_upload_run_id_supported": False,
        "presigned_upload_model_id_supported": False,
        "features_enabled": {"gateway": False},
    }


ENDPOINTS: list[Endpoint] = [
    Endpoint("GET", "api/3.0/mlflow/server-info", server_info),
]
