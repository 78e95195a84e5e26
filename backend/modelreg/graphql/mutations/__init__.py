from modelreg.graphql.mutations.models import ModelMutations
from modelreg.graphql.mutations.projects import ProjectMutations
from modelreg.graphql.mutations.versions import VersionMutations

__all__ = ["ModelMutations", "ProjectMutations", "VersionMutations"]
