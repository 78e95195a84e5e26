import {
  Anchor,
  Badge,
  Button,
  Group,
  Paper,
  SimpleGrid,
  Stack,
  Switch,
  Table,
  Text,
  Title,
  Tooltip,
  UnstyledButton,
} from "@mantine/core";
import { IconChevronDown, IconChevronRight } from "@tabler/icons-react";
import { Fragment, type ReactNode, useMemo, useState } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { useQuery } from "urql";

import { Crumbs } from "../components/Crumbs";
import { ComparePlots } from "../components/ComparePlots";
import { MetricChart } from "../components/MetricChart";
import { StageBadge } from "../components/StageBadge";
import { EmptyState, Loading, NotFound, QueryError } from "../components/States";
import type { CompareVersionsQuery as CompareData, RowStatus } from "../gql/graphql";
import { CompareVersionsQuery } from "../graphql/compare";
import { ModelQuery } from "../graphql/models";
import {
  CELL_CHANGE_LABELS,
  cellBackground,
  cellChanges,
  columnKey,
  formatColumn,
  STATUS_COLORS,
  statusCounts,
  VERDICT_LABELS,
  visibleRows,
} from "../lib/compare";
import { formatBytes, shortSha } from "../lib/files";
import { formatMetric } from "../lib/mlflow";
import { compareVersionsParam, urls } from "../urls";

type Comparison = CompareData["compareVersions"];
type SectionId = "params" | "metrics" | "schema" | "dependencies" | "files";

const SECTION_TITLES: Record<SectionId, string> = {
  params: "Parameters",
  metrics: "Metrics",
  schema: "Schema",
  dependencies: "Dependencies",
  files: "Files",
};

