import { Alert, Anchor, Group, Loader, Paper, Stack, Table, Text, Title } from "@mantine/core";
import { Link, useParams } from "react-router";

import { LivePage } from "../components/live/LivePage";
import { useLiveQuery } from "../components/live/useLive";
import { usePolling } from "../components/usePolling";
import { MetricHistoryView, RunSection } from "../components/MlflowRun";
import { RunCrumbs, RunStatusBadge } from "../components/runs/RunBits";
import { StageBadge } from "../components/StageBadge";
import { Loading, NotFound, QueryError } from "../components/States";
import { RunMetricHistoryQuery, RunQuery } from "../graphql/runs";
import { formatBytes } from "../lib/files";
import { runUrls } from "../lib/mlflowLinks";
import { urls } from "../urls";

/** How often the page of a run still running looks for new metrics. */
const RUNNING_POLL_MS = 10_000;

/** An MLflow run: who ran it and when, params, metrics with history, tags, files, and the
 * model versions registered from it. */
export default function RunPage() {
  const { project = "" } = useParams();
  return (
    <LivePage project={project}>
      <RunBody />
    </LivePage>
  );
}

function RunBody() {
  const { project = "", runId = "" } = useParams();
  const [{ data, fetching, error }, refetch] = useLiveQuery({ query: RunQuery, variables: { path: project, runId } });
  // Logged metrics make no events (there would be one per step): a running run is polled.
  const running = data?.project?.run?.status === "RUNNING";
  usePolling(() => refetch({ requestPolicy: "network-only" }), RUNNING_POLL_MS, running);
  if (error) return <QueryError error={error} />;
  if (fetching && !data) return <Loading />;
  const found = data?.project;
  if (!found) return <NotFound what={`Project “${project}”`} />;
  const run = found.run;
  if (!run) {
    return (
      <Stack>
        <RunCrumbs project={found} current={runId} />
        <NotFound what={`Run “${runId}”`} />
      </Stack>
    );
  }
  const title = run.name || run.runId;
  return (
    <Stack>
      <RunCrumbs project={found} experiment={run.experiment} current={title} />
      <div>
        <Group gap="xs">
          <Title order={1}>{title}</Title>
          <RunStatusBadge status={run.status} />
        </Group>
        <Text c="dimmed" size="sm">
          Run <Text span ff="monospace">{run.runId}</Text> of experiment{" "}
          <Anchor component={Link} to={runUrls.experiment(found.path, run.experiment.experimentId)}>
            {run.experiment.name}
          </Anchor>
        </Text>
      </div>
      <RegisteredVersions versions={run.modelVersions} />
      <RunSection
        run={run}
        history={(metric) => <RunMetricHistory project={found.path} runId={run.runId} metric={metric} />}
      />
      <KeyValueTable title="Tags" rows={run.tags} empty="No tags." />
      <Artifacts files={run.artifacts.files} truncated={run.artifacts.truncated} />
    </Stack>
  );
}

function RunMetricHistory({ project, runId, metric }: { project: string; runId: string; metric: string }) {
  const [{ data, fetching, error }] = useLiveQuery({
    query: RunMetricHistoryQuery,
    variables: { path: project, runId, key: metric },
  });
  if (error) return <Alert color="red">Could not load the history of {metric}.</Alert>;
  if (fetching && !data) return <Loader size="sm" aria-label={`Loading history of ${metric}`} />;
  return <MetricHistoryView metric={metric} points={data?.project?.run?.metricHistory ?? []} />;
}

function RegisteredVersions({
  versions,
}: {
  versions: readonly {
    id: string;
    version: string;
    number: number;
    stage: string;
    model: { name: string; project: { path: string } };
  }[];
}) {
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="registered-heading">
      <Title order={4} id="registered-heading" mb="xs">
        Registered model versions
      </Title>
      {versions.length === 0 ? (
        <Text size="sm" c="dimmed">
          No model version was registered from this run.
        </Text>
      ) : (
        <Table aria-label="Registered model versions">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Model</Table.Th>
              <Table.Th>Version</Table.Th>
              <Table.Th>Stage</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {versions.map((v) => (
              <Table.Tr key={v.id}>
                <Table.Td>
                  <Anchor component={Link} to={urls.model(v.model.project.path, v.model.name)}>
                    {v.model.name}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <Anchor component={Link} to={urls.version(v.model.project.path, v.model.name, v.version)}>
                    {v.version}
                  </Anchor>{" "}
                  <Text span size="xs" c="dimmed">
                    #{v.number}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <StageBadge stage={v.stage} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Paper>
  );
}

function KeyValueTable({
  title,
  rows,
  empty,
}: {
  title: string;
  rows: readonly { key: string; value: string }[];
  empty: string;
}) {
  return (
    <Paper withBorder p="md" component="section" aria-label={title}>
      <Title order={4} mb="xs">
        {title}
      </Title>
      {rows.length === 0 ? (
        <Text size="sm" c="dimmed">
          {empty}
        </Text>
      ) : (
        <Table striped aria-label={`Run ${title.toLowerCase()}`}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Key</Table.Th>
              <Table.Th>Value</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((r) => (
              <Table.Tr key={r.key}>
                <Table.Td ff="monospace">{r.key}</Table.Td>
                <Table.Td ff="monospace" style={{ wordBreak: "break-all" }}>
                  {r.value}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Paper>
  );
}

function Artifacts({ files, truncated }: { files: readonly { path: string; size: number }[]; truncated: boolean }) {
  return (
    <Paper withBorder p="md" component="section" aria-label="Logged files">
      <Title order={4} mb="xs">
        Logged files
      </Title>
      {files.length === 0 ? (
        <Text size="sm" c="dimmed">
          The run logged no files through this registry.
        </Text>
      ) : (
        <Table aria-label="Logged files">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Path</Table.Th>
              <Table.Th>Size</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {files.map((f) => (
              <Table.Tr key={f.path}>
                <Table.Td ff="monospace" style={{ wordBreak: "break-all" }}>
                  {f.path}
                </Table.Td>
                <Table.Td>{formatBytes(f.size)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {truncated && (
        <Text size="sm" c="dimmed" mt="xs">
          Only the first {files.length} files are listed.
        </Text>
      )}
    </Paper>
  );
}
