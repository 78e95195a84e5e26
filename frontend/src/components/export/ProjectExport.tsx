import { Alert, Button, Group, MultiSelect, NumberInput, Paper, Radio, Stack, Text, Title } from "@mantine/core";
import { useState } from "react";
import { useQuery } from "urql";

import { ProjectExportQuery } from "../../graphql/export";
import { exportRefusal, exportUrl } from "../../lib/exports";
import type { Verdict } from "../../lib/permissions";
import { NotAllowedNote } from "../Permitted";
import { QueryError } from "../States";

/** Starts a download the browser saves itself (the archive never passes through script memory). */
export type StartDownload = (url: string) => void;

const openInPlace: StartDownload = (url) => window.location.assign(url);

/** Project settings' "Export" section: MAINTAINERs and up download the project as an archive. */
export function ProjectExport({ path, verdict }: { path: string; verdict: Verdict }) {
  const [{ data, error }] = useQuery({ query: ProjectExportQuery, variables: { path }, pause: !verdict.allowed });
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="export-title">
      <Stack gap="sm">
        <Title order={3} id="export-title">
          Export
        </Title>
        <Text size="sm">
          Download the project — models, versions, their history and files — as one archive. Import it on another
          instance with <code>modelreg import</code>.
        </Text>
        {!verdict.allowed ? (
          <NotAllowedNote verdict={verdict} />
        ) : error ? (
          <QueryError error={error} />
        ) : data?.project ? (
          <ExportForm
            path={path}
            models={data.project.models.edges.map((e) => e.node.name)}
            totalModels={data.project.models.totalCount}
            latestEventId={data.project.latestEventId ?? null}
          />
        ) : null}
      </Stack>
    </Paper>
  );
}

/** The choices and the download button; `start` is replaced in tests. */
export function ExportForm({
  path,
  models,
  totalModels,
  latestEventId,
  start = openInPlace,
  check = (url) => fetch(url, { method: "HEAD", credentials: "same-origin" }),
}: {
  path: string;
  models: string[];
  totalModels: number;
  latestEventId: number | null;
  start?: StartDownload;
  check?: (url: string) => Promise<Response>;
}) {
  const [which, setWhich] = useState<"all" | "some">("all");
  const [chosen, setChosen] = useState<string[]>([]);
  const [since, setSince] = useState<string | number>("");
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);

  const sinceEvent = since === "" ? null : Number(since);
  const sinceError =
    sinceEvent !== null && (!Number.isInteger(sinceEvent) || sinceEvent < 0)
      ? "An event id is a whole number of zero or more."
      : sinceEvent !== null && sinceEvent > (latestEventId ?? 0)
        ? `The latest event is #${latestEventId ?? 0}; choose it or an earlier one.`
        : null;
  const noneChosen = which === "some" && chosen.length === 0;

  const download = async () => {
    const url = exportUrl(path, { models: which === "some" ? chosen : [], sinceEvent });
    setBusy(true);
    setRefusal(null);
    try {
      // Checked first (HEAD: every check, no archive), so a refusal shows here, not as a saved file.
      const answer = await check(url);
      if (answer.ok) start(url);
      else setRefusal(exportRefusal(answer.status));
    } catch {
      setRefusal("The server could not be reached; try again in a moment.");
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack gap="sm">
      <Radio.Group label="Models" value={which} onChange={(v) => setWhich(v === "some" ? "some" : "all")}>
        <Group mt={6}>
          <Radio value="all" label="All models" />
          <Radio value="some" label="Some models" />
        </Group>
      </Radio.Group>
      {which === "some" && (
        <MultiSelect
          label="Models to export"
          placeholder="Choose models"
          data={models}
          value={chosen}
          onChange={setChosen}
          searchable
          description={totalModels > models.length ? `The first ${models.length} of ${totalModels} models by name.` : undefined}
          error={noneChosen ? "Choose at least one model, or export all of them." : undefined}
        />
      )}
      <NumberInput
        label="Only changes after event"
        description={
          latestEventId === null
            ? "Nothing has happened in this project yet."
            : `Leave empty for everything. The latest event is #${latestEventId}: note it, and a later export after it holds only what changed since today.`
        }
        placeholder="every event"
        value={since}
        onChange={setSince}
        min={0}
        allowDecimal={false}
        allowNegative={false}
        error={sinceError}
      />
      {latestEventId !== null && (
        <Text size="sm" data-testid="latest-event">
          Latest event: #{latestEventId}
        </Text>
      )}
      {refusal && (
        <Alert color="red" role="alert">
          {refusal}
        </Alert>
      )}
      <Group>
        <Button onClick={download} loading={busy} disabled={noneChosen || sinceError !== null}>
          Download archive
        </Button>
      </Group>
    </Stack>
  );
}
