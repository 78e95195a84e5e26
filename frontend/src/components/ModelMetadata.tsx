import { Alert, Badge, Button, Code, Group, List, Paper, Stack, Table, Text, Title } from "@mantine/core";
import type { ReactNode } from "react";

import type {
  Bump,
  CompatibilityFieldsFragment,
  CompatibilityVerdict,
  MetadataWarningCode,
  SemverGuard,
} from "../gql/graphql";
import { bumpLabel, VERDICT_LABELS } from "../lib/compare";
import { Field } from "./Field";

/** What the MLmodel, requirements.txt, conda.yaml and python_env.yaml of a version say. */

export interface SignatureColumnInfo {
  name?: string | null;
  type: string;
  shape?: readonly number[] | null;
  optional: boolean;
}

export interface SignatureInfo {
  inputs: readonly SignatureColumnInfo[];
  outputs: readonly SignatureColumnInfo[];
  params: readonly { name: string; type: string; default?: string | null; shape?: readonly number[] | null }[];
}

export interface WarningInfo {
  code: MetadataWarningCode;
  file?: string | null;
  message: string;
}

export interface DependenciesInfo {
  root: string;
  mlmodelPath?: string | null;
  flavors: readonly string[];
  pythonVersion?: string | null;
  mlflowVersion?: string | null;
  runtime: readonly { key: string; value: string }[];
  condaChannels: readonly string[];
  packages: readonly {
    name: string;
    requirement: string;
    specifier: string;
    version?: string | null;
    pinned: boolean;
    sources: readonly string[];
  }[];
  files: readonly string[];
  warnings: readonly WarningInfo[];
}

const WARNING_TITLES: Record<MetadataWarningCode, string> = {
  UNPINNED_REQUIREMENT: "Unpinned requirement",
  CONDA_DEFAULTS_CHANNEL: "Conda defaults channel",
  MISSING_DEPENDENCY_FILE: "Missing dependency file",
  MALFORMED_FILE: "Malformed file",
};

const SOURCE_LABELS: Record<string, string> = {
  REQUIREMENTS: "requirements.txt",
  CONDA: "conda.yaml",
  CONDA_PIP: "conda.yaml (pip)",
  PYTHON_ENV: "python_env.yaml",
};

export const GUARD_LABELS: Record<SemverGuard, { label: string; summary: string }> = {
  OFF: { label: "Off", summary: "Version numbers are not checked against what changed." },
  WARN: {
    label: "Warn",
    summary: "A version whose number is too small for its changes shows a warning; the create form suggests the number.",
  },
  ENFORCE: {
    label: "Enforce",
    summary: "Creating a version whose number is too small is refused, and prereleases cannot go to Production.",
  },
};

function Panel({ id, title, children, extra }: { id: string; title: string; children: ReactNode; extra?: ReactNode }) {
  return (
    <Paper withBorder p="md" component="section" aria-labelledby={id}>
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={4} id={id}>
            {title}
          </Title>
          {extra}
        </Group>
        {children}
      </Stack>
    </Paper>
  );
}

