import { Anchor, Badge, Breadcrumbs, Text } from "@mantine/core";
import type { ReactNode } from "react";
import { Link } from "react-router";

import { runUrls } from "../../lib/mlflowLinks";
import { urls } from "../../urls";

const STATUS_COLORS: Record<string, string> = {
  FINISHED: "green",
  RUNNING: "blue",
  SCHEDULED: "gray",
  FAILED: "red",
  KILLED: "orange",
};

/** A run's status as MLflow names it, coloured: finished green, failed red, running blue. */
export function RunStatusBadge({ status }: { status: string }) {
  return (
    <Badge color={STATUS_COLORS[status] ?? "gray"} variant="light">
      {status.toLowerCase()}
    </Badge>
  );
}

/** Projects › project › Experiments › [experiment ›] where the page is. */
export function RunCrumbs({
  project,
  experiment,
  current,
}: {
  project: { path: string; name: string };
  experiment?: { experimentId: string; name: string };
  current?: ReactNode;
}) {
  return (
    <Breadcrumbs>
      <Anchor component={Link} to={urls.projects()}>
        Projects
      </Anchor>
      <Anchor component={Link} to={urls.project(project.path)}>
        {project.name}
      </Anchor>
      {current === undefined && !experiment ? (
        <Text>Experiments</Text>
      ) : (
        <Anchor component={Link} to={runUrls.experiments(project.path)}>
          Experiments
        </Anchor>
      )}
      {experiment &&
        (current === undefined ? (
          <Text>{experiment.name}</Text>
        ) : (
          <Anchor component={Link} to={runUrls.experiment(project.path, experiment.experimentId)}>
            {experiment.name}
          </Anchor>
        ))}
      {current !== undefined && <Text>{current}</Text>}
    </Breadcrumbs>
  );
}

/** The metric keys worth a column in a table of runs: those most runs logged, then by name. */
export function keyMetricColumns(
  runs: readonly { metrics: readonly { key: string }[] }[],
  max = 4,
): string[] {
  const counts = new Map<string, number>();
  for (const run of runs) for (const m of run.metrics) counts.set(m.key, (counts.get(m.key) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, max)
    .map(([key]) => key);
}
