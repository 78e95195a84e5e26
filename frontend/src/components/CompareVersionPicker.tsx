/**
 * The compare page's version picker: choose two to ten of the model's versions and compare them.
 * It starts from the URL's versions the model has (a bad or single version is not a dead end)
 * and writes the choice back to the URL (`?versions=`), so reload and back keep it.
 */
import { Alert, Button, Group, MultiSelect, Paper, Text, Tooltip } from "@mantine/core";
import { useState } from "react";
import { useSearchParams } from "react-router";
import { useQuery } from "urql";

import { ModelVersionsQuery } from "../graphql/models";
import { compareSelectionProblem, MAX_COMPARE } from "../lib/compare";
import { pickerSelection, unknownVersions } from "../lib/glance";
import { stageLabel } from "../lib/activity";

export function CompareVersionPicker({
  project,
  model,
  wanted,
}: {
  project: string;
  model: string;
  /** The versions the URL names, in order. */
  wanted: readonly string[];
}) {
  const [, setSearch] = useSearchParams();
  const [{ data, error }] = useQuery({ query: ModelVersionsQuery, variables: { path: project, name: model, first: 100 } });
  const edges = data?.project?.model?.versions?.edges ?? null;
  const known = edges ? edges.map((e) => e.node.version) : null;
  const [picked, setPicked] = useState<string[] | null>(null);
  const value = picked ?? pickerSelection(wanted, known);
  const missing = known ? unknownVersions(wanted, known) : [];
  const problem = compareSelectionProblem(value.length);
  const same = value.join(",") === wanted.join(",");

  const compare = () =>
    setSearch((current) => {
      const next = new URLSearchParams(current);
      next.set("versions", value.join(","));
      return next;
    });

  return (
    <Paper withBorder p="md" component="section" aria-label="Choose versions" data-loaded={known ? "true" : undefined}>
      {missing.length > 0 && (
        <Alert color="yellow" mb="sm" data-testid="unknown-versions">
          {model} has no version {missing.join(", ")}. Pick the versions to compare below.
        </Alert>
      )}
      <Group align="flex-end" wrap="wrap">
        <MultiSelect
          label="Versions to compare"
          description={`Two to ${MAX_COMPARE}; the first is the baseline.`}
          placeholder={value.length ? undefined : "Pick versions"}
          data={(edges ?? []).map((e) => ({
            value: e.node.version,
            label: e.node.stage === "NONE" ? e.node.version : `${e.node.version} (${stageLabel(e.node.stage)})`,
          }))}
          value={value}
          onChange={setPicked}
          maxValues={MAX_COMPARE}
          searchable
          clearable
          style={{ flex: 1, minWidth: 260 }}
          error={error ? "The model's versions could not be loaded." : undefined}
        />
        <Tooltip label={problem ?? ""} disabled={!problem}>
          <Button onClick={compare} disabled={Boolean(problem) || same}>
            Compare
          </Button>
        </Tooltip>
      </Group>
      {problem && value.length > 0 && (
        <Text size="xs" c="dimmed" mt={4}>
          {problem}
        </Text>
      )}
    </Paper>
  );
}
