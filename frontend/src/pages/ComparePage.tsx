import {
  Anchor,
  Badge,
  Button,
  Group,
  Paper,
  Stack,
  Switch,
  Table,
  Text,
  Title,
  Tooltip,
} from "@mantine/core";
import { type ReactNode, useMemo, useState } from "react";
import { Link, useParams, useSearchParams } from "react-router";

import { Crumbs } from "../components/Crumbs";
import { cell, CompareSection, type Comparison, MetricsSection, type SectionId } from "../components/CompareSections";
import { ComparePlots } from "../components/ComparePlots";
import { CompareVersionPicker } from "../components/CompareVersionPicker";
import { StageBadge } from "../components/StageBadge";
import { EmptyState, Loading, NotFound, QueryError } from "../components/States";
import { CompareVersionsQuery } from "../graphql/compare";
import { ModelQuery } from "../graphql/models";
import {
  cellChanges,
  columnKey,
  formatColumn,
  VERDICT_LABELS,
} from "../lib/compare";
import { formatBytes, shortSha } from "../lib/files";
import { LivePage } from "../components/live/LivePage";
import { useLiveQuery } from "../components/live/useLive";
import { compareVersionsParam, urls } from "../urls";


/** `/projects/:project/models/:model/compare?versions=1.0.0,1.1.0[&diff=1]` */
/** Live: one subscription to the model's events refreshes the compared versions. */
export default function ComparePage() {
  const { project = "", model = "" } = useParams();
  return (
    <LivePage project={project} model={model}>
      <CompareView />
    </LivePage>
  );
}

function CompareView() {
  const { project = "", model = "" } = useParams();
  const [search] = useSearchParams();
  const versions = useMemo(() => compareVersionsParam(search.get("versions")), [search]);
  const [{ data, fetching, error }] = useLiveQuery({ query: ModelQuery, variables: { path: project, name: model } });
  const modelId = data?.project?.model?.id ?? null;
  const [compared] = useLiveQuery({
    query: CompareVersionsQuery,
    variables: { model: modelId ?? "", versions },
    pause: modelId === null || versions.length < 2,
  });

  if (error) return <QueryError error={error} />;
  if (fetching && !data) return <Loading />;
  const found = data?.project?.model;
  if (!data?.project || !found) return <NotFound what={`Model “${model}”`} />;
  const projectPath = data.project.path;

  const header = (
    <>
      <Crumbs
        project={{ path: projectPath, name: data.project.name }}
        model={{ name: found.name, to: urls.modelTab(projectPath, found.name, "versions") }}
        current="Compare"
      />
      <Title order={1}>Compare versions of {found.name}</Title>
    </>
  );

  // The picker is always there: to recover from a bad or single version, or to change the choice.
  const picker = <CompareVersionPicker key={`picker:${versions.join(",")}`} project={projectPath} model={found.name} wanted={versions} />;
  let body: ReactNode;
  if (versions.length < 2) {
    body = (
      <EmptyState
        title={versions.length === 0 ? "No versions chosen" : "Choose one more version"}
        action={
          <Button variant="default" component={Link} to={urls.modelTab(projectPath, found.name, "versions")}>
            Versions table
          </Button>
        }
      >
        Pick two to ten versions above (or in the model&apos;s versions table), then press Compare.
      </EmptyState>
    );
  } else if (compared.error) {
    body = <QueryError error={compared.error} />;
  } else if (!compared.data) {
    body = <Loading />;
  } else {
    body = (
      <ComparisonView
        key={versions.join(",")}
        comparison={compared.data.compareVersions}
        project={projectPath}
        model={found.name}
      />
    );
  }
  return (
    <Stack>
      {header}
      {picker}
      {body}
    </Stack>
  );
}

