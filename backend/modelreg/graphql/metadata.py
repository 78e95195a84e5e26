"""What a version's files say (signature, dependencies, warnings) and the SemVer guard's verdict."""

from __future__ import annotations

from typing import Self

import strawberry

from modelreg.domain import compatibility as compat
from modelreg.domain import model_metadata as meta
from modelreg.domain.versions import Bump
from modelreg.services.compatibility import GuardedCompatibility

strawberry.enum(Bump, description="Which part of a semantic version to increase.")
strawberry.enum(
    compat.SemverGuard,
    description="What the SemVer guard does with a version numbered lower than its signature "
    "changes require. OFF: nothing. WARN: the version shows a warning. ENFORCE: such a version is "
    "refused, and a prerelease may not go to Production.",
)
strawberry.enum(meta.WarningCode, name="MetadataWarningCode")
strawberry.enum(meta.DependencySource, description="The file that lists a dependency.")
strawberry.enum(compat.ChangeKind, name="SignatureChangeKind")
strawberry.enum(
    compat.Verdict,
    name="CompatibilityVerdict",
    description="OK: the number declares at least the bump the changes require. TOO_SMALL: it "
    "declares less. FIRST_RELEASE: there is no earlier release. UNKNOWN: this version or the "
    "previous release has no signature.",
)


@strawberry.type(name="MetadataWarning", description="Something a reviewer should look at.")
class MetadataWarningType:
    code: meta.WarningCode
    file: str | None = strawberry.field(description="The version-relative path concerned.")
    message: str

    @classmethod
    def from_domain(cls, found: meta.MetadataWarning) -> Self:
        return cls(code=found.code, file=found.file, message=found.message)


@strawberry.type(description="One input or output of a signature: a column or a tensor.")
class SignatureColumn:
    name: str | None = strawberry.field(description="Null for unnamed tensors and columns.")
    type: str
    shape: list[int] | None
    optional: bool

    @classmethod
    def from_domain(cls, column: meta.Column) -> Self:
        return cls(
            name=column.name,
            type=column.type,
            shape=list(column.shape) if column.shape is not None else None,
            optional=column.optional,
        )


def column_or_none(column: meta.Column | None) -> SignatureColumn | None:
    return SignatureColumn.from_domain(column) if column is not None else None


@strawberry.type(name="SignatureParam", description="An inference parameter of the signature.")
class SignatureParamType:
    name: str
    type: str
    default: str | None = strawberry.field(description="The default, as JSON text.")
    shape: list[int] | None

    @classmethod
    def from_domain(cls, param: meta.SignatureParam) -> Self:
        return cls(
            name=param.name,
            type=param.type,
            default=param.default,
            shape=list(param.shape) if param.shape is not None else None,
        )


@strawberry.type(description="The MLmodel's signature: what the model takes and gives.")
class ModelSignature:
    inputs: list[SignatureColumn]
    outputs: list[SignatureColumn]
    params: list[SignatureParamType]

    @classmethod
    def from_domain(cls, signature: meta.Signature) -> Self:
        return cls(
            inputs=[SignatureColumn.from_domain(c) for c in signature.inputs],
            outputs=[SignatureColumn.from_domain(c) for c in signature.outputs],
            params=[SignatureParamType.from_domain(p) for p in signature.params],
        )


@strawberry.type(name="Dependency", description="A package the model needs.")
class DependencyType:
    name: str = strawberry.field(description="Normalised name (PEP 503).")
    requirement: str = strawberry.field(description="As written in the first file listing it.")
    specifier: str = strawberry.field(description="The version specifier alone; '' when none.")
    version: str | None = strawberry.field(description="The exact version when pinned.")
    pinned: bool
    sources: list[meta.DependencySource]

    @classmethod
    def from_domain(cls, found: meta.Dependency) -> Self:
        return cls(
            name=found.name,
            requirement=found.requirement,
            specifier=found.specifier,
            version=found.version,
            pinned=found.pinned,
            sources=list(found.sources),
        )


@strawberry.type
class KeyValue:
    key: str
    value: str


@strawberry.type(
    description="The MLmodel's environment and the dependency files next to it "
    "(requirements.txt, conda.yaml, python_env.yaml)."
)
class ModelDependencies:
    root: str = strawberry.field(description="Directory of the MLmodel; '' for the root.")
    mlmodel_path: str | None
    flavors: list[str]
    python_version: str | None
    mlflow_version: str | None
    runtime: list[KeyValue] = strawberry.field(
        description="Other top-level MLmodel fields (model_uuid, databricks_runtime, ...)."
    )
    conda_channels: list[str]
    packages: list[DependencyType]
    files: list[str] = strawberry.field(description="The dependency files found.")
    warnings: list[MetadataWarningType]

    @classmethod
    def from_domain(cls, found: meta.ModelMetadata) -> Self:
        return cls(
            root=found.root,
            mlmodel_path=found.mlmodel_path,
            flavors=list(found.flavors),
            python_version=found.python_version,
            mlflow_version=found.mlflow_version,
            runtime=[KeyValue(key=k, value=v) for k, v in found.runtime],
            conda_channels=list(found.conda_channels),
            packages=[DependencyType.from_domain(d) for d in found.dependencies],
            files=list(found.dependency_files),
            warnings=[MetadataWarningType.from_domain(w) for w in found.warnings],
        )


@strawberry.type(name="SignatureChange", description="A change of the signature and its bump.")
class SignatureChangeType:
    kind: compat.ChangeKind
    column: str = strawberry.field(description="The column's name, or '#<position>'.")
    before: SignatureColumn | None
    after: SignatureColumn | None
    bump: Bump = strawberry.field(description="The bump this change requires.")
    message: str

    @classmethod
    def from_domain(cls, change: compat.SignatureChange) -> Self:
        return cls(
            kind=change.kind,
            column=change.column,
            before=column_or_none(change.before),
            after=column_or_none(change.after),
            bump=change.bump,
            message=change.message,
        )


@strawberry.type(
    name="Compatibility",
    description="The SemVer guard's verdict: the bump the version's number declares against the "
    "previous release, and the bump its signature changes require.",
)
class CompatibilityType:
    version: str
    previous_version: str | None = strawberry.field(
        description="The previous release (not a prerelease) by SemVer precedence."
    )
    declared_bump: Bump | None
    required_bump: Bump | None
    verdict: compat.Verdict
    reasons: list[SignatureChangeType]
    suggested_version: str | None = strawberry.field(
        description="The smallest version with the required bump over the previous release."
    )
    guard: compat.SemverGuard = strawberry.field(description="The project's setting.")
    warning: str | None = strawberry.field(
        description="The sentence to show (a warning under WARN, the refusal under ENFORCE); "
        "null when the verdict is OK or FIRST_RELEASE, or the guard is OFF."
    )
    is_prerelease: bool = strawberry.field(
        description="A prerelease is not for Production; under ENFORCE it may not go there."
    )

    @classmethod
    def from_service(cls, found: GuardedCompatibility) -> Self:
        c = found.compatibility
        return cls(
            version=c.version,
            previous_version=c.previous_version,
            declared_bump=c.declared_bump,
            required_bump=c.required_bump,
            verdict=c.verdict,
            reasons=[SignatureChangeType.from_domain(r) for r in c.reasons],
            suggested_version=c.suggested_version,
            guard=found.guard,
            warning=found.warning,
            is_prerelease=found.is_prerelease,
        )
