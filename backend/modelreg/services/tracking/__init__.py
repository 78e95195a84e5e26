"""MLflow tracking: experiments, runs (params, metrics with their history, tags, inputs and
outputs), MLflow 3 logged models, the files of the artifact proxy, and what a model version
registered from them starts with (`source_files`).

Ids, names, limits and artifact paths are the rules of `domain.tracking`. Reads need READ on the
project, writes EDIT (a REPORTER may log runs). Logged values and artifact uploads record no
event (a training loop logs thousands); creating experiments, runs and logged models, ending or
deleting runs and finalizing logged models do.

One module per concept; this package re-exports their public names, so callers write
`from modelreg.services import tracking as service` and `service.create_run(...)`:

- `experiments`: experiments and the project's Default one;
- `runs`: runs, their params, metrics and tags, and searching runs;
- `run_inputs`: the datasets and logged models a run used and produced;
- `run_reads`: batched reads of runs and their values (for DataLoaders);
- `browse`: pages of experiments and runs, a run's files and versions, for the web app (imported
  as `from modelreg.services.tracking import browse`, not re-exported);
- `logged_models`: MLflow 3 logged models;
- `artifacts`: the files of the artifact proxy;
- `sources`: what a version registered from a source URI starts with;
- `common`: the project check, the clock and tag/param validation they share.
"""

from modelreg.services.tracking.artifacts import (
    StoredFile,
    delete_tracked,
    get_tracked_file,
    list_tracked,
    store_tracked_file,
    version_files,
)
from modelreg.services.tracking.common import now_millis
from modelreg.services.tracking.experiments import (
    EXPERIMENT_FILTER_FIELDS,
    EXPERIMENT_FILTER_NUMBERS,
    create_experiment,
    delete_experiment_tag,
    experiment_id_of,
    experiments_by_ids,
    get_experiment,
    get_experiment_by_name,
    rename_experiment,
    search_experiments,
    set_experiment_lifecycle,
    set_experiment_tag,
)
from modelreg.services.tracking.logged_models import (
    LOGGED_MODEL_FILTER_FIELDS,
    LOGGED_MODEL_FILTER_NUMBERS,
    create_logged_model,
    delete_logged_model_tag,
    finalize_logged_model,
    get_logged_model,
    log_logged_model_params,
    logged_model_artifact_location,
    search_logged_models,
    set_logged_model_tags,
)
from modelreg.services.tracking.run_inputs import log_inputs, log_outputs
from modelreg.services.tracking.run_reads import (
    latest_metrics_by_runs,
    metric_history,
    metric_value,
    params_by_runs,
    runs_by_uuids,
    tags_by_runs,
)
from modelreg.services.tracking.runs import (
    RUN_FILTER_FIELDS,
    RUN_FILTER_NUMBERS,
    RUN_NAME_TAG,
    MetricPoint,
    create_run,
    delete_run_tag,
    get_run,
    log_batch,
    run_artifact_location,
    search_runs,
    set_run_lifecycle,
    update_run,
)
from modelreg.services.tracking.sources import SourceFiles, source_files

__all__ = [
    "EXPERIMENT_FILTER_FIELDS",
    "EXPERIMENT_FILTER_NUMBERS",
    "LOGGED_MODEL_FILTER_FIELDS",
    "LOGGED_MODEL_FILTER_NUMBERS",
    "RUN_FILTER_FIELDS",
    "RUN_FILTER_NUMBERS",
    "RUN_NAME_TAG",
    "MetricPoint",
    "SourceFiles",
    "StoredFile",
    "create_experiment",
    "create_logged_model",
    "create_run",
    "delete_experiment_tag",
    "delete_logged_model_tag",
    "delete_run_tag",
    "delete_tracked",
    "experiment_id_of",
    "experiments_by_ids",
    "finalize_logged_model",
    "get_experiment",
    "get_experiment_by_name",
    "get_logged_model",
    "get_run",
    "get_tracked_file",
    "latest_metrics_by_runs",
    "list_tracked",
    "log_batch",
    "log_inputs",
    "log_logged_model_params",
    "log_outputs",
    "logged_model_artifact_location",
    "metric_history",
    "metric_value",
    "now_millis",
    "params_by_runs",
    "rename_experiment",
    "run_artifact_location",
    "runs_by_uuids",
    "search_experiments",
    "search_logged_models",
    "search_runs",
    "set_experiment_lifecycle",
    "set_experiment_tag",
    "set_logged_model_tags",
    "set_run_lifecycle",
    "source_files",
    "store_tracked_file",
    "tags_by_runs",
    "update_run",
    "version_files",
]