function ColumnsTable({ label, columns }: { label: string; columns: readonly SignatureColumnInfo[] }) {
  if (columns.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        No {label.toLowerCase()}.
      </Text>
    );
  }
  return (
    <Table aria-label={label} striped verticalSpacing={4}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Name</Table.Th>
          <Table.Th>Type</Table.Th>
          <Table.Th>Shape</Table.Th>
          <Table.Th>Required</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {columns.map((c, i) => (
          <Table.Tr key={`${c.name ?? ""}-${i}`}>
            <Table.Td ff="monospace">{c.name ?? <Text span c="dimmed" size="sm">unnamed</Text>}</Table.Td>
            <Table.Td ff="monospace">{c.type}</Table.Td>
            <Table.Td ff="monospace">{c.shape && c.shape.length > 0 ? `[${c.shape.join(", ")}]` : "—"}</Table.Td>
            <Table.Td>
              {c.optional ? (
                <Badge size="sm" variant="light" color="gray">
                  optional
                </Badge>
              ) : (
                <Badge size="sm" variant="light">
                  required
                </Badge>
              )}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** Inputs, outputs and inference params of the model's signature. */
export function SignaturePanel({ signature }: { signature: SignatureInfo | null | undefined }) {
  return (
    <Panel id="signature-heading" title="Signature">
      {!signature ? (
        <Text size="sm" c="dimmed">
          No signature: the version has no MLmodel file, or its MLmodel declares no inputs and outputs. Log the
          model with an input example or a signature to get one.
        </Text>
      ) : (
        <>
          <Title order={5}>Inputs</Title>
          <ColumnsTable label="Inputs" columns={signature.inputs} />
          <Title order={5}>Outputs</Title>
          <ColumnsTable label="Outputs" columns={signature.outputs} />
          {signature.params.length > 0 && (
            <>
              <Title order={5}>Parameters</Title>
              <Table aria-label="Inference parameters" striped verticalSpacing={4}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Name</Table.Th>
                    <Table.Th>Type</Table.Th>
                    <Table.Th>Default</Table.Th>
                    <Table.Th>Shape</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {signature.params.map((p) => (
                    <Table.Tr key={p.name}>
                      <Table.Td ff="monospace">{p.name}</Table.Td>
                      <Table.Td ff="monospace">{p.type}</Table.Td>
                      <Table.Td ff="monospace">{p.default ?? "—"}</Table.Td>
                      <Table.Td ff="monospace">{p.shape && p.shape.length > 0 ? `[${p.shape.join(", ")}]` : "—"}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </>
          )}
        </>
      )}
    </Panel>
  );
}

export function MetadataWarnings({ warnings }: { warnings: readonly WarningInfo[] }) {
  if (warnings.length === 0) return null;
  return (
    <Stack gap="xs" data-testid="metadata-warnings">
      {warnings.map((w, i) => (
        <Alert key={`${w.code}-${w.file ?? ""}-${i}`} color={w.code === "MALFORMED_FILE" ? "red" : "yellow"} variant="light"
          title={w.file ? `${WARNING_TITLES[w.code]}: ${w.file}` : WARNING_TITLES[w.code]}>
          {w.message}
        </Alert>
      ))}
    </Stack>
  );
}

/** Python and MLflow versions, flavors, packages (pinned or not), conda channels, files, warnings. */
export function DependenciesPanel({
  dependencies,
  warnings,
}: {
  dependencies: DependenciesInfo | null | undefined;
  /** The version's metadata warnings; shown when there are no dependencies to list them with. */
  warnings: readonly WarningInfo[];
}) {
  if (!dependencies) {
    return (
      <Panel id="dependencies-heading" title="Dependencies">
        <MetadataWarnings warnings={warnings} />
        <Text size="sm" c="dimmed">
          No MLmodel and no dependency file (requirements.txt, conda.yaml, python_env.yaml) in this version.
        </Text>
      </Panel>
    );
  }
  const d = dependencies;
  const unpinned = d.packages.filter((p) => !p.pinned).length;
  return (
    <Panel
      id="dependencies-heading"
      title="Dependencies"
      extra={
        d.mlmodelPath ? (
          <Text size="xs" c="dimmed" ff="monospace">
            {d.mlmodelPath}
          </Text>
        ) : undefined
      }
    >
      <MetadataWarnings warnings={d.warnings} />
      <Group gap="xl" align="flex-start">
        <Field label="Python">
          <Text ff="monospace">{d.pythonVersion ?? "—"}</Text>
        </Field>
        <Field label="MLflow">
          <Text ff="monospace">{d.mlflowVersion ?? "—"}</Text>
        </Field>
        <Field label="Flavors">
          <Group gap={4}>
            {d.flavors.length === 0 ? <Text>—</Text> : d.flavors.map((f) => (
              <Badge key={f} variant="outline" tt="none">
                {f}
              </Badge>
            ))}
          </Group>
        </Field>
        {d.condaChannels.length > 0 && (
          <Field label="Conda channels">
            <Group gap={4}>
              {d.condaChannels.map((c) => (
                <Badge key={c} variant="light" color={c === "defaults" ? "orange" : "gray"} tt="none">
                  {c}
                </Badge>
              ))}
            </Group>
          </Field>
        )}
        {d.runtime.map((r) => (
          <Field key={r.key} label={r.key}>
            <Text ff="monospace">{r.value}</Text>
          </Field>
        ))}
      </Group>
      {d.packages.length === 0 ? (
        <Text size="sm" c="dimmed">
          No packages listed.
        </Text>
      ) : (
        <>
          <Text size="sm" c="dimmed">
            {d.packages.length} package{d.packages.length === 1 ? "" : "s"}
            {unpinned > 0 ? `, ${unpinned} not pinned to one version` : ", all pinned"}.
          </Text>
          <Table aria-label="Packages" striped verticalSpacing={4}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Package</Table.Th>
                <Table.Th>Requirement</Table.Th>
                <Table.Th>Version</Table.Th>
                <Table.Th w={100}>Pinned</Table.Th>
                <Table.Th>From</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {d.packages.map((p) => (
                <Table.Tr key={p.name} data-testid="package-row">
                  <Table.Td ff="monospace">{p.name}</Table.Td>
                  <Table.Td ff="monospace">{p.requirement}</Table.Td>
                  <Table.Td ff="monospace">{p.version ?? "—"}</Table.Td>
                  <Table.Td>
                    {p.pinned ? (
                      <Badge size="sm" color="green" variant="light">
                        pinned
                      </Badge>
                    ) : (
                      <Badge size="sm" color="orange" variant="light">
                        unpinned
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Text size="xs" c="dimmed">
                      {p.sources.map((s) => SOURCE_LABELS[s] ?? s).join(", ")}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </>
      )}
      {d.files.length > 0 && (
        <Text size="sm">
          Read from{" "}
          {d.files.map((f, i) => (
            <span key={f}>
              {i > 0 && ", "}
              <Code>{f}</Code>
            </span>
          ))}
          .
        </Text>
      )}
    </Panel>
  );
}

export function VerdictBadge({ verdict, size = "md" }: { verdict: CompatibilityVerdict; size?: "xs" | "sm" | "md" | "lg" }) {
  const v = VERDICT_LABELS[verdict];
  return (
    <Badge color={v.color} variant="light" size={size} tt="none" data-testid="verdict-badge" data-verdict={verdict}>
      {v.label}
    </Badge>
  );
}

function BumpBadge({ bump }: { bump: Bump | null | undefined }) {
  if (!bump) return <Text span>—</Text>;
  const color = bump === "MAJOR" ? "red" : bump === "MINOR" ? "blue" : "gray";
  return (
    <Badge size="sm" color={color} variant="light">
      {bumpLabel(bump)}
    </Badge>
  );
}

export function ReasonsList({ reasons }: { reasons: CompatibilityFieldsFragment["reasons"] }) {
  if (reasons.length === 0) return null;
  return (
    <List size="sm" spacing={4} aria-label="Reasons">
      {reasons.map((r, i) => (
        <List.Item key={`${r.kind}-${r.column}-${i}`}>
          <Group gap={6} wrap="nowrap" align="baseline">
            <BumpBadge bump={r.bump} />
            <Text size="sm">{r.message}</Text>
          </Group>
        </List.Item>
      ))}
    </List>
  );
}

/** The guard's sentence: yellow under WARN, red under ENFORCE. */
export function GuardWarning({ compatibility }: { compatibility: Pick<CompatibilityFieldsFragment, "warning" | "guard"> }) {
  if (!compatibility.warning) return null;
  return (
    <Alert color={compatibility.guard === "ENFORCE" ? "red" : "yellow"} variant="light" data-testid="guard-warning">
      {compatibility.warning}
    </Alert>
  );
}

/** Declared bump against the previous release, the bump the changes require, verdict and reasons. */
export function CompatibilityPanel({ compatibility }: { compatibility: CompatibilityFieldsFragment }) {
  const c = compatibility;
  return (
    <Panel id="compatibility-heading" title="Compatibility" extra={<VerdictBadge verdict={c.verdict} />}>
      <GuardWarning compatibility={c} />
      <Group gap="xl" align="flex-start">
        <Field label="Previous release">
          <Text ff="monospace">{c.previousVersion ?? "—"}</Text>
        </Field>
        <Field label="Declared bump">
          <BumpBadge bump={c.declaredBump} />
        </Field>
        <Field label="Required bump">
          <BumpBadge bump={c.requiredBump} />
        </Field>
        {c.suggestedVersion && c.verdict === "TOO_SMALL" && (
          <Field label="Suggested version">
            <Text ff="monospace">{c.suggestedVersion}</Text>
          </Field>
        )}
        <Field label="SemVer guard">
          <Text>{GUARD_LABELS[c.guard].label}</Text>
        </Field>
      </Group>
      {c.verdict === "FIRST_RELEASE" && (
        <Text size="sm" c="dimmed">
          No earlier release to compare with: any number is fine.
        </Text>
      )}
      {c.verdict === "UNKNOWN" && (
        <Text size="sm" c="dimmed">
          Not checked: this version or the previous release has no MLmodel signature to compare.
        </Text>
      )}
      <ReasonsList reasons={c.reasons} />
      {c.verdict === "OK" && c.reasons.length === 0 && (
        <Text size="sm" c="dimmed">
          Same signature as {c.previousVersion ?? "the previous release"}: a patch is enough.
        </Text>
      )}
      {c.isPrerelease && (
        <Alert color="orange" variant="light" title="Prerelease">
          A prerelease is not for Production.
          {c.guard === "ENFORCE" ? " This project refuses to move prereleases to Production." : ""}
        </Alert>
      )}
    </Panel>
  );
}

/** The create form's hint: what the attached MLmodel requires, and a button to use the suggestion. */
export function VersionCheckHint({
  check,
  typed,
  onUse,
}: {
  check: CompatibilityFieldsFragment;
  /** The number typed so far, if valid. */
  typed: string | null;
  onUse: (version: string) => void;
}) {
  const c = check;
  const previous = c.previousVersion ? ` over ${c.previousVersion}` : "";
  const tooSmall = c.verdict === "TOO_SMALL";
  const color = tooSmall ? (c.guard === "ENFORCE" ? "red" : "yellow") : c.verdict === "OK" ? "green" : "blue";
  let title: string;
  if (c.verdict === "FIRST_RELEASE") title = "First release of this model";
  else if (c.verdict === "UNKNOWN") title = "The change could not be assessed";
  else if (!c.requiredBump) title = "Checked against the attached MLmodel";
  else title = `The attached MLmodel needs a ${bumpLabel(c.requiredBump).toLowerCase()} bump${previous}`;
  return (
    <Alert color={color} variant="light" title={title} data-testid="version-check">
      <Stack gap="xs">
        <ReasonsList reasons={c.reasons} />
        {c.requiredBump && c.reasons.length === 0 && (
          <Text size="sm">Same signature as {c.previousVersion ?? "the previous release"}.</Text>
        )}
        {typed && c.verdict === "OK" && <Text size="sm">{typed} fits these changes.</Text>}
        {tooSmall && c.guard === "ENFORCE" && (
          <Text size="sm" fw={500}>
            This project enforces SemVer: creating {typed ?? "a version with a smaller number"} will be refused.
          </Text>
        )}
        {tooSmall && c.guard !== "ENFORCE" && c.warning && <Text size="sm">{c.warning}</Text>}
        {c.suggestedVersion && c.suggestedVersion !== typed && (
          <Group gap="xs">
            <Text size="sm">Suggested: {c.suggestedVersion}</Text>
            <Button size="compact-sm" variant="light" onClick={() => onUse(c.suggestedVersion!)}>
              Use {c.suggestedVersion}
            </Button>
          </Group>
        )}
        {c.guard === "OFF" && (
          <Text size="xs" c="dimmed">
            The SemVer guard is off in this project: nothing is enforced.
          </Text>
        )}
      </Stack>
    </Alert>
  );
}
