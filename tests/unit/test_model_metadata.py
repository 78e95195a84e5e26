"""Unit tests for modelreg.domain.model_metadata: choosing and reading a version's MLmodel and
dependency files, the warnings, and the JSON round trip."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from modelreg.domain.model_metadata import (
    MAX_METADATA_FILE_BYTES,
    Column,
    Dependency,
    DependencySource,
    MetadataWarning,
    ModelMetadata,
    Signature,
    SignatureParam,
    WarningCode,
    metadata_paths,
    read_metadata,
)

WRITER = Path(__file__).parents[1] / "support" / "write_mlflow_model.py"

MLMODEL_TEXT = """\
artifact_path: model
databricks_runtime: 15.4.x-cpu-ml-scala2.12
flavors:
  python_function:
    env:
      conda: conda.yaml
      virtualenv: python_env.yaml
    loader_module: mlflow.sklearn
    model_path: model.pkl
    predict_fn: predict
    python_version: 3.11.9
  sklearn:
    code: null
    pickled_model: model.pkl
    serialization_format: cloudpickle
    sklearn_version: 1.5.2
mlflow_version: 2.17.0
model_size_bytes: 1234
model_uuid: 0f1e2d3c
run_id: null
saved_input_example_info:
  artifact_path: input_example.json
  type: dataframe
signature:
  inputs: '[{"type": "long", "name": "age", "required": true}, {"type": "string", "name":
    "city", "required": false}, {"type": "double", "name": "legacy"}]'
  outputs: '[{"type": "double", "name": "proba", "required": true}]'
  params: '[{"name": "alpha", "type": "double", "default": 0.5, "shape": null},
    {"name": "tags", "type": "string", "default": ["a", "b"], "shape": [-1]}]'
utc_time_created: '2024-10-01 12:00:00.000000'
"""

REQUIREMENTS_TEXT = """\
mlflow==2.17.0
scikit-learn==1.5.2
cloudpickle==3.0.0
"""

CONDA_TEXT = """\
channels:
- conda-forge
dependencies:
- python=3.11.9
- pip<=24.0
- pip:
  - mlflow==2.17.0
  - scikit-learn==1.5.2
  - cloudpickle==3.0.0
