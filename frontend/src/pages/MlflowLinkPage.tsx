import { Alert, Anchor, Stack } from "@mantine/core";
import { Link, Navigate, useLocation, useParams } from "react-router";
import { useQuery } from "urql";

import { Loading, QueryError } from "../components/States";
import { VersionByNumberQuery } from "../graphql/runs";
import { parseMlflowHash, runUrls } from "../lib/mlflowLinks";
import { urls } from "../urls";

/**
 * `/projects/<p>/mlflow/#/experiments/<e>/runs/<r>`: a link the MLflow client printed (the
 * server answers the tracking URI with the web app when a browser asks). Opens the page it means
 * — run, experiment, model or version — in place of this one, so Back skips it.
 */
export default function MlflowLinkPage() {
  const { project = "" } = useParams();
  const { hash } = useLocation();
  const target = parseMlflowHash(hash);
  switch (target.kind) {
    case "run":
      return <Navigate replace to={runUrls.run(project, target.runId)} />;
    case "experiment":
      return <Navigate replace to={runUrls.experiment(project, target.experimentId)} />;
    case "model":
      return <Navigate replace to={urls.model(project, target.name)} />;
    case "version":
      return <VersionLink project={project} model={target.name} number={target.number} />;
    default:
      return <UnknownLink project={project} />;
  }
}

/** MLflow numbers versions 1, 2, …; the version page is by SemVer: look the number up. */
function VersionLink({ project, model, number }: { project: string; model: string; number: number }) {
  const [{ data, fetching, error }] = useQuery({
    query: VersionByNumberQuery,
    variables: { path: project, name: model, alias: `v${number}` },
  });
  if (error) return <QueryError error={error} />;
  if (fetching && !data) return <Loading />;
  const found = data?.project?.model?.versionByAlias;
  if (found) return <Navigate replace to={urls.version(project, model, found.version)} />;
  return <Navigate replace to={urls.model(project, model)} />;
}

function UnknownLink({ project }: { project: string }) {
  return (
    <Stack>
      <Alert color="blue" title="This is the project's MLflow tracking URI">
        The link does not name a run, experiment or model this web app can show. Open the{" "}
        <Anchor component={Link} to={urls.project(project)}>
          project
        </Anchor>{" "}
        or its{" "}
        <Anchor component={Link} to={runUrls.experiments(project)}>
          experiments
        </Anchor>
        .
      </Alert>
    </Stack>
  );
}
