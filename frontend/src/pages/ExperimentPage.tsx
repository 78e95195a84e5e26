import { Anchor, Badge, Group, Stack, Table, Text, Title } from "@mantine/core";
import { Link, useParams } from "react-router";

import { LivePage } from "../components/live/LivePage";
import { useLiveQuery } from "../components/live/useLive";

import { CursorPager } from "../components/CursorPager";
import { useCursorStack } from "../components/useCursorStack";
import { formatDate } from "../components/dates";
import { keyMetricColumns, RunCrumbs, RunStatusBadge } from "../components/runs/RunBits";
import { EmptyState, Loading, NotFound, QueryError } from "../components/States";
import { ExperimentQuery } from "../graphql/runs";
import { formatMetric } from "../lib/mlflow";
import { runUrls } from "../lib/mlflowLinks";

const PAGE = 25;

/** An MLflow experiment and its runs, newest first, a page at a time. */
export default function ExperimentPage() {
  const { project = "" } = useParams();
  return (
    <LivePage project={project}>
      <ExperimentBody />
    </LivePage>
  );
}

function ExperimentBody() {
  const { project = "", experimentId = "" } = useParams();
  // The cursor of each page seen so far, in the URL; the last is the page shown (null: the first).
  const [cursors, setCursors] = useCursorStack();
  const [{ data, fetching, error }] = useLiveQuery({
    query: ExperimentQuery,
    variables: { path: project, id: experimentId, first: PAGE, after: cursors[cursors.length - 1] ?? null },
  });
  if (error) return <QueryError error={error} />;
  if (fetching && !data) return <Loading />;
  const found = data?.project;
  if (!found) return <NotFound what={`Project “${project}”`} />;
  const experiment = found.experiment;
  if (!experiment) {
    return (
      <Stack>
        <RunCrumbs project={found} current={experimentId} />
        <NotFound what={`Experiment “${experimentId}”`} />
      </Stack>
    );
  }
  const runs = experiment.runs.edges.map((e) => e.node);
  const metricKeys = keyMetricColumns(runs);
  return (
    <Stack>
      <RunCrumbs project={found} experiment={experiment} />
      <div>
        <Title order={1}>{experiment.name}</Title>
        <Text c="dimmed" size="sm">
          Experiment {experiment.experimentId} · created by {experiment.createdBy || "—"} on{" "}
          {formatDate(experiment.createdAt)}
        </Text>
        {experiment.tags.length > 0 && (
          <Group gap={4} mt={4}>
            {experiment.tags.map((t) => (
              <Badge key={t.key} variant="outline" tt="none">
                {t.value ? `${t.key}: ${t.value}` : t.key}
              </Badge>
            ))}
          </Group>
        )}
      </div>
      {experiment.runs.totalCount === 0 ? (
        <EmptyState title="No runs yet">
          Runs logged with the MLflow client to this experiment show here.
        </EmptyState>
      ) : (
        <>
          <Table.ScrollContainer minWidth={640}>
            <Table striped highlightOnHover aria-label="Runs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Run</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Started</Table.Th>
                  <Table.Th>User</Table.Th>
                  {metricKeys.map((k) => (
                    <Table.Th key={k} ff="monospace">
                      {k}
                    </Table.Th>
                  ))}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {runs.map((run) => (
                  <Table.Tr key={run.runId}>
                    <Table.Td>
                      <Anchor component={Link} to={runUrls.run(found.path, run.runId)}>
                        {run.name || run.runId}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>
                      <RunStatusBadge status={run.status} />
                    </Table.Td>
                    <Table.Td>{formatDate(run.startTime)}</Table.Td>
                    <Table.Td>{run.user || "—"}</Table.Td>
                    {metricKeys.map((k) => {
                      const metric = run.metrics.find((m) => m.key === k);
                      return (
                        <Table.Td key={k} ff="monospace">
                          {metric ? formatMetric(metric.value ?? null) : "—"}
                        </Table.Td>
                      );
                    })}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <CursorPager
            total={experiment.runs.totalCount}
            noun="run"
            cursors={cursors}
            onChange={setCursors}
            hasNextPage={experiment.runs.pageInfo.hasNextPage}
            endCursor={experiment.runs.pageInfo.endCursor}
          />
        </>
      )}
    </Stack>
  );
}