/** The header of compared versions, the global switch, the sections and the plots. */
export function ComparisonView({
  comparison,
  project,
  model,
}: {
  comparison: Comparison;
  project: string;
  model: string;
}) {
  const [search, setSearch] = useSearchParams();
  const globalDiff = search.get("diff") === "1";
  // A section's own switch wins over the global one until the global one is flipped again.
  const [own, setOwn] = useState<Partial<Record<SectionId, boolean>>>({});
  const only = (id: SectionId) => own[id] ?? globalDiff;
  const setGlobal = (on: boolean) => {
    setOwn({});
    setSearch(
      (current) => {
        const next = new URLSearchParams(current);
        if (on) next.set("diff", "1");
        else next.delete("diff");
        return next;
      },
      { replace: true },
    );
  };
  const plotInput = useMemo(
    () => ({
      versions: comparison.versions.map((v) => v.version),
      params: comparison.params,
      metrics: comparison.metrics,
    }),
    [comparison],
  );
  const sectionProps = (id: SectionId) => ({
    id,
    differencesOnly: only(id),
    onDifferencesOnly: (on: boolean) => setOwn((o) => ({ ...o, [id]: on })),
  });
  const versionHeads = comparison.versions.map((v) => (
    <Table.Th key={v.id} miw={140}>
      <Anchor component={Link} to={urls.version(project, model, v.version)} ff="monospace" size="sm">
        {v.version}
      </Anchor>
    </Table.Th>
  ));

  return (
    <Stack>
      <Paper withBorder p="md" component="section" aria-label="Compared versions">
        <Group justify="space-between" align="flex-start">
          <Group gap="lg" align="flex-start" data-testid="compared-versions">
            {comparison.versions.map((v, i) => {
              const verdict = VERDICT_LABELS[v.compatibility.verdict];
              return (
                <Stack key={v.id} gap={4}>
                  <Group gap={6}>
                    <Anchor component={Link} to={urls.version(project, model, v.version)} ff="monospace" fw={600}>
                      {v.version}
                    </Anchor>
                    {i === 0 && (
                      <Badge size="xs" variant="outline" tt="none">
                        baseline
                      </Badge>
                    )}
                  </Group>
                  <Group gap={4}>
                    <StageBadge stage={v.stage} size="xs" />
                    {v.isPrerelease && (
                      <Badge size="xs" color="orange" variant="light">
                        prerelease
                      </Badge>
                    )}
                    {v.compatibility.verdict === "TOO_SMALL" && (
                      <Tooltip label={v.compatibility.warning ?? verdict.label} multiline w={320}>
                        <Badge size="xs" color={verdict.color} variant="light" tt="none">
                          {verdict.label}
                        </Badge>
                      </Tooltip>
                    )}
                  </Group>
                </Stack>
              );
            })}
          </Group>
          <Switch
            label="Show differences only (all sections)"
            checked={globalDiff}
            onChange={(e) => setGlobal(e.currentTarget.checked)}
          />
        </Group>
        <Text size="xs" c="dimmed" mt="sm">
          Cells are coloured against the first version: green added, red missing, yellow changed.
        </Text>
      </Paper>

      <CompareSection {...sectionProps("params")} rows={comparison.params} heads={versionHeads} what="parameters"
        renderRow={(row) => {
          const changes = cellChanges(row.values.map((v) => v ?? null));
          return {
            key: row.key,
            label: <Text ff="monospace" size="sm">{row.key}</Text>,
            cells: row.values.map((value, i) => cell(i, changes[i]!, value ?? null, <Text ff="monospace" size="sm" style={{ wordBreak: "break-all" }}>{value}</Text>)),
          };
        }}
      />
      <MetricsSection {...sectionProps("metrics")} comparison={comparison} heads={versionHeads} />
      <CompareSection {...sectionProps("schema")} rows={comparison.signature} heads={versionHeads} what="signature columns"
        renderRow={(row) => {
          const changes = cellChanges(row.columns.map(columnKey));
          return {
            key: `${row.section}:${row.name}`,
            label: (
              <Group gap={6} wrap="nowrap">
                <Text ff="monospace" size="sm">{row.name}</Text>
                <Text size="xs" c="dimmed">{row.section === "INPUT" ? "input" : "output"}</Text>
              </Group>
            ),
            cells: row.columns.map((column, i) =>
              cell(i, changes[i]!, column ? "x" : null, column ? <Text ff="monospace" size="sm">{formatColumn(column)}</Text> : null),
            ),
          };
        }}
      />
      <CompareSection {...sectionProps("dependencies")} rows={comparison.dependencies} heads={versionHeads} what="dependencies"
        renderRow={(row) => {
          const keys = row.specifiers.map((s, i) => (s === null || s === undefined ? null : `${s}|${row.versions[i] ?? ""}`));
          const changes = cellChanges(keys);
          return {
            key: row.name,
            label: <Text ff="monospace" size="sm">{row.name}</Text>,
            cells: row.specifiers.map((spec, i) =>
              cell(
                i,
                changes[i]!,
                keys[i] ?? null,
                spec === null || spec === undefined ? null : (
                  <Text ff="monospace" size="sm">{spec === "" ? (row.versions[i] ?? "unpinned") : spec}</Text>
                ),
              ),
            ),
          };
        }}
      />
      <CompareSection {...sectionProps("files")} rows={comparison.files} heads={versionHeads} what="files"
        renderRow={(row) => {
          const changes = cellChanges(row.files.map((f) => f?.sha256 ?? null));
          return {
            key: row.path,
            label: <Text ff="monospace" size="sm" style={{ wordBreak: "break-all" }}>{row.path}</Text>,
            cells: row.files.map((f, i) =>
              cell(
                i,
                changes[i]!,
                f?.sha256 ?? null,
                f ? (
                  <Text size="sm" title={`sha256 ${f.sha256}`}>
                    {formatBytes(f.size)} · <Text span ff="monospace" inherit>{shortSha(f.sha256)}</Text>
                  </Text>
                ) : null,
              ),
            ),
          };
        }}
      />
      <Paper withBorder p="md" component="section" aria-labelledby="compare-plots">
        <Stack>
          <Title order={4} id="compare-plots">
            Parameters against metrics
          </Title>
          <ComparePlots input={plotInput} />
        </Stack>
      </Paper>
    </Stack>
  );
}
