"""What a version's files say about the model: the MLmodel file (flavors, signature, python and
mlflow versions, runtime fields) and its dependency files (`requirements.txt`, `conda.yaml`,
`python_env.yaml`), with warnings a reviewer should see. Pure: callers pass the bytes.

Malformed files never raise; they become a MALFORMED_FILE warning and the rest is still read.

Reading rules:

- YAML is read with a safe loader (PyYAML's libyaml-based `CSafeLoader`, or the pure-Python
  `SafeLoader` when PyYAML was built without libyaml) that resolves no implicit ints, floats or
  timestamps, so `python: 3.10` stays the text "3.10" (not the float 3.1) and every scalar field
  keeps the text that was written. Booleans are rendered "true"/"false".
- Reading costs time linear in the file's size. A YAML document whose aliases (`*name`) would
  expand it past MAX_YAML_EXPANDED_SIZE (nodes plus scalar characters, counting each alias as a
  copy of what it names; a "billion laughs" bomb) or that refers to itself is not read (a
  MALFORMED_FILE warning): a document without aliases never comes near that bound.
- MLmodel: `flavors` keeps the file's order. `python_version` comes from the `python_function`
  flavor, else from python_env.yaml's `python:`, else from a pinned `python` in conda.yaml.
  `runtime` holds every other top-level scalar field (nulls are left out). Signature columns are
  matched as MLflow writes them: column specs (`required: false`, or the older `optional: true`,
  make a column optional; no key means required), tensor specs (type = numpy dtype, shape kept;
  always required), and array/object/map types described as "array<double>",
  "object{a: long, b?: string}" (properties sorted by name, "?" marks an optional one) and
  "map<string, double>". When any part of the signature (inputs, outputs or params) cannot be
  read, the whole signature is None (a half-read signature would give misleading diffs) and a
  MALFORMED_FILE warning says why; an MLmodel without a `signature` is not a warning.
- requirements.txt: blank lines and comments are skipped, inline comments stripped, backslash
  continuations joined; option lines (`-r`, `-c`, `-e`, `--index-url`, ...) and per-requirement
  options (`--hash=...`) are ignored. A line `packaging` cannot parse is a MALFORMED_FILE warning
  naming its line number; the other lines are still read. A requirement is pinned when it has
  exactly one `==` or `===` specifier without a wildcard; a direct reference (`name @ url`) is
  not pinned.
- conda.yaml: `channels`, and `dependencies` whose strings are conda match specs ("python=3.11.9",
  "numpy 1.26.4 py311_0", "conda-forge::numpy>=1") and whose `{pip: [...]}` entry lists pip
  requirements read like requirements.txt lines. A conda spec is pinned by "=1.2.3", "==1.2.3",
  "=1.2.3=build" or "name 1.2.3" (no wildcard, range or alternative).
- python_env.yaml: `python`, `build_dependencies` and `dependencies` (pip requirements; MLflow's
  `-r requirements.txt` is an option line and is skipped).
- The same package (PEP 503 name; conda names lower-cased) in several files is one Dependency:
  requirement, specifier, version and pinned come from the first source in DependencySource
  order (requirements.txt, conda packages, conda pip, python_env.yaml); `sources` lists each.

Warnings (sorted by file in METADATA_FILES order, then as found):

- UNPINNED_REQUIREMENT: one per package that requirements.txt, conda.yaml's pip list or
  python_env.yaml's `dependencies` list without an exact pin (file = the first such file).
  Conda packages (`python`, `pip`, ...) and python_env.yaml's `build_dependencies` (pip,
  setuptools, wheel: tools that build the environment, not the model's code) never are.
- CONDA_DEFAULTS_CHANNEL: once per conda.yaml whose `channels` list Anaconda's `defaults` (or
  the channels it stands for: `main`, `r`, `msys2`, `pkgs/...`, repo.anaconda.com URLs). A
  conda.yaml without `channels` is not flagged.
- MISSING_DEPENDENCY_FILE: with an MLmodel, one per dependency file missing from its directory
  (`file` is None; the message names the expected path). Without an MLmodel, nothing is missing.
- MALFORMED_FILE: a file over MAX_METADATA_FILE_BYTES (passed as None; it still counts as found),
  not UTF-8, invalid YAML, not a mapping at the top, an MLmodel without flavors or with an
  unreadable signature, a requirement line or conda entry that cannot be parsed.

The package holds one concept per module: `records` (the records, the files' names and limits,
the JSON round trip), `reading` (warnings and decoding shared by every reader), `yaml_text` (the
safe, bounded YAML loader), `mlmodel` and `signature` (the MLmodel file), `requirements` (pip
requirements), `environments` (conda.yaml and python_env.yaml) and `summary` (choosing the files
and combining what they say). Callers import the public names from the package.
"""

from modelreg.domain.model_metadata.records import (
    CONDA,
    MAX_METADATA_FILE_BYTES,
    MAX_YAML_EXPANDED_SIZE,
    METADATA_FILES,
    MLMODEL,
    PYTHON_ENV,
    REQUIREMENTS,
    Column,
    Dependency,
    DependencySource,
    MetadataWarning,
    ModelMetadata,
    Signature,
    SignatureParam,
    WarningCode,
)
from modelreg.domain.model_metadata.summary import metadata_paths, read_metadata
from modelreg.domain.model_metadata.yaml_text import text_loader

__all__ = [
    "CONDA",
    "MAX_METADATA_FILE_BYTES",
    "MAX_YAML_EXPANDED_SIZE",
    "METADATA_FILES",
    "MLMODEL",
    "PYTHON_ENV",
    "REQUIREMENTS",
    "Column",
    "Dependency",
    "DependencySource",
    "MetadataWarning",
    "ModelMetadata",
    "Signature",
    "SignatureParam",
    "WarningCode",
    "metadata_paths",
    "read_metadata",
    "text_loader",
]
