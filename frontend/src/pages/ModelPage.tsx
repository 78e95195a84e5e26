import {
  Anchor,
  Badge,
  Button,
  Checkbox,
  Group,
  Stack,
  Table,
  Tabs,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { modals } from "@mantine/modals";
import { useCallback, useState } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { useClient, useMutation } from "urql";

import { Crumbs } from "../components/Crumbs";
import { ModelNotificationSelect } from "../components/notifications/ModelNotificationSelect";
import { formatDate } from "../components/dates";
import { mutationErrors, notifyDone, notifyErrors } from "../components/mutations";
import { PermittedButton, SignInHint } from "../components/Permitted";
import { EmptyState, Loading, NotFound, QueryError } from "../components/States";
import { EditableMarkdown } from "../components/EditableMarkdown";
import { TagEditor, useTagMutations } from "../components/TagEditor";
import { ActivityFeed, feedPage, type FeedPage } from "../components/ActivityFeed";
import { StageBadge } from "../components/StageBadge";
import { AliasSummary, StageSummary } from "../components/StageSummary";
import { ModelActivityQuery } from "../graphql/lifecycle";
import {
  DeleteModelMutation,
  DeleteModelTagsMutation,
  ModelQuery,
  ModelVersionsQuery,
  SetModelTagsMutation,
  UpdateModelMutation,
} from "../graphql/models";
import { compareSelectionProblem } from "../lib/compare";
import { tagLabel } from "../lib/tags";
import { permissionFor, type Verdict } from "../lib/permissions";
import { urls } from "../urls";
import { FormModal } from "../components/FormModal";
import { useFormSubmit } from "../components/useFormSubmit";
import { ModelPendingRequests } from "../components/inbox/ModelPendingRequests";
import { LivePage } from "../components/live/LivePage";
import { useLiveQuery } from "../components/live/useLive";

/** The model page, live: one subscription to the model's events refreshes all it shows. */
export default function ModelPage() {
  const { project = "", model = "" } = useParams();
  return (
    <LivePage project={project} model={model}>
      <ModelView />
    </LivePage>
  );
}

function ModelView() {
  const { project = "", model = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const tabParam = params.get("tab");
  const tab = tabParam === "versions" || tabParam === "activity" ? tabParam : "card";
  const navigate = useNavigate();
  const [{ data, fetching, error }] = useLiveQuery({
    query: ModelQuery,
    variables: { path: project, name: model },
  });
  const tagEditing = useTagMutations(
    SetModelTagsMutation,
    (d) => d.setModelTags,
    DeleteModelTagsMutation,
    (d) => d.deleteModelTags,
  );
  const [, deleteModel] = useMutation(DeleteModelMutation);
  const [renaming, rename] = useDisclosure(false);

  if (error) return <QueryError error={error} />;
  if (fetching && !data) return <Loading />;
  const found = data?.project?.model;
  if (!data?.project || !found) return <NotFound what={`Model “${model}”`} />;
  const projectPath = data.project.path;
  // Models have no stage: the project's answer for versions in None applies.
  const edit = permissionFor(data.project.viewerPermissions, "EDIT");

  const confirmDelete = () =>
    modals.openConfirmModal({
      title: `Delete model ${found.name}?`,
      children: (
        <Text size="sm">
          This deletes the model and its {found.versionCount} version
          {found.versionCount === 1 ? "" : "s"}. It cannot be undone.
        </Text>
      ),
      labels: { confirm: "Delete model", cancel: "Cancel" },
      confirmProps: { color: "red" },
      onConfirm: async () => {
        const errors = mutationErrors(await deleteModel({ input: { id: found.id } }), (d) => d.deleteModel);
        if (errors.length) return notifyErrors(errors);
        notifyDone(`Model ${found.name} deleted.`);
        navigate(urls.project(projectPath));
      },
    });

  return (
    <Stack>
      <Crumbs project={{ path: projectPath, name: data.project.name }} current={found.name} />
      <Group justify="space-between" align="flex-start">
        <div>
          <Group gap="sm">
            <Title order={1}>{found.name}</Title>
            {found.latestVersion && (
              <Badge
                component={Link}
                to={urls.version(projectPath, found.name, found.latestVersion.version)}
                size="lg"
                variant="filled"
                tt="none"
                style={{ cursor: "pointer" }}
                aria-label="Latest version"
              >
                latest {found.latestVersion.version}
              </Badge>
            )}
          </Group>
          <Text size="sm" c="dimmed">
            {found.versionCount} version{found.versionCount === 1 ? "" : "s"} · created by{" "}
            {found.createdBy} {formatDate(found.createdAt)} · updated {formatDate(found.updatedAt)}
          </Text>
          <StageSummary project={projectPath} model={found.name} versions={found.stageVersions} />
          <AliasSummary project={projectPath} model={found.name} aliases={found.aliases} />
        </div>
        <Group gap="xs">
          <ModelNotificationSelect modelId={found.id} />
          <PermittedButton verdict={edit} to={urls.newVersion(projectPath, found.name)}>
            New version
          </PermittedButton>
          <PermittedButton verdict={edit} variant="default" onClick={rename.open}>
            Rename
          </PermittedButton>
          <PermittedButton verdict={edit} variant="light" color="red" onClick={confirmDelete}>
            Delete
          </PermittedButton>
        </Group>
      </Group>
      <SignInHint>Sign in to edit this model and publish versions, if you are a member of the project.</SignInHint>
      <TagEditor editable={edit.allowed} tags={found.tags} {...tagEditing(found.id)} />
      <ModelPendingRequests projectPath={projectPath} modelName={found.name} />
      <Tabs
        value={tab}
        onChange={(value) =>
          setParams(value === "versions" || value === "activity" ? { tab: value } : {}, { replace: true })
        }
      >
        <Tabs.List>
          <Tabs.Tab value="card">Model card</Tabs.Tab>
          <Tabs.Tab value="versions">Versions ({found.versionCount})</Tabs.Tab>
          <Tabs.Tab value="activity">Activity</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="card" pt="md">
          <ModelCard id={found.id} description={found.description} verdict={edit} />
        </Tabs.Panel>
        <Tabs.Panel value="versions" pt="md">
          {tab === "versions" && (
            <VersionsTable
              projectPath={projectPath}
              modelName={found.name}
              latest={found.latestVersion?.version ?? null}
              edit={edit}
            />
          )}
        </Tabs.Panel>
        <Tabs.Panel value="activity" pt="md">
          {tab === "activity" && <ModelActivity projectPath={projectPath} modelName={found.name} />}
        </Tabs.Panel>
      </Tabs>
      <RenameModal
        opened={renaming && edit.allowed}
        onClose={rename.close}
        id={found.id}
        name={found.name}
        onRenamed={(name) => navigate(urls.model(projectPath, name), { replace: true })}
      />
    </Stack>
  );
}

function ModelCard({ id, description, verdict }: { id: string; description: string; verdict: Verdict }) {
  const [, update] = useMutation(UpdateModelMutation);
  return (
    <EditableMarkdown
      verdict={verdict}
      value={description}
      label="Model card"
      testId="model-card"
      empty={
        <EmptyState title="No model card yet">
          {verdict.allowed
            ? "Describe what the model does, how it was trained and evaluated, and how to use it. The card is Markdown."
            : "Nobody has described this model yet."}
        </EmptyState>
      }
      onSave={async (value) =>
        mutationErrors(await update({ input: { id, description: value } }), (d) => d.updateModel)
      }
    />
  );
}

function VersionsTable({
  projectPath,
  modelName,
  latest,
  edit,
}: {
  projectPath: string;
  modelName: string;
  latest: string | null;
  edit: Verdict;
}) {
  const [first, setFirst] = useState(50);
  const [selected, setSelected] = useState<string[]>([]);
  const [{ data, fetching, error }] = useLiveQuery({
    query: ModelVersionsQuery,
    variables: { path: projectPath, name: modelName, first: Math.min(first, 100) },
  });
  if (error) return <QueryError error={error} />;
  if (fetching && !data) return <Loading />;
  const versions = data?.project?.model?.versions;
  if (!versions) return null;
  if (versions.totalCount === 0) {
    return (
      <EmptyState
        title="No versions yet"
        action={
          <PermittedButton verdict={edit} to={urls.newVersion(projectPath, modelName)}>
            Create the first version
          </PermittedButton>
        }
      >
        A version is one release of the model, numbered with semantic versioning: 1.0.0 for the
        first release, 1.0.1 for a retrain, 1.1.0 for a new optional feature, 2.0.0 for a breaking
        change.
      </EmptyState>
    );
  }
  const toggle = (version: string) =>
    setSelected((s) => (s.includes(version) ? s.filter((v) => v !== version) : [...s, version]));
  // Compared lowest first, so the oldest chosen version is the baseline.
  const chosen = versions.edges
    .map(({ node }) => node.version)
    .filter((v) => selected.includes(v))
    .reverse();
  const compareProblem = compareSelectionProblem(chosen.length);
  return (
    <Stack>
      <Group justify="space-between">
        <Text size="sm" c="dimmed">
          Sorted by semantic version, highest first.
          {chosen.length > 0 && ` ${chosen.length} selected: ${chosen.join(", ")}.`}
        </Text>
        <Group gap="xs">
          {compareProblem && (
            <Text size="sm" c="dimmed" id="compare-reason">
              {compareProblem}
            </Text>
          )}
          {compareProblem ? (
            <Button variant="light" disabled aria-describedby="compare-reason">
              Compare
            </Button>
          ) : (
            <Button variant="light" component={Link} to={urls.compare(projectPath, modelName, chosen)}>
              Compare ({chosen.length})
            </Button>
          )}
        </Group>
      </Group>
      <Table.ScrollContainer minWidth={720}>
      <Table striped highlightOnHover aria-label="Versions">
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={40}>
              <VisuallyHidden>Select</VisuallyHidden>
            </Table.Th>
            <Table.Th>Version</Table.Th>
            <Table.Th>#</Table.Th>
            <Table.Th>Stage</Table.Th>
            <Table.Th>Aliases</Table.Th>
            <Table.Th>Tags</Table.Th>
            <Table.Th>Created</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {versions.edges.map(({ node }) => (
            <Table.Tr key={node.id} data-testid="version-row">
              <Table.Td>
                <Checkbox
                  aria-label={`Select ${node.version}`}
                  checked={selected.includes(node.version)}
                  onChange={() => toggle(node.version)}
                />
              </Table.Td>
              <Table.Td>
                <Group gap="xs">
                  <Anchor
                    component={Link}
                    to={urls.version(projectPath, modelName, node.version)}
                    ff="monospace"
                    data-testid="version-link"
                  >
                    {node.version}
                  </Anchor>
                  {node.version === latest && <Badge size="sm">latest</Badge>}
                  {node.isPrerelease && (
                    <Badge size="sm" color="orange" variant="light">
                      prerelease
                    </Badge>
                  )}
                </Group>
              </Table.Td>
              <Table.Td>{node.number}</Table.Td>
              <Table.Td>
                <StageBadge stage={node.stage} />
              </Table.Td>
              <Table.Td>
                <Group gap={4}>
                  {node.aliases.map((a) => (
                    <Badge key={a} variant="outline" tt="none">
                      @{a}
                    </Badge>
                  ))}
                </Group>
              </Table.Td>
              <Table.Td>
                <Group gap={4}>
                  {node.tags.map((t) => (
                    <Badge key={t.key} variant="light" tt="none">
                      {tagLabel(t)}
                    </Badge>
                  ))}
                </Group>
              </Table.Td>
              <Table.Td>
                {formatDate(node.createdAt)} by {node.createdBy}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      </Table.ScrollContainer>
      {versions.pageInfo.hasNextPage && first < 100 && (
        <Button variant="default" onClick={() => setFirst(100)}>
          Show more versions
        </Button>
      )}
    </Stack>
  );
}

function RenameModal({
  opened,
  onClose,
  id,
  name,
  onRenamed,
}: {
  opened: boolean;
  onClose: () => void;
  id: string;
  name: string;
  onRenamed: (name: string) => void;
}) {
  const [value, setValue] = useState(name);
  const [, update] = useMutation(UpdateModelMutation);
  const form = useFormSubmit(["name"]);
  const submit = async () => {
    const send = async () => mutationErrors(await update({ input: { id, name: value } }), (d) => d.updateModel);
    if (await form.submit(send)) {
      notifyDone(`Model renamed to ${value}.`);
      onClose();
      onRenamed(value);
    }
  };
  return (
    <FormModal
      opened={opened}
      onClose={onClose}
      title={`Rename ${name}`}
      onSubmit={submit}
      errors={form.split.general}
      submitLabel="Rename"
      submitting={form.busy}
      submitDisabled={value === name}
    >
      <TextInput
        label="New name"
        description="Versions, tags and the model card stay with the model. MLflow code that loads it by the old name must change."
        value={value}
        onChange={(e) => setValue(e.currentTarget.value)}
        error={form.split.fields.name}
        data-autofocus
      />
    </FormModal>
  );
}

function ModelActivity({ projectPath, modelName }: { projectPath: string; modelName: string }) {
  const client = useClient();
  const load = useCallback(
    async (first: number, after: string | null): Promise<FeedPage> => {
      const result = await client
        .query(ModelActivityQuery, { path: projectPath, name: modelName, first, after }, { requestPolicy: "network-only" })
        .toPromise();
      return feedPage(result, (d) => d.project?.model?.activity);
    },
    [client, projectPath, modelName],
  );
  return <ActivityFeed load={load} label="Model activity" />;
}
