/**
 * Which version is where, at a glance: the model header's "Production: 1.4.0 · Staging: 1.5.0-rc.1"
 * and its aliases (`@champion → 1.4.0`), the models table's stage cells, and the version header's
 * stage and aliases. Every version named is a link to its page.
 */
import { Anchor, Badge, Group, Text } from "@mantine/core";
import { Fragment } from "react";
import { Link } from "react-router";

import { inStage, stageGroups, type StagedVersion } from "../lib/glance";
import { urls } from "../urls";
import { StageBadge } from "./StageBadge";

interface Where {
  project: string;
  model: string;
}

function VersionLinks({ project, model, versions }: Where & { versions: readonly StagedVersion[] }) {
  return (
    <>
      {versions.map((v, i) => (
        <Fragment key={v.id}>
          {i > 0 && ", "}
          <Anchor component={Link} to={urls.version(project, model, v.version)} ff="monospace" inherit>
            {v.version}
          </Anchor>
        </Fragment>
      ))}
    </>
  );
}

/** "Production: 1.4.0 · Staging: 1.5.0-rc.1"; nothing when no version is in either stage. */
export function StageSummary({ project, model, versions }: Where & { versions: readonly StagedVersion[] }) {
  const groups = stageGroups(versions);
  if (groups.length === 0) return null;
  return (
    <Text size="sm" data-testid="stage-summary">
      {groups.map((g, i) => (
        <Fragment key={g.stage}>
          {i > 0 && " · "}
          <Text span inherit fw={600}>
            {g.label}:
          </Text>{" "}
          <VersionLinks project={project} model={model} versions={g.versions} />
        </Fragment>
      ))}
    </Text>
  );
}

export interface AliasTarget {
  alias: string;
  version: { id: string; version: string };
}

/** The model's aliases, `@champion → 1.4.0`, each linking to its version; nothing when none. */
export function AliasSummary({ project, model, aliases }: Where & { aliases: readonly AliasTarget[] }) {
  if (aliases.length === 0) return null;
  return (
    <Group gap="xs" data-testid="alias-summary" aria-label="Aliases">
      {aliases.map((a) => (
        <Badge
          key={a.alias}
          component={Link}
          to={urls.version(project, model, a.version.version)}
          variant="outline"
          tt="none"
          style={{ cursor: "pointer" }}
        >
          @{a.alias} → {a.version.version}
        </Badge>
      ))}
    </Group>
  );
}

/** One stage's versions in a models table cell, or a dimmed dash. */
export function StageCell({ project, model, versions, stage }: Where & { versions: readonly StagedVersion[]; stage: string }) {
  const found = inStage(versions, stage);
  if (found.length === 0) {
    return (
      <Text c="dimmed" size="sm" aria-label="none">
        —
      </Text>
    );
  }
  return (
    <Text size="sm" data-testid={`stage-cell-${stage.toLowerCase()}`}>
      <VersionLinks project={project} model={model} versions={found} />
    </Text>
  );
}

/** The version header's stage badge and its aliases (`@champion`). */
export function VersionPlace({ stage, aliases }: { stage: string; aliases: readonly string[] }) {
  return (
    <Group gap={6} data-testid="version-place">
      <StageBadge stage={stage} size="lg" />
      {aliases.map((alias) => (
        <Badge key={alias} size="lg" variant="outline" tt="none">
          @{alias}
        </Badge>
      ))}
    </Group>
  );
}
