import {
  Anchor,
  Badge,
  Button,
  Group,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Textarea,
  Title,
} from "@mantine/core";
import { useDebouncedValue, useDisclosure } from "@mantine/hooks";
import { useState } from "react";
import { Link, useNavigate } from "react-router";
import { useMutation, useQuery } from "urql";

import { CursorPager } from "../components/CursorPager";
import { formatDate } from "../components/dates";
import { mutationErrors, notifyDone } from "../components/mutations";
import { SignInHint } from "../components/Permitted";
import { useViewer } from "../components/Session";
import { EmptyState, Loading, QueryError } from "../components/States";
import type { Visibility } from "../gql/graphql";
import { CreateProjectMutation, ProjectsQuery } from "../graphql/projects";
import { VISIBILITIES, visibilityLabel } from "../lib/roles";
import { urls } from "../urls";
import { FormModal } from "../components/FormModal";
import { useFormSubmit } from "../components/useFormSubmit";

const PAGE = 25;

export default function ProjectsPage() {
  // Any signed-in user may create a project (and becomes its owner).
  const signedIn = useViewer() !== null;
  const [search, setSearch] = useState("");
  const [debounced] = useDebouncedValue(search, 250);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [opened, { open, close }] = useDisclosure(false);
  const after = cursors[cursors.length - 1] ?? null;
  const [{ data, fetching, error }] = useQuery({
    query: ProjectsQuery,
    variables: { search: debounced || null, first: PAGE, after },
  });

  const projects = data?.projects;
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1}>Projects</Title>
        {signedIn && <Button onClick={open}>Create project</Button>}
      </Group>
      <SignInHint>
        You see the public projects. Sign in to see the projects you are a member of and the internal
        ones, and to create projects.
      </SignInHint>
      <TextInput
        placeholder="Search projects by path or name"
        aria-label="Search projects"
        value={search}
        onChange={(e) => {
          setSearch(e.currentTarget.value);
          setCursors([null]);
        }}
        maw={420}
      />
      {error && <QueryError error={error} />}
      {fetching && !projects && <Loading />}
      {projects && projects.totalCount === 0 && !debounced && !signedIn && (
        <EmptyState title="No public projects">
          Nothing here is public. Projects shared with you appear once you sign in.
        </EmptyState>
      )}
      {projects && projects.totalCount === 0 && !debounced && signedIn && (
        <EmptyState
          title="No projects yet"
          action={<Button onClick={open}>Create your first project</Button>}
        >
          A project groups the models of a team or product. Create one, then register models and
          publish their versions in it.
        </EmptyState>
      )}
      {projects && projects.totalCount === 0 && debounced && (
        <Text c="dimmed">No project matches “{debounced}”.</Text>
      )}
      {projects && projects.totalCount > 0 && (
        <>
          <Table.ScrollContainer minWidth={560}>
          <Table striped highlightOnHover aria-label="Projects">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Project</Table.Th>
                <Table.Th>Path</Table.Th>
                <Table.Th>Visibility</Table.Th>
                <Table.Th>Updated</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {projects.edges.map(({ node }) => (
                <Table.Tr key={node.id}>
                  <Table.Td>
                    <Anchor component={Link} to={urls.project(node.path)} fw={500}>
                      {node.name}
                    </Anchor>
                    {node.description && (
                      <Text size="sm" c="dimmed" lineClamp={1}>
                        {node.description}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Text ff="monospace" size="sm">
                      {node.path}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="outline" tt="none">
                      {visibilityLabel(node.visibility)}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{formatDate(node.updatedAt)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          </Table.ScrollContainer>
          <CursorPager
            total={projects.totalCount}
            noun="project"
            cursors={cursors}
            onChange={setCursors}
            hasNextPage={projects.pageInfo.hasNextPage}
            endCursor={projects.pageInfo.endCursor}
          />
        </>
      )}
      {signedIn && <CreateProjectModal opened={opened} onClose={close} />}
    </Stack>
  );
}

function CreateProjectModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const navigate = useNavigate();
  const [, createProject] = useMutation(CreateProjectMutation);
  const [path, setPath] = useState("");
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [visibility, setVisibility] = useState<Visibility>("PRIVATE");
  const form = useFormSubmit(["path", "name", "description"]);
  const split = form.split;

  const submit = async () => {
    let created: { path: string } | null | undefined;
    const ok = await form.submit(async () => {
      const result = await createProject({
        input: { path, name: name || null, description, visibility },
      });
      created = result.data?.createProject.project;
      return mutationErrors(result, (d) => d.createProject);
    });
    if (ok && created) {
      notifyDone(`Project ${created.path} created.`);
      onClose();
      navigate(urls.project(created.path));
    }
  };

  return (
    <FormModal
      opened={opened}
      onClose={onClose}
      title="Create project"
      onSubmit={submit}
      errors={split.general}
      submitLabel="Create project"
      submitting={form.busy}
    >
      <TextInput
        label="Path"
        description="Used in URLs: lowercase letters, digits, '.', '_' and '-'."
        placeholder="fraud-detection"
        required
        value={path}
        onChange={(e) => setPath(e.currentTarget.value)}
        error={split.fields.path}
        data-autofocus
      />
      <TextInput
        label="Name"
        placeholder="Fraud detection"
        value={name}
        onChange={(e) => setName(e.currentTarget.value)}
        error={split.fields.name}
      />
      <Textarea
        label="Description"
        value={description}
        onChange={(e) => setDescription(e.currentTarget.value)}
        error={split.fields.description}
      />
      <Select
        label="Visibility"
        description={VISIBILITIES.find((v) => v.value === visibility)?.summary}
        data={VISIBILITIES.map((v) => ({ value: v.value, label: v.label }))}
        value={visibility}
        onChange={(v) => setVisibility((v ?? "PRIVATE") as Visibility)}
        allowDeselect={false}
      />
      <Text size="sm" c="dimmed">
        You become the project&apos;s owner and can add members in its settings.
      </Text>
    </FormModal>
  );
}
