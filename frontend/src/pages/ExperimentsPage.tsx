import { Anchor, Stack, Table, Text, Title } from "@mantine/core";
import { Link, useParams } from "react-router";

import { LivePage } from "../components/live/LivePage";
import { useLiveQuery } from "../components/live/useLive";

import { CursorPager } from "../components/CursorPager";
import { useCursorStack } from "../components/useCursorStack";
import { formatDate } from "../components/dates";
import { RunCrumbs } from "../components/runs/RunBits";
import { EmptyState, Loading, NotFound, QueryError } from "../components/States";
import { ExperimentsQuery } from "../graphql/runs";
import { runUrls } from "../lib/mlflowLinks";

const PAGE = 25;

/** The project's MLflow experiments, newest first, with how many runs each has. */
export default function ExperimentsPage() {
  const { project = "" } = useParams();
  return (
    <LivePage project={project}>
      <ExperimentsBody />
    </LivePage>
  );
}

function ExperimentsBody() {
  const { project = "" } = useParams();
  const [cursors, setCursors] = useCursorStack();
  const [{ data, fetching, error }] = useLiveQuery({
    query: ExperimentsQuery,
    variables: { path: project, first: PAGE, after: cursors[cursors.length - 1] ?? null },
  });
  if (error) return <QueryError error={error} />;
  if (fetching && !data) return <Loading />;
  const found = data?.project;
  if (!found) return <NotFound what={`Project “${project}”`} />;
  const experiments = found.experiments;
  return (
    <Stack>
      <RunCrumbs project={found} />
      <Title order={1}>Experiments</Title>
      {experiments.totalCount === 0 ? (
        <EmptyState title="No experiments yet">
          Experiments and runs logged with the MLflow client (tracking URI{" "}
          <Text span ff="monospace">{`${window.location.origin}/projects/${found.path}/mlflow`}</Text>) show here.
        </EmptyState>
      ) : (
        <>
          <Table.ScrollContainer minWidth={560}>
            <Table striped highlightOnHover aria-label="Experiments">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Id</Table.Th>
                  <Table.Th>Runs</Table.Th>
                  <Table.Th>Last run</Table.Th>
                  <Table.Th>Created by</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {experiments.edges.map(({ node: e }) => (
                  <Table.Tr key={e.experimentId}>
                    <Table.Td>
                      <Anchor component={Link} to={runUrls.experiment(found.path, e.experimentId)}>
                        {e.name}
                      </Anchor>
                    </Table.Td>
                    <Table.Td ff="monospace">{e.experimentId}</Table.Td>
                    <Table.Td>{e.runCount}</Table.Td>
                    <Table.Td>{e.lastRunStartTime ? formatDate(e.lastRunStartTime) : "—"}</Table.Td>
                    <Table.Td>{e.createdBy || "—"}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <CursorPager
            total={experiments.totalCount}
            noun="experiment"
            cursors={cursors}
            onChange={setCursors}
            hasNextPage={experiments.pageInfo.hasNextPage}
            endCursor={experiments.pageInfo.endCursor}
          />
        </>
      )}
    </Stack>
  );
}
