"""MLflow's model registry endpoints, onto the registry services.

MLflow's `version` is our per-model `number`; the SemVer string travels in the version's
`aliases` list and in the tag `modelreg.version`. A version the client creates gets the next
patch version unless it sets the tag `modelreg.version`. Stages are MLflow's words
("None", "Staging", "Production", "Archived").

registered_models.py holds the model endpoints (with tags and aliases), model_versions.py the
version endpoints; requests.py reads what they share and rendering.py writes MLflow's JSON.
"""

from modelreg.mlflow.app import Endpoint
from modelreg.mlflow.registry import model_versions, registered_models

ENDPOINTS: list[Endpoint] = [*registered_models.ENDPOINTS, *model_versions.ENDPOINTS]
