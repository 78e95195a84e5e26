import { Alert, Anchor, Badge, Code, Loader, Paper, SimpleGrid, Stack, Table, Text, Title, UnstyledButton } from "@mantine/core";
import { IconChevronDown, IconChevronRight } from "@tabler/icons-react";
import { Fragment, useState, type ReactNode } from "react";
import { Link } from "react-router";
import { useQuery } from "urql";

import { MetricHistoryQuery } from "../graphql/versions";
import { envLines, formatMetric, loadModelSnippet, modelUris, trackingUri } from "../lib/mlflow";
import { runUrls } from "../lib/mlflowLinks";
import { CopyCode } from "./CopyCode";
import { formatDate } from "./dates";
import { Field } from "./Field";
import { MetricChart } from "./MetricChart";

export interface RunInfo {
  runId: string;
  name: string;
  status: string;
  experimentName: string;
  startTime: string;
  endTime?: string | null;
  user: string;
  artifactUri: string;
  params: readonly { key: string; value: string }[];
  metrics: readonly { key: string; value?: number | null; step: number; timestamp: string }[];
}

export interface LineageInfo {
  ciJobId?: string | null;
  ciJobUrl?: string | null;
  pipeline?: string | null;
  mergeRequest?: string | null;
  commit?: string | null;
}

/** Which version the metric history is read from. */
interface VersionRef {
  project: string;
  model: string;
  version: string;
}

const STATUS_COLORS: Record<string, string> = {
  FINISHED: "green",
  RUNNING: "blue",
  SCHEDULED: "gray",
  FAILED: "red",
  KILLED: "orange",
};

/**
 * The MLflow run a version was registered from: who, when, params, metrics with history. The
 * history is read through the version `at`, or drawn by `history` (the run page reads it by id).
 */