name: mlflow-env
"""

PYTHON_ENV_TEXT = """\
python: 3.11.9
build_dependencies:
- pip==24.0
- setuptools==70.0.0
- wheel
dependencies:
- -r requirements.txt
"""


def _files(root: str = "", **overrides: str | bytes | None) -> dict[str, bytes | None]:
    texts: dict[str, str | bytes | None] = {
        "MLmodel": MLMODEL_TEXT,
        "requirements.txt": REQUIREMENTS_TEXT,
        "conda.yaml": CONDA_TEXT,
        "python_env.yaml": PYTHON_ENV_TEXT,
    }
    for key, value in overrides.items():
        texts[key.replace("_txt", ".txt").replace("_yaml", ".yaml")] = value
    prefix = f"{root}/" if root else ""
    files: dict[str, bytes | None] = {}
    for name, value in texts.items():
        if value == "<missing>":
            continue
        files[prefix + name] = value.encode() if isinstance(value, str) else value
    return files


def _read(**overrides: str | bytes | None) -> ModelMetadata:
    metadata = read_metadata(_files(**overrides))
    assert metadata is not None
    return metadata


def _codes(metadata: ModelMetadata) -> list[WarningCode]:
    return [warning.code for warning in metadata.warnings]


def _only(metadata: ModelMetadata, code: WarningCode) -> list[MetadataWarning]:
    return [warning for warning in metadata.warnings if warning.code is code]


def _dep(metadata: ModelMetadata, name: str) -> Dependency:
    found = [dep for dep in metadata.dependencies if dep.name == name]
    assert len(found) == 1, (name, metadata.dependencies)
    return found[0]


def _mlmodel_with_signature(inputs: str, outputs: str = "null", params: str = "null") -> str:
    return (
        "flavors:\n  python_function:\n    python_version: 3.11.9\n"
        f"signature:\n  inputs: {json.dumps(inputs)}\n  outputs: {json.dumps(outputs)}\n"
        f"  params: {json.dumps(params)}\n"
    )


# --------------------------------------------------------------------------------------------
# metadata_paths


def test_paths_root_mlmodel_and_its_dependency_files() -> None:
    chosen = metadata_paths(
        [
            "MLmodel",
            "model.pkl",
            "requirements.txt",
            "conda.yaml",
            "python_env.yaml",
            "extra/requirements.txt",
        ]
    )
    assert chosen == {
        "MLmodel": "MLmodel",
        "requirements.txt": "requirements.txt",
        "conda.yaml": "conda.yaml",
        "python_env.yaml": "python_env.yaml",
    }


def test_paths_nested_mlmodel_reads_files_next_to_it_only() -> None:
    chosen = metadata_paths(
        [
            "model/MLmodel",
            "model/conda.yaml",
            "model/requirements.txt",
            "requirements.txt",
            "python_env.yaml",
        ]
    )
    assert chosen == {
        "MLmodel": "model/MLmodel",
        "conda.yaml": "model/conda.yaml",
        "requirements.txt": "model/requirements.txt",
    }


def test_paths_two_mlmodels_take_the_shallowest_then_path_order() -> None:
    assert metadata_paths(["a/b/MLmodel", "z/MLmodel", "b/MLmodel", "b/conda.yaml"]) == {
        "MLmodel": "b/MLmodel",
        "conda.yaml": "b/conda.yaml",
    }
    assert metadata_paths(["deep/er/MLmodel", "MLmodel"])["MLmodel"] == "MLmodel"


def test_paths_without_mlmodel_read_root_dependency_files() -> None:
    assert metadata_paths(["requirements.txt", "model/conda.yaml", "weights.bin"]) == {
        "requirements.txt": "requirements.txt"
    }
    assert metadata_paths(["weights.bin", "notes/MLmodel.txt", "xMLmodel"]) == {}
    assert metadata_paths([]) == {}


def test_nothing_to_read_gives_none() -> None:
    assert read_metadata({}) is None
    assert read_metadata({"weights.bin": b"\x00"}) is None


# --------------------------------------------------------------------------------------------
# MLmodel


def test_reads_flavors_versions_runtime_and_signature() -> None:
    metadata = _read()
    assert metadata.root == ""
    assert metadata.mlmodel_path == "MLmodel"
    assert metadata.flavors == ("python_function", "sklearn")
    assert metadata.python_version == "3.11.9"
    assert metadata.mlflow_version == "2.17.0"
    assert metadata.runtime == (
        ("artifact_path", "model"),
        ("databricks_runtime", "15.4.x-cpu-ml-scala2.12"),
        ("model_size_bytes", "1234"),
        ("model_uuid", "0f1e2d3c"),
        ("utc_time_created", "2024-10-01 12:00:00.000000"),
    )
    assert metadata.signature == Signature(
        inputs=(
            Column(name="age", type="long", shape=None, optional=False),
            Column(name="city", type="string", shape=None, optional=True),
            Column(name="legacy", type="double", shape=None, optional=False),
        ),
        outputs=(Column(name="proba", type="double", shape=None, optional=False),),
        params=(
            SignatureParam(name="alpha", type="double", default="0.5", shape=None),
            SignatureParam(name="tags", type="string", default='["a", "b"]', shape=(-1,)),
        ),
    )
    assert metadata.conda_channels == ("conda-forge",)
    assert metadata.dependency_files == ("requirements.txt", "conda.yaml", "python_env.yaml")
    assert metadata.warnings == ()


def test_tensor_signature_keeps_dtype_shape_and_position() -> None:
    inputs = json.dumps(
        [
            {"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1, 4]}},
            {
                "type": "tensor",
                "tensor-spec": {"dtype": "uint8", "shape": [-1, 28, 28]},
                "name": "img",
            },
        ]
    )
    outputs = json.dumps([{"type": "tensor", "tensor-spec": {"dtype": "int64", "shape": [-1]}}])
    metadata = _read(MLmodel=_mlmodel_with_signature(inputs, outputs))
    assert metadata.signature is not None
    assert metadata.signature.inputs == (
        Column(name=None, type="float64", shape=(-1, 4), optional=False),
        Column(name="img", type="uint8", shape=(-1, 28, 28), optional=False),
    )
    assert metadata.signature.outputs == (
        Column(name=None, type="int64", shape=(-1,), optional=False),
    )
    assert metadata.signature.params == ()


def test_array_object_and_map_types_are_readable_text() -> None:
    inputs = json.dumps(
        [
            {"type": "array", "items": {"type": "double"}, "name": "xs", "required": True},
            {
                "type": "object",
                "name": "person",
                "properties": {
                    "b": {"type": "string", "required": False},
                    "a": {"type": "long", "required": True},
                },
            },
            {"type": "map", "values": {"type": "double"}, "name": "weights"},
            {
                "type": "array",
                "items": {"type": "map", "values": {"type": "array", "items": {"type": "long"}}},
                "name": "nested",
            },
            {"type": "string", "name": "legacy_optional", "optional": True},
            {"type": "any", "name": "whatever", "required": False},
        ]
    )
    params = json.dumps(
        [
            {
                "name": "config",
                "type": "object",
                "properties": {"k": {"type": "long", "required": True}},
                "default": {"k": 3},
                "shape": None,
            }
        ]
    )
    metadata = _read(MLmodel=_mlmodel_with_signature(inputs, params=params))
    assert metadata.signature is not None
    assert [(c.name, c.type, c.optional) for c in metadata.signature.inputs] == [
        ("xs", "array<double>", False),
        ("person", "object{a: long, b?: string}", False),
        ("weights", "map<string, double>", False),
        ("nested", "array<map<string, array<long>>>", False),
        ("legacy_optional", "string", True),
        ("whatever", "any", True),
    ]
    assert metadata.signature.params == (
        SignatureParam(name="config", type="object{k: long}", default='{"k": 3}', shape=None),
    )


def test_mlmodel_without_signature_is_fine() -> None:
    metadata = _read(MLmodel="flavors:\n  sklearn:\n    sklearn_version: 1.5.2\n")
    assert metadata.signature is None
    assert metadata.flavors == ("sklearn",)
    assert metadata.warnings == ()


def test_python_version_falls_back_to_python_env_then_conda() -> None:
    without = "flavors:\n  sklearn: {}\n"
    metadata = _read(MLmodel=without, python_env_yaml="python: 3.10\n")
    assert metadata.python_version == "3.10"  # not the float 3.1
    metadata = _read(MLmodel=without, python_env_yaml="<missing>")
    assert metadata.python_version == "3.11.9"  # conda.yaml's python=3.11.9
    metadata = _read(
        MLmodel=without,
        python_env_yaml="<missing>",
        conda_yaml="dependencies:\n- python>=3.9\n",
    )
    assert metadata.python_version is None


def test_yaml_scalars_keep_their_text() -> None:
    text = "flavors:\n  sklearn: {}\nmlflow_version: 2.10\nmodel_size_bytes: 0x10\nflag: yes\n"
    metadata = _read(MLmodel=text)
    assert metadata.mlflow_version == "2.10"
    assert dict(metadata.runtime) == {"model_size_bytes": "0x10", "flag": "true"}


# --------------------------------------------------------------------------------------------
# dependencies


def test_dependencies_merge_across_files_in_file_order() -> None:
    metadata = _read()
    assert [dep.name for dep in metadata.dependencies] == [
        "cloudpickle",
        "mlflow",
        "pip",
        "python",
        "scikit-learn",
        "setuptools",
        "wheel",
    ]
    assert _dep(metadata, "scikit-learn") == Dependency(
        name="scikit-learn",
        requirement="scikit-learn==1.5.2",
        specifier="==1.5.2",
        version="1.5.2",
        pinned=True,
        sources=(DependencySource.REQUIREMENTS, DependencySource.CONDA_PIP),
    )
    assert _dep(metadata, "python") == Dependency(
        name="python",
        requirement="python=3.11.9",
        specifier="=3.11.9",
        version="3.11.9",
        pinned=True,
        sources=(DependencySource.CONDA,),
    )
    assert _dep(metadata, "pip") == Dependency(
        name="pip",
        requirement="pip<=24.0",
        specifier="<=24.0",
        version=None,
        pinned=False,
        sources=(DependencySource.CONDA, DependencySource.PYTHON_ENV),
    )
    wheel = _dep(metadata, "wheel")
    assert (wheel.pinned, wheel.sources) == (False, (DependencySource.PYTHON_ENV,))
    # Neither conda packages nor build dependencies are flagged.
    assert _only(metadata, WarningCode.UNPINNED_REQUIREMENT) == []


def test_requirements_txt_lines() -> None:
    text = "\n".join(
        [
            "# a comment",
            "",
            "   ",
            "-r base.txt",
            "--index-url https://example.org/simple",
            "-e ./local_package",
            "-c constraints.txt",
            "Scikit_Learn[extra] == 1.5.2   # pinned with spaces",
            "numpy>=1.24,<2",
            "pandas",
            "torch===2.4.0",
            "scipy==1.*",
            "requests==2.32.3 --hash=sha256:0123456789abcdef",
            'tomli==2.0.1; python_version < "3.11"',
            "mylib @ https://example.org/mylib-1.0-py3-none-any.whl",
            "long-name\\",
            "==1.0.0",
            "a==1.0",
            "a==2.0",
        ]
    )
    metadata = _read(
        MLmodel="<missing>",
        requirements_txt=text,
        conda_yaml="<missing>",
        python_env_yaml="<missing>",
    )
    deps = {dep.name: dep for dep in metadata.dependencies}
    assert set(deps) == {
        "a",
        "long-name",
        "mylib",
        "numpy",
        "pandas",
        "requests",
        "scikit-learn",
        "scipy",
        "tomli",
        "torch",
    }
    assert deps["scikit-learn"].requirement == "Scikit_Learn[extra] == 1.5.2"
    assert (deps["scikit-learn"].specifier, deps["scikit-learn"].version) == ("==1.5.2", "1.5.2")
    assert (deps["numpy"].specifier, deps["numpy"].pinned) == (">=1.24,<2", False)
    assert (deps["pandas"].specifier, deps["pandas"].version) == ("", None)
    assert (deps["torch"].version, deps["torch"].pinned) == ("2.4.0", True)
    assert (deps["scipy"].version, deps["scipy"].pinned) == (None, False)
    assert deps["requests"].requirement == "requests==2.32.3"
    assert deps["requests"].pinned
    assert deps["tomli"].specifier == "==2.0.1"
    assert deps["tomli"].pinned
    assert (deps["mylib"].specifier, deps["mylib"].pinned) == ("", False)
    assert deps["long-name"].version == "1.0.0"  # a backslash continuation
    assert deps["a"].version == "1.0"  # the first listing wins
    assert all(dep.sources == (DependencySource.REQUIREMENTS,) for dep in deps.values())
    unpinned = _only(metadata, WarningCode.UNPINNED_REQUIREMENT)
    assert [w.message.split("'")[1] for w in unpinned] == [
        "numpy>=1.24,<2",
        "pandas",
        "scipy==1.*",
        "mylib @ https://example.org/mylib-1.0-py3-none-any.whl",
    ]
    assert all(w.file == "requirements.txt" for w in unpinned)
    assert "pandas==<version>" in unpinned[1].message
    assert metadata.mlmodel_path is None
    # Without an MLmodel nothing is missing.
    assert _only(metadata, WarningCode.MISSING_DEPENDENCY_FILE) == []


def test_unparsable_requirement_lines_warn_and_the_rest_is_read() -> None:
    text = "numpy==1.26.4\nthis is not a requirement\nfoo==\n>=1.0\npandas==2.2.2\n"
    metadata = _read(requirements_txt=text)
    malformed = _only(metadata, WarningCode.MALFORMED_FILE)
    assert [w.file for w in malformed] == ["requirements.txt"] * 3
    assert "line 2" in malformed[0].message
    assert "this is not a requirement" in malformed[0].message
    assert "line 3" in malformed[1].message
    assert "line 4" in malformed[2].message
    assert _dep(metadata, "numpy").pinned
    assert _dep(metadata, "pandas").version == "2.2.2"


def test_conda_match_specs() -> None:
    conda = """\