/** `/projects/:project/models/:model/compare?versions=1.0.0,1.1.0[&diff=1]` */
export default function ComparePage() {
  const { project = "", model = "" } = useParams();
  const [search] = useSearchParams();
  const versions = useMemo(() => compareVersionsParam(search.get("versions")), [search]);
  const [{ data, fetching, error }] = useQuery({ query: ModelQuery, variables: { path: project, name: model } });
  const modelId = data?.project?.model?.id ?? null;
  const [compared] = useQuery({
    query: CompareVersionsQuery,
    variables: { model: modelId ?? "", versions },
    pause: modelId === null || versions.length === 0,
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
      <Title order={2}>Compare versions of {found.name}</Title>
    </>
  );

  let body: ReactNode;
  if (versions.length === 0) {
    body = (
      <EmptyState
        title="No versions chosen"
        action={
          <Button component={Link} to={urls.modelTab(projectPath, found.name, "versions")}>
            Choose versions
          </Button>
        }
      >
        Select two to ten versions in the model&apos;s versions table, then press Compare.
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

interface CellView {
  key: string;
  change: ReturnType<typeof cellChanges>[number];
  content: ReactNode;
}

function cell(i: number, change: CellView["change"], present: string | null, content: ReactNode): CellView {
  return { key: String(i), change, content: present === null ? null : content };
}

interface RowView {
  key: string;
  label: ReactNode;
  cells: CellView[];
  /** Shown under the row when its label is expanded (metrics). */
  detail?: ReactNode;
}

function StatusBadge({ status }: { status: RowStatus }) {
  if (status === "SAME") return null;
  return (
    <Badge size="xs" color={STATUS_COLORS[status]} variant="light" data-testid="row-status">
      {status.toLowerCase()}
    </Badge>
  );
}

function SectionFrame({
  id,
  differencesOnly,
  onDifferencesOnly,
  rows,
  children,
}: {
  id: SectionId;
  differencesOnly: boolean;
  onDifferencesOnly: (on: boolean) => void;
  rows: readonly { status: RowStatus }[];
  children: ReactNode;
}) {
  const headingId = `compare-${id}`;
  return (
    <Paper withBorder p="md" component="section" aria-labelledby={headingId} data-testid={`section-${id}`}>
      <Stack gap="sm">
        <Group justify="space-between">
          <Group gap="sm">
            <Title order={4} id={headingId}>
              {SECTION_TITLES[id]}
            </Title>
            {statusCounts(rows).map((c) => (
              <Badge key={c.status} size="sm" color={STATUS_COLORS[c.status]} variant="light">
                {c.count} {c.status.toLowerCase()}
              </Badge>
            ))}
          </Group>
          <Switch
            label="Show differences only"
            checked={differencesOnly}
            onChange={(e) => onDifferencesOnly(e.currentTarget.checked)}
          />
        </Group>
        {children}
      </Stack>
    </Paper>
  );
}

function RowsTable({
  id,
  rows,
  heads,
  what,
  differencesOnly,
  total,
}: {
  id: SectionId;
  rows: readonly (RowView & { status: RowStatus })[];
  heads: ReactNode[];
  what: string;
  differencesOnly: boolean;
  total: number;
}) {
  if (total === 0) {
    return (
      <Text size="sm" c="dimmed">
        No {what} in these versions.
      </Text>
    );
  }
  if (rows.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        No differences: the {total === 1 ? "one row is" : `${total} rows are`} the same in every version.
      </Text>
    );
  }
  return (
    <Table.ScrollContainer minWidth={400}>
      <Table aria-label={SECTION_TITLES[id]} withColumnBorders verticalSpacing={6}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th miw={200}>{differencesOnly ? `${rows.length} of ${total}` : ""}</Table.Th>
            {heads}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row) => (
            <Fragment key={row.key}>
              <Table.Tr data-testid="compare-row" data-status={row.status}>
                <Table.Td>
                  <Group gap={6} wrap="nowrap" justify="space-between">
                    {row.label}
                    <StatusBadge status={row.status} />
                  </Group>
                </Table.Td>
                {row.cells.map((c) => (
                  <Table.Td
                    key={c.key}
                    data-change={c.change}
                    title={c.change === "base" || c.change === "same" ? undefined : CELL_CHANGE_LABELS[c.change]}
                    style={{ background: cellBackground(c.change) }}
                  >
                    {c.content ?? (
                      <Text size="sm" c="dimmed" aria-label="absent">
                        —
                      </Text>
                    )}
                  </Table.Td>
                ))}
              </Table.Tr>
              {row.detail && (
                <Table.Tr>
                  <Table.Td colSpan={row.cells.length + 1}>{row.detail}</Table.Td>
                </Table.Tr>
              )}
            </Fragment>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function CompareSection<T extends { differs: boolean; status: RowStatus }>({
  id,
  differencesOnly,
  onDifferencesOnly,
  rows,
  heads,
  what,
  renderRow,
}: {
  id: SectionId;
  differencesOnly: boolean;
  onDifferencesOnly: (on: boolean) => void;
  rows: readonly T[];
  heads: ReactNode[];
  what: string;
  renderRow: (row: T) => RowView;
}) {
  const shown = visibleRows(rows, differencesOnly).map((r) => ({ ...renderRow(r), status: r.status }));
  return (
    <SectionFrame id={id} differencesOnly={differencesOnly} onDifferencesOnly={onDifferencesOnly} rows={rows}>
      <RowsTable id={id} rows={shown} heads={heads} what={what} differencesOnly={differencesOnly} total={rows.length} />
    </SectionFrame>
  );
}

/** Metrics: the latest value per version; a row expands to each version's step history. */
function MetricsSection({
  id,
  differencesOnly,
  onDifferencesOnly,
  comparison,
  heads,
}: {
  id: SectionId;
  differencesOnly: boolean;
  onDifferencesOnly: (on: boolean) => void;
  comparison: Comparison;
  heads: ReactNode[];
}) {
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const toggle = (key: string) =>
    setOpen((current) => {
      const next = new Set(current);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });
  const rows = visibleRows(comparison.metrics, differencesOnly).map((m) => {
    const keys = m.latest.map((v, i) => (m.present[i] ? String(v ?? "NaN") : null));
    const changes = cellChanges(keys);
    const expanded = open.has(m.key);
    const view: RowView & { status: RowStatus } = {
      key: m.key,
      status: m.status,
      label: (
        <UnstyledButton
          onClick={() => toggle(m.key)}
          aria-expanded={expanded}
          aria-label={`${expanded ? "Hide" : "Show"} history of ${m.key}`}
          ff="monospace"
          fz="sm"
        >
          {expanded ? <IconChevronDown size={14} /> : <IconChevronRight size={14} />} {m.key}
        </UnstyledButton>
      ),
      cells: m.latest.map((value, i) =>
        cell(i, changes[i]!, keys[i] ?? null, <Text ff="monospace" size="sm">{formatMetric(value ?? null)}</Text>),
      ),
      detail: expanded ? (
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} data-testid={`history-${m.key}`}>
          {m.history.map((series) => (
            <Stack key={series.version} gap={2}>
              <Text size="sm" ff="monospace" fw={500}>
                {series.version}
              </Text>
              {series.points.length === 0 ? (
                <Text size="sm" c="dimmed">
                  Not logged.
                </Text>
              ) : (
                <MetricChart
                  metric={`${m.key} of ${series.version}`}
                  points={series.points.map((p) => ({ step: p.step, value: p.value ?? null }))}
                />
              )}
            </Stack>
          ))}
        </SimpleGrid>
      ) : undefined,
    };
    return view;
  });
  return (
    <SectionFrame id={id} differencesOnly={differencesOnly} onDifferencesOnly={onDifferencesOnly} rows={comparison.metrics}>
      <RowsTable id={id} rows={rows} heads={heads} what="metrics" differencesOnly={differencesOnly} total={comparison.metrics.length} />
    </SectionFrame>
  );
}
