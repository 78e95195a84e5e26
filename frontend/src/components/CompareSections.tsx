/** The compare page's sections: a table per kind of difference (parameters, metrics with their
 * step history, schema, dependencies, files), each with its own "differences only" switch. */
import {
  Badge,
  Group,
  Paper,
  SimpleGrid,
  Stack,
  Switch,
  Table,
  Text,
  Title,
  UnstyledButton,
  VisuallyHidden,
} from "@mantine/core";
import { IconChevronDown, IconChevronRight } from "@tabler/icons-react";
import { Fragment, type ReactNode, useState } from "react";

import { MetricChart } from "./MetricChart";
import type { CompareVersionsQuery as CompareData, RowStatus } from "../gql/graphql";
import {
  CELL_CHANGE_LABELS,
  cellBackground,
  cellChanges,
  STATUS_COLORS,
  statusCounts,
  visibleRows,
} from "../lib/compare";
import { formatMetric } from "../lib/mlflow";


export type Comparison = CompareData["compareVersions"];
export type SectionId = "params" | "metrics" | "schema" | "dependencies" | "files";

const SECTION_TITLES: Record<SectionId, string> = {
  params: "Parameters",
  metrics: "Metrics",
  schema: "Schema",
  dependencies: "Dependencies",
  files: "Files",
};
interface CellView {
  key: string;
  change: ReturnType<typeof cellChanges>[number];
  content: ReactNode;
}

export function cell(i: number, change: CellView["change"], present: string | null, content: ReactNode): CellView {
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
            <Table.Th miw={200}>
              {differencesOnly ? `${rows.length} of ${total}` : <VisuallyHidden>Name</VisuallyHidden>}
            </Table.Th>
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

export function CompareSection<T extends { differs: boolean; status: RowStatus }>({
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
export function MetricsSection({
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
