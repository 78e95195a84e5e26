from modelreg.graphql.mutations.accounts import AccountMutations
from modelreg.graphql.mutations.lifecycle import LifecycleMutations
from modelreg.graphql.mutations.models import ModelMutations
from modelreg.graphql.mutations.projects import ProjectMutations
from modelreg.graphql.mutations.versions import FileMutations, VersionMutations

__all__ = [
    "AccountMutations",
    "FileMutations",
    "LifecycleMutations",
    "ModelMutations",
    "ProjectMutations",
    "VersionMutations",
]