export function RunSection({
  run,
  at,
  history,
}: {
  run: RunInfo;
  at?: VersionRef;
  history?: (metric: string) => ReactNode;
}) {
  const [open, setOpen] = useState<string | null>(null);
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="run-heading">
      <Stack>
        <Title order={4} id="run-heading">
          Run
        </Title>
        <SimpleGrid cols={{ base: 2, sm: 3 }}>
          <Field label="Name">
            {at ? (
              <Anchor component={Link} to={runUrls.run(at.project, run.runId)}>
                {run.name || run.runId}
              </Anchor>
            ) : (
              <Text>{run.name || "—"}</Text>
            )}
            <Text size="xs" ff="monospace" c="dimmed">
              {run.runId}
            </Text>
          </Field>
          <Field label="Experiment">
            <Text>{run.experimentName}</Text>
          </Field>
          <Field label="Status">
            <Badge color={STATUS_COLORS[run.status] ?? "gray"} variant="light">
              {run.status.toLowerCase()}
            </Badge>
          </Field>
          <Field label="User">
            <Text>{run.user || "—"}</Text>
          </Field>
          <Field label="Started">
            <Text>{formatDate(run.startTime)}</Text>
          </Field>
          <Field label="Ended">
            <Text>{run.endTime ? formatDate(run.endTime) : "—"}</Text>
          </Field>
        </SimpleGrid>
        <div>
          <Title order={5} mb={4}>
            Parameters
          </Title>
          {run.params.length === 0 ? (
            <Text size="sm" c="dimmed">
              No parameters.
            </Text>
          ) : (
            <Table aria-label="Parameters" striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Key</Table.Th>
                  <Table.Th>Value</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {run.params.map((p) => (
                  <Table.Tr key={p.key}>
                    <Table.Td ff="monospace">{p.key}</Table.Td>
                    <Table.Td ff="monospace" style={{ wordBreak: "break-all" }}>
                      {p.value}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </div>
        <div>
          <Title order={5} mb={4}>
            Metrics
          </Title>
          {run.metrics.length === 0 ? (
            <Text size="sm" c="dimmed">
              No metrics.
            </Text>
          ) : (
            <Table aria-label="Metrics" striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Key</Table.Th>
                  <Table.Th>Latest value</Table.Th>
                  <Table.Th>Step</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {run.metrics.map((m) => {
                  const expanded = open === m.key;
                  return (
                    <Fragment key={m.key}>
                      <Table.Tr>
                        <Table.Td>
                          <UnstyledButton
                            onClick={() => setOpen(expanded ? null : m.key)}
                            aria-expanded={expanded}
                            aria-label={`${expanded ? "Hide" : "Show"} history of ${m.key}`}
                            ff="monospace"
                            fz="sm"
                          >
                            {expanded ? <IconChevronDown size={14} /> : <IconChevronRight size={14} />} {m.key}
                          </UnstyledButton>
                        </Table.Td>
                        <Table.Td ff="monospace">{formatMetric(m.value ?? null)}</Table.Td>
                        <Table.Td>{m.step}</Table.Td>
                      </Table.Tr>
                      {expanded && (
                        <Table.Tr>
                          <Table.Td colSpan={3}>
                            {history ? history(m.key) : at && <MetricHistory at={at} metric={m.key} />}
                          </Table.Td>
                        </Table.Tr>
                      )}
                    </Fragment>
                  );
                })}
              </Table.Tbody>
            </Table>
          )}
        </div>
        <Field label="Artifacts">
          <Code>{run.artifactUri}</Code>
        </Field>
      </Stack>
    </Paper>
  );
}

function MetricHistory({ at, metric }: { at: VersionRef; metric: string }) {
  const [{ data, fetching, error }] = useQuery({
    query: MetricHistoryQuery,
    variables: { path: at.project, name: at.model, version: at.version, key: metric },
  });
  if (error) return <Alert color="red">Could not load the history of {metric}.</Alert>;
  if (fetching && !data) return <Loader size="sm" aria-label={`Loading history of ${metric}`} />;
  const points = data?.project?.model?.version?.run?.metricHistory ?? [];
  return <MetricHistoryView metric={metric} points={points} />;
}

/** A metric's step history: the chart, then the values as a table. */
export function MetricHistoryView({
  metric,
  points,
}: {
  metric: string;
  points: readonly { value?: number | null; step: number; timestamp: string }[];
}) {
  const normalized = points.map((p) => ({ step: p.step, value: p.value ?? null }));
  return (
    <Stack gap="xs">
      <MetricChart metric={metric} points={normalized} />
      <Table aria-label={`History of ${metric}`} withRowBorders={false} verticalSpacing={2}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Step</Table.Th>
            <Table.Th>Value</Table.Th>
            <Table.Th>Logged</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {points.map((p, i) => (
            <Table.Tr key={`${p.step}-${p.timestamp}-${i}`}>
              <Table.Td>{p.step}</Table.Td>
              <Table.Td ff="monospace">{formatMetric(p.value ?? null)}</Table.Td>
              <Table.Td>{formatDate(p.timestamp)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}

/**
 * The run section of a version whose run is not here: registered with the id of a run of another
 * tracking server (MLflow accepts those), or of a project the viewer may not read.
 */
export function ExternalRunSection({ runId }: { runId: string }) {
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="run-heading">
      <Title order={4} id="run-heading" mb="xs">
        Run
      </Title>
      <Text size="sm">
        Registered from an external run{" "}
        <Text span ff="monospace" size="sm" style={{ wordBreak: "break-all" }}>
          {runId}
        </Text>
        .
      </Text>
      <Text size="sm" c="dimmed">
        The run is not on this server (its tracking server may be another one) or is in a project you cannot read:
        its params, metrics and files are not shown.
      </Text>
    </Paper>
  );
}

/** Where a version came from: run, CI job, pipeline, merge request, commit, source URI. */
export function LineageSection({
  lineage,
  runId,
  experimentName,
  loggedModelId,
  source,
}: {
  lineage: LineageInfo;
  runId?: string | null;
  experimentName?: string | null;
  loggedModelId?: string | null;
  source: string;
}) {
  const rows: [string, ReactNode][] = [];
  const mono = (text: string) => <Text ff="monospace" size="sm" style={{ wordBreak: "break-all" }}>{text}</Text>;
  if (runId) rows.push(["Run", mono(runId)]);
  if (experimentName) rows.push(["Experiment", <Text size="sm">{experimentName}</Text>]);
  if (loggedModelId) rows.push(["Logged model", mono(loggedModelId)]);
  if (lineage.ciJobId || lineage.ciJobUrl) {
    const text = lineage.ciJobId ?? lineage.ciJobUrl ?? "";
    rows.push([
      "CI job",
      lineage.ciJobUrl ? (
        <Anchor href={lineage.ciJobUrl} target="_blank" rel="noreferrer" size="sm">
          {text}
        </Anchor>
      ) : (
        mono(text)
      ),
    ]);
  }
  if (lineage.pipeline) rows.push(["Pipeline", mono(lineage.pipeline)]);
  if (lineage.mergeRequest) rows.push(["Merge request", mono(lineage.mergeRequest)]);
  if (lineage.commit) rows.push(["Commit", mono(lineage.commit)]);
  if (source) rows.push(["Source", mono(source)]);
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="lineage-heading">
      <Title order={4} id="lineage-heading" mb="xs">
        Lineage
      </Title>
      {rows.length === 0 ? (
        <Text size="sm" c="dimmed">
          Uploaded through the web app or the API; no run or CI information.
        </Text>
      ) : (
        <Table aria-label="Lineage" withRowBorders={false} verticalSpacing={4}>
          <Table.Tbody>
            {rows.map(([label, value]) => (
              <Table.Tr key={label}>
                <Table.Th w={160} fw={500}>
                  {label}
                </Table.Th>
                <Table.Td>{value}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Paper>
  );
}

/** Copyable snippets that load this version with MLflow: by number, SemVer and each alias. */
export function UseModelPanel({
  project,
  model,
  number,
  version,
  aliases,
}: {
  project: string;
  model: string;
  number: number;
  version: string;
  aliases: readonly string[];
}) {
  const uris = modelUris(model, number, version, aliases);
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="use-heading">
      <Stack gap="sm">
        <Title order={4} id="use-heading">
          Use this model
        </Title>
        <CopyCode code={envLines(trackingUri(window.location.origin, project))} label="environment variables" />
        {uris.map((u) => (
          <div key={u.uri}>
            <Text size="sm" fw={500} mb={4}>
              {u.label}
            </Text>
            <CopyCode code={loadModelSnippet(u.uri)} label={`load snippet for ${u.uri}`} />
          </div>
        ))}
      </Stack>
    </Paper>
  );
}