channels: [conda-forge]
dependencies:
  - python=3.11.9
  - numpy==1.26.4
  - libgcc=13.2.0=h77fa898_7
  - openssl 3.3.1 h4ab18f5_0
  - conda-forge::xz=5.4.6
  - Zlib
  - scipy>=1.10
  - pyarrow=16.*
  - pillow 10.*
  - pip:
    - lightgbm==4.5.0
    - xgboost>=2
    - --extra-index-url https://example.org/simple
"""
    metadata = _read(conda_yaml=conda)
    deps = {dep.name: dep for dep in metadata.dependencies}
    assert (deps["python"].version, deps["python"].specifier) == ("3.11.9", "=3.11.9")
    assert deps["numpy"].version == "1.26.4"
    assert deps["libgcc"].version == "13.2.0"
    assert (deps["openssl"].version, deps["openssl"].specifier) == ("3.3.1", "3.3.1 h4ab18f5_0")
    assert deps["xz"].version == "5.4.6"
    assert deps["xz"].requirement == "conda-forge::xz=5.4.6"
    assert (deps["zlib"].pinned, deps["zlib"].specifier) == (False, "")
    assert not deps["scipy"].pinned
    assert not deps["pyarrow"].pinned
    assert not deps["pillow"].pinned
    assert deps["lightgbm"].sources == (DependencySource.CONDA_PIP,)
    assert deps["lightgbm"].pinned
    # Only the pip entry is flagged, not the conda packages.
    unpinned = _only(metadata, WarningCode.UNPINNED_REQUIREMENT)
    assert [(w.file, w.message.split("'")[1]) for w in unpinned] == [("conda.yaml", "xgboost>=2")]


def test_unpinned_is_one_warning_per_package_from_its_first_file() -> None:
    metadata = _read(
        requirements_txt="numpy\npandas==2.2.2\n",
        conda_yaml="dependencies:\n- pip:\n  - numpy\n  - pandas\n",
        python_env_yaml="python: '3.11'\ndependencies:\n- -r requirements.txt\n- polars\n",
    )
    unpinned = _only(metadata, WarningCode.UNPINNED_REQUIREMENT)
    assert [(w.file, w.message.split("'")[1]) for w in unpinned] == [
        ("requirements.txt", "numpy"),
        ("conda.yaml", "pandas"),
        ("python_env.yaml", "polars"),
    ]
    pandas = _dep(metadata, "pandas")
    assert (pandas.requirement, pandas.pinned) == ("pandas==2.2.2", True)
    assert pandas.sources == (DependencySource.REQUIREMENTS, DependencySource.CONDA_PIP)


@pytest.mark.parametrize(
    "channels",
    [
        ["defaults"],
        ["conda-forge", "defaults"],
        ["pkgs/main"],
        ["https://repo.anaconda.com/pkgs/main"],
        ["anaconda"],
    ],
)
def test_anaconda_channels_warn(channels: list[str]) -> None:
    metadata = _read(conda_yaml=json.dumps({"channels": channels, "dependencies": ["numpy"]}))
    warnings = _only(metadata, WarningCode.CONDA_DEFAULTS_CHANNEL)
    assert len(warnings) == 1
    assert warnings[0].file == "conda.yaml"
    assert "conda-forge" in warnings[0].message
    assert "licence" in warnings[0].message
    assert metadata.conda_channels == tuple(channels)


@pytest.mark.parametrize("channels", [["conda-forge"], ["nodefaults", "conda-forge"], []])
def test_other_channels_do_not_warn(channels: list[str]) -> None:
    metadata = _read(conda_yaml=json.dumps({"channels": channels, "dependencies": []}))
    assert _only(metadata, WarningCode.CONDA_DEFAULTS_CHANNEL) == []


def test_missing_dependency_files_next_to_the_mlmodel() -> None:
    files = {"model/MLmodel": MLMODEL_TEXT.encode(), "model/conda.yaml": CONDA_TEXT.encode()}
    files["requirements.txt"] = REQUIREMENTS_TEXT.encode()  # not next to it: not read
    metadata = read_metadata(files)
    assert metadata is not None
    assert metadata.root == "model"
    assert metadata.dependency_files == ("model/conda.yaml",)
    missing = _only(metadata, WarningCode.MISSING_DEPENDENCY_FILE)
    assert [w.file for w in missing] == [None, None]
    assert missing[0].message.startswith("model/requirements.txt is missing next to model/MLmodel")
    assert missing[1].message.startswith("model/python_env.yaml is missing")


def test_mlmodel_alone_misses_all_three_files() -> None:
    metadata = read_metadata({"MLmodel": MLMODEL_TEXT.encode()})
    assert metadata is not None
    assert _codes(metadata) == [WarningCode.MISSING_DEPENDENCY_FILE] * 3
    assert metadata.dependencies == ()
    assert metadata.dependency_files == ()


# --------------------------------------------------------------------------------------------
# malformed files


def test_invalid_yaml_mlmodel_warns_and_dependencies_are_still_read() -> None:
    metadata = _read(MLmodel="flavors: [unclosed\n  sklearn: {\n")
    assert _codes(metadata) == [WarningCode.MALFORMED_FILE]
    assert metadata.warnings[0].file == "MLmodel"
    assert "not valid YAML" in metadata.warnings[0].message
    assert metadata.mlmodel_path == "MLmodel"
    assert metadata.flavors == ()
    assert metadata.signature is None
    assert metadata.python_version == "3.11.9"  # from python_env.yaml
    assert _dep(metadata, "scikit-learn").pinned


def test_binary_files_warn() -> None:
    metadata = _read(
        MLmodel=b"\x89PNG\r\n\x1a\n\xff\xfe\x00\x00", requirements_txt=b"numpy==1.0\n\xc3\x28"
    )
    malformed = _only(metadata, WarningCode.MALFORMED_FILE)
    assert [w.file for w in malformed] == ["MLmodel", "requirements.txt"]
    assert all("not UTF-8" in w.message for w in malformed)
    # conda.yaml still gives scikit-learn.
    assert _dep(metadata, "scikit-learn").sources == (DependencySource.CONDA_PIP,)


def test_nul_bytes_in_utf8_yaml_warn() -> None:
    metadata = _read(conda_yaml="channels:\n- conda\x00forge\n")
    assert [w.file for w in _only(metadata, WarningCode.MALFORMED_FILE)] == ["conda.yaml"]


@pytest.mark.parametrize(
    ("inputs", "outputs"),
    [
        ("[{not json", "null"),
        ('{"type": "double"}', "null"),
        ("[1, 2]", "null"),
        ('[{"name": "x"}]', "null"),
        ('[{"type": "double", "name": 3}]', "null"),
        ('[{"type": "double", "name": "x", "required": "yes"}]', "null"),
        ('[{"type": "tensor", "tensor-spec": {"shape": [-1]}}]', "null"),
        ('[{"type": "tensor", "tensor-spec": {"dtype": "f8", "shape": "-1"}}]', "null"),
        ('[{"type": "array", "name": "a"}]', "null"),
        ('[{"type": "object", "name": "o", "properties": []}]', "null"),
        ('[{"type": "double", "name": "x"}]', "[{"),
        pytest.param("[" * 100_000 + "]" * 100_000, "null", id="nested-too-deep"),
    ],
)
def test_bad_signature_json_warns_and_keeps_the_rest(inputs: str, outputs: str) -> None:
    metadata = _read(MLmodel=_mlmodel_with_signature(inputs, outputs))
    assert _codes(metadata) == [WarningCode.MALFORMED_FILE]
    assert metadata.warnings[0].file == "MLmodel"
    assert "signature" in metadata.warnings[0].message
    assert metadata.signature is None
    assert metadata.flavors == ("python_function",)
    assert metadata.python_version == "3.11.9"


@pytest.mark.parametrize(
    "params", ['[{"type": "double"}]', '[{"name": "a", "type": "double", "shape": [1.5]}]', '"x"']
)
def test_bad_signature_params_warn(params: str) -> None:
    metadata = _read(MLmodel=_mlmodel_with_signature('[{"type": "long"}]', params=params))
    assert _codes(metadata) == [WarningCode.MALFORMED_FILE]
    assert metadata.signature is None


def test_signature_that_is_not_a_mapping_warns() -> None:
    metadata = _read(MLmodel="flavors:\n  sklearn: {}\nsignature: [1, 2]\n")
    assert _codes(metadata) == [WarningCode.MALFORMED_FILE]
    assert metadata.flavors == ("sklearn",)


def test_oversize_files_passed_as_none_warn_but_count_as_found() -> None:
    metadata = _read(MLmodel=None, conda_yaml=None)
    malformed = _only(metadata, WarningCode.MALFORMED_FILE)
    assert [w.file for w in malformed] == ["MLmodel", "conda.yaml"]
    assert f"{MAX_METADATA_FILE_BYTES // 1024} KiB" in malformed[0].message
    assert _only(metadata, WarningCode.MISSING_DEPENDENCY_FILE) == []
    assert metadata.mlmodel_path == "MLmodel"
    assert metadata.dependency_files == ("requirements.txt", "conda.yaml", "python_env.yaml")
    assert metadata.flavors == ()
    assert _dep(metadata, "scikit-learn").sources == (DependencySource.REQUIREMENTS,)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("MLmodel", ""),
        ("MLmodel", "- just\n- a list\n"),
        ("MLmodel", "flavors: 3\n"),
        ("MLmodel", "mlflow_version: 2.0.0\n"),
        ("MLmodel", "flavors: !!python/object:os.system {}\n"),
        ("MLmodel", "flavors: !!int nope\n"),
        ("conda.yaml", "just text"),
        ("conda.yaml", "channels: conda-forge\ndependencies: numpy\n"),
        ("conda.yaml", "dependencies:\n- [nested]\n- {other: 1}\n"),
        ("conda.yaml", "dependencies:\n- '>=1.0'\n"),
        ("conda.yaml", "dependencies:\n- pip: not-a-list\n"),
        ("conda.yaml", "dependencies:\n- pip:\n  - [x]\n  - 'bad req !'\n"),
        ("python_env.yaml", "python: 3.11\nbuild_dependencies: {pip: 1}\n"),
        ("python_env.yaml", "a: &a [*a]\n: :\n"),
    ],
)
def test_malformed_yaml_files_warn(name: str, text: str) -> None:
    metadata = _read(**{name.replace(".", "_"): text})
    malformed = _only(metadata, WarningCode.MALFORMED_FILE)
    assert malformed, metadata.warnings
    assert {w.file for w in malformed} == {name}
    # The other files are still read.
    assert _dep(metadata, "mlflow").version == "2.17.0"


def test_mangled_files_never_raise() -> None:
    rng = random.Random(20241001)
    originals = _files()
    for _ in range(300):
        files = dict(originals)
        for path, data in files.items():
            assert data is not None
            mangled = bytearray(data)
            for _ in range(rng.randint(0, 6)):
                position = rng.randrange(len(mangled))
                mangled[position] = rng.choice(b"{}[]:-'\"\\\n #=*&!|>%@\x00\xff" + bytes([65]))
            files[path] = bytes(mangled[: rng.randint(0, len(mangled))])
        metadata = read_metadata(files)
        assert metadata is not None
        assert ModelMetadata.from_json(json.loads(json.dumps(metadata.to_json()))) == metadata


# --------------------------------------------------------------------------------------------
# JSON


def test_json_round_trip() -> None:
    conda = "channels: [defaults]\ndependencies:\n- python=3.11.9\n- pip:\n  - numpy\n"
    files = _files(root="model", conda_yaml=conda, python_env_yaml="<missing>")
    files["model/MLmodel"] = _mlmodel_with_signature(
        json.dumps(
            [
                {"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 3]}},
                {"type": "string", "name": "s", "required": False},
            ]
        ),
        params=json.dumps([{"name": "p", "type": "long", "default": 1, "shape": [2]}]),
    ).encode()
    metadata = read_metadata(files)
    assert metadata is not None
    assert {w.code for w in metadata.warnings} == {
        WarningCode.UNPINNED_REQUIREMENT,
        WarningCode.CONDA_DEFAULTS_CHANNEL,
        WarningCode.MISSING_DEPENDENCY_FILE,
    }
    document = json.loads(json.dumps(metadata.to_json()))
    assert ModelMetadata.from_json(document) == metadata
    assert document["signature"]["inputs"][0] == {
        "name": None,
        "type": "float32",
        "shape": [-1, 3],
        "optional": False,
    }
    assert [w["code"] for w in document["warnings"]] == [
        "CONDA_DEFAULTS_CHANNEL",
        "UNPINNED_REQUIREMENT",
        "MISSING_DEPENDENCY_FILE",
    ]


def test_json_round_trip_without_signature_or_mlmodel() -> None:
    metadata = read_metadata({"requirements.txt": b"numpy==1.26.4\n"})
    assert metadata is not None
    assert metadata.signature is None
    assert ModelMetadata.from_json(metadata.to_json()) == metadata


# --------------------------------------------------------------------------------------------
# files written by the real MLflow client


def test_reads_what_mlflow_writes(tmp_path: Path) -> None:
    target = tmp_path / "model"
    done = subprocess.run(
        [sys.executable, str(WRITER), str(target)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-5000:]
    installed = json.loads(done.stdout.strip().splitlines()[-1])

    paths = [str(path.relative_to(tmp_path)) for path in tmp_path.rglob("*") if path.is_file()]
    chosen = metadata_paths(paths)
    assert chosen == {
        "MLmodel": "model/MLmodel",
        "requirements.txt": "model/requirements.txt",
        "conda.yaml": "model/conda.yaml",
        "python_env.yaml": "model/python_env.yaml",
    }
    metadata = read_metadata({path: (tmp_path / path).read_bytes() for path in chosen.values()})
    assert metadata is not None
    assert metadata.root == "model"
    assert metadata.flavors == ("python_function", "sklearn")
    assert metadata.python_version == installed["python_version"]
    assert metadata.mlflow_version == installed["mlflow_version"]
    runtime = dict(metadata.runtime)
    assert int(runtime["model_size_bytes"]) > 0
    assert runtime["model_uuid"]
    assert metadata.signature == Signature(
        inputs=(
            Column(name="age", type="long", shape=None, optional=False),
            Column(name="income", type="double", shape=None, optional=False),
        ),
        outputs=(Column(name=None, type="float64", shape=(-1,), optional=False),),
        params=(SignatureParam(name="threshold", type="double", default="0.5", shape=None),),
    )
    sklearn = _dep(metadata, "scikit-learn")
    assert sklearn.version == installed["sklearn_version"]
    assert sklearn.pinned
    assert sklearn.sources == (DependencySource.REQUIREMENTS, DependencySource.CONDA_PIP)
    assert _dep(metadata, "mlflow").version == installed["mlflow_version"]
    assert _dep(metadata, "python").version == installed["python_version"]
    assert _dep(metadata, "python").sources == (DependencySource.CONDA,)
    assert DependencySource.PYTHON_ENV in _dep(metadata, "pip").sources
    assert metadata.conda_channels == ("conda-forge",)
    assert metadata.warnings == ()
    assert ModelMetadata.from_json(metadata.to_json()) == metadata
