import { Anchor, Badge, Breadcrumbs, Button, Group, Paper, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { modals } from "@mantine/modals";
import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { useMutation, useQuery } from "urql";

import { formatDate } from "../components/dates";
import { MarkdownEditor, MarkdownView } from "../components/Markdown";
import { mutationErrors, notifyDone, notifyErrors } from "../components/mutations";
import { Loading, NotFound, QueryError } from "../components/States";
import { TagEditor } from "../components/TagEditor";
import {
  DeleteVersionMutation,
  DeleteVersionTagsMutation,
  SetVersionTagsMutation,
  UpdateVersionMutation,
  VersionQuery,
} from "../graphql/versions";
import type { UserError } from "../lib/errors";
import { urls } from "../urls";

export default function VersionPage() {
  const { project = "", model = "", version = "" } = useParams();
  const navigate = useNavigate();
  const [{ data, fetching, error }] = useQuery({
    query: VersionQuery,
    variables: { path: project, name: model, version },
  });
  const [, setTags] = useMutation(SetVersionTagsMutation);
  const [, deleteTags] = useMutation(DeleteVersionTagsMutation);
  const [, deleteVersion] = useMutation(DeleteVersionMutation);

  if (error) return <QueryError error={error} />;
  if (fetching && !data) return <Loading />;
  const foundModel = data?.project?.model;
  const found = foundModel?.version;
  if (!data?.project || !foundModel || !found) return <NotFound what={`Version “${version}”`} />;
  const projectPath = data.project.path;
  const isLatest = foundModel.latestVersion?.id === found.id;

  const confirmDelete = () =>
    modals.openConfirmModal({
      title: `Delete version ${found.version}?`,
      children: <Text size="sm">The version and its metadata are deleted. It cannot be undone.</Text>,
      labels: { confirm: "Delete version", cancel: "Cancel" },
      confirmProps: { color: "red" },
      onConfirm: async () => {
        const errors = mutationErrors(await deleteVersion({ input: { id: found.id } }), (d) => d.deleteVersion);
        if (errors.length) return notifyErrors(errors);
        notifyDone(`Version ${found.version} deleted.`);
        navigate(urls.modelTab(projectPath, foundModel.name, "versions"));
      },
    });

  return (
    <Stack>
      <Breadcrumbs>
        <Anchor component={Link} to={urls.projects()}>
          Projects
        </Anchor>
        <Anchor component={Link} to={urls.project(projectPath)}>
          {data.project.name}
        </Anchor>
        <Anchor component={Link} to={urls.modelTab(projectPath, foundModel.name, "versions")}>
          {foundModel.name}
        </Anchor>
        <Text>{found.version}</Text>
      </Breadcrumbs>
      <Group justify="space-between" align="flex-start">
        <Group gap="sm">
          <Title order={2}>
            {foundModel.name} <Text span inherit ff="monospace">{found.version}</Text>
          </Title>
          {isLatest && <Badge size="lg">latest</Badge>}
          {found.isPrerelease && (
            <Badge size="lg" color="orange" variant="light">
              prerelease
            </Badge>
          )}
        </Group>
        <Button variant="light" color="red" onClick={confirmDelete}>
          Delete version
        </Button>
      </Group>
      <SimpleGrid cols={{ base: 2, sm: 4 }}>
        <Meta label="Version number" value={`#${found.number}`} />
        <Meta label="Created by" value={found.createdBy} />
        <Meta label="Created" value={formatDate(found.createdAt)} />
        <Meta label="Updated" value={formatDate(found.updatedAt)} />
      </SimpleGrid>
      <div>
        <Title order={4} mb="xs">
          Tags
        </Title>
        <TagEditor
          tags={found.tags}
          onSet={async (tag) =>
            mutationErrors(await setTags({ input: { id: found.id, tags: [tag] } }), (d) => d.setVersionTags)
          }
          onDelete={async (key) =>
            mutationErrors(
              await deleteTags({ input: { id: found.id, keys: [key] } }),
              (d) => d.deleteVersionTags,
            )
          }
        />
      </div>
      <div>
        <Title order={4} mb="xs">
          Description
        </Title>
        <Description id={found.id} description={found.description} />
      </div>
    </Stack>
  );
}

function Meta({ label, value }: { label: string; value: string }) {
  return (
    <Paper withBorder p="sm">
      <Text size="xs" c="dimmed" tt="uppercase">
        {label}
      </Text>
      <Text>{value}</Text>
    </Paper>
  );
}

function Description({ id, description }: { id: string; description: string }) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(description);
  const [errors, setErrors] = useState<UserError[]>([]);
  const [{ fetching }, update] = useMutation(UpdateVersionMutation);
  if (!editing) {
    return (
      <Stack>
        {description ? (
          <Paper withBorder p="md">
            <MarkdownView source={description} />
          </Paper>
        ) : (
          <Text c="dimmed">No description. Say what changed in this version and why.</Text>
        )}
        <Group>
          <Button
            variant="light"
            onClick={() => {
              setDraft(description);
              setEditing(true);
            }}
          >
            Edit description
          </Button>
        </Group>
      </Stack>
    );
  }
  const save = async () => {
    const found = mutationErrors(await update({ input: { id, description: draft } }), (d) => d.updateVersion);
    setErrors(found);
    if (found.length === 0) {
      notifyDone("Description saved.");
      setEditing(false);
    }
  };
  return (
    <Stack>
      <MarkdownEditor value={draft} onChange={setDraft} label="Version description" />
      {errors.map((e) => (
        <Text key={e.message} c="red" size="sm" role="alert">
          {e.message}
        </Text>
      ))}
      <Group>
        <Button onClick={save} loading={fetching}>
          Save description
        </Button>
        <Button variant="default" onClick={() => setEditing(false)}>
          Cancel
        </Button>
      </Group>
    </Stack>
  );
}
