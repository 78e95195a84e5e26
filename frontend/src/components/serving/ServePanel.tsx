import { Alert, Anchor, Badge, Group, Paper, Stack, Table, Text, Title } from "@mantine/core";
import { Link } from "react-router";

import type { DeploymentFieldsFragment } from "../../gql/graphql";
import { VersionDeploymentsQuery } from "../../graphql/deployments";
import { INSTALL_LINE, followingPhrase, serveCommands } from "../../lib/serving";
import { urls } from "../../urls";
import { CopyCode } from "../CopyCode";
import { formatDate } from "../dates";
import { useLiveQuery } from "../live/useLive";

interface Where {
  project: string;
  model: string;
  version: string;
  stage: string;
  aliases: readonly string[];
}

/** The version page's Serve section: the commands that serve it, and the deployments recorded for it. */
export function ServePanel(props: Where) {
  const { project, model, version } = props;
  const [{ data, error }] = useLiveQuery({
    query: VersionDeploymentsQuery,
    variables: { path: project, name: model, version },
  });
  const found = data?.project?.model?.version;
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="serve-heading">
      <Stack gap="sm">
        <Title order={4} id="serve-heading">
          Serve
        </Title>
        <ServeCommands {...props} recording={data?.deploymentRecordsEnabled ?? false} />
        <Title order={5} id="deployments-heading">
          Deployments
        </Title>
        {error && (
          <Alert color="red" title="Could not load the deployments">
            {error.networkError ? "The registry server cannot be reached." : error.message}
          </Alert>
        )}
        {found && (
          <DeploymentList
            active={found.active.edges.map((e) => e.node)}
            stopped={found.stopped.edges.map((e) => e.node)}
            moreActive={found.active.pageInfo.hasNextPage}
            moreStopped={found.stopped.pageInfo.hasNextPage}
          />
        )}
      </Stack>
    </Paper>
  );
}

/** Install line, environment, and one command a reference (pinned SemVer, followed stage and aliases). */
export function ServeCommands({ project, model, version, stage, aliases, recording }: Where & { recording: boolean }) {
  const commands = serveCommands(project, model, version, stage, aliases);
  return (
    <Stack gap="sm">
      <Text size="sm">
        Run a prediction server for this model (MLflow&apos;s scoring protocol: <code>POST /invocations</code>). Install
        the serving extra, then point it at this registry with a{" "}
        <Anchor component={Link} to={urls.accountTokens()} inherit>
          personal access token
        </Anchor>{" "}
        in <code>MODELREG_TOKEN</code>:
      </Text>
      <CopyCode code={INSTALL_LINE} label="install command" />
      <CopyCode
        code={`export MODELREG_URL=${window.location.origin}\nexport MODELREG_TOKEN=<your token>`}
        label="serving environment variables"
      />
      {commands.map((c) => (
        <div key={`${c.kind}-${c.reference}`}>
          <Group gap="xs" mb={4}>
            <Badge size="sm" variant="light" color={c.kind === "version" ? "gray" : "blue"}>
              {c.kind === "version" ? "pinned" : "following"}
            </Badge>
            <Text size="sm">{c.explanation}</Text>
          </Group>
          <CopyCode code={c.command} label={`serve command for @${c.reference}`} />
        </div>
      ))}
      {recording && (
        <Text size="xs" c="dimmed">
          A running server records itself below and in the activity (who, where, since when) when its token may
          comment on this version; <code>--no-record</code> turns that off.
        </Text>
      )}
    </Stack>
  );
}

type DeploymentRow = Pick<
  DeploymentFieldsFragment,
  "id" | "endpoint" | "reference" | "role" | "startedBy" | "startedAt" | "stoppedBy" | "stoppedAt"
>;

/** Active deployments first (endpoint, who, since when), then stopped ones with when they stopped. */
export function DeploymentList({
  active,
  stopped,
  moreActive = false,
  moreStopped = false,
}: {
  active: readonly DeploymentRow[];
  stopped: readonly DeploymentRow[];
  moreActive?: boolean;
  moreStopped?: boolean;
}) {
  if (active.length === 0 && stopped.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        No server has reported serving this version.
      </Text>
    );
  }
  const rows = [...active.map((d) => ({ d, on: true })), ...stopped.map((d) => ({ d, on: false }))];
  return (
    <>
      <Table.ScrollContainer minWidth={640}>
        <Table aria-labelledby="deployments-heading" verticalSpacing={4}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>State</Table.Th>
            <Table.Th>Endpoint</Table.Th>
            <Table.Th>Serving</Table.Th>
            <Table.Th>Started</Table.Th>
            <Table.Th>Stopped</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map(({ d, on }) => (
            <Table.Tr key={d.id}>
              <Table.Td>
                <Badge size="sm" color={on ? "green" : "gray"} variant={on ? "filled" : "light"}>
                  {on ? "active" : "stopped"}
                </Badge>
              </Table.Td>
              <Table.Td>
                <Text size="sm" ff="monospace">
                  {d.endpoint}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">
                  {d.reference}
                  {followingPhrase(d.reference) ? ` (${followingPhrase(d.reference)})` : ""}
                  {d.role && d.role !== "primary" ? `, canary @${d.role}` : ""}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">
                  {d.startedBy}, {formatDate(d.startedAt)}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{d.stoppedAt ? `${d.stoppedBy ?? "someone"}, ${formatDate(d.stoppedAt)}` : "—"}</Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {(moreActive || moreStopped) && (
        <Text size="xs" c="dimmed">
          Only the latest are shown; the version&apos;s <code>deployments</code> field in the GraphQL API lists them all.
        </Text>
      )}
    </>
  );
}
