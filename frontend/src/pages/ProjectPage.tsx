import {
  Anchor,
  Badge,
  Button,
  Group,
  Select,
  Stack,
  Table,
  TagsInput,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useDebouncedValue, useDisclosure } from "@mantine/hooks";
import { useState } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { useMutation } from "urql";

import { Crumbs } from "../components/Crumbs";
import { PageNumbers } from "../components/PageNumbers";
import { StageCell } from "../components/StageSummary";
import { formatDate } from "../components/dates";
import { FormModal } from "../components/FormModal";
import { MarkdownField } from "../components/Markdown";
import { MlflowImportModal } from "../components/MlflowImport";
import { mutationErrors, notifyDone } from "../components/mutations";
import { PermittedButton, SignInHint } from "../components/Permitted";
import { EmptyState, Loading, NotFound, QueryError } from "../components/States";
import type { ModelOrderField, OrderDirection } from "../gql/graphql";
import { CreateModelMutation } from "../graphql/models";
import { ProjectModelsQuery } from "../graphql/projects";
import { permissionFor } from "../lib/permissions";
import { roleLabel, visibilityLabel } from "../lib/roles";
import { useUnsavedChanges } from "../components/UnsavedChanges";
import { pageOffset, parsePage, withPage } from "../lib/glance";
import { formatTagFilter, parseTagFilter, parseTagFilters, tagInputs, tagLabel } from "../lib/tags";
import { runUrls } from "../lib/mlflowLinks";
import { urls } from "../urls";
import { TagsField } from "../components/TagEditor";
import { useFormSubmit } from "../components/useFormSubmit";
import { PendingBadge } from "../components/inbox/PendingBadge";
import { LivePage } from "../components/live/LivePage";
import { useLiveQuery } from "../components/live/useLive";

const PAGE = 20;
const SORTS: { value: string; label: string; field: ModelOrderField; direction: OrderDirection }[] = [
  { value: "updated", label: "Recently updated", field: "UPDATED_AT", direction: "DESC" },
  { value: "name", label: "Name A–Z", field: "NAME", direction: "ASC" },
  { value: "name-desc", label: "Name Z–A", field: "NAME", direction: "DESC" },
  { value: "created", label: "Newest", field: "CREATED_AT", direction: "DESC" },
  { value: "created-asc", label: "Oldest", field: "CREATED_AT", direction: "ASC" },
];

/** The project page, live: one subscription to the project's events refreshes its models. */
export default function ProjectPage() {
  const { project = "" } = useParams();
  return (
    <LivePage project={project}>
      <ProjectView />
    </LivePage>
  );
}

function ProjectView() {
  const { project = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const search = params.get("q") ?? "";
  const tagTexts = params.getAll("tag");
  const sort = SORTS.find((s) => s.value === params.get("sort")) ?? SORTS[0]!;
  const [debounced] = useDebouncedValue(search, 250);
  // The page number is in the URL (`?page=3`), so reload and back return to it.
  const page = parsePage(params.get("page"));
  const [opened, { open, close }] = useDisclosure(false);
  const [mlflowOpened, mlflow] = useDisclosure(false);

  const update = (changes: Record<string, string | string[] | null>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      next.delete(key);
      for (const v of Array.isArray(value) ? value : value ? [value] : []) next.append(key, v);
    }
    next.delete("page"); // a new filter or sort starts at page 1
    setParams(next, { replace: true });
  };

  const filters = parseTagFilters(tagTexts);
  const [{ data, fetching, error }] = useLiveQuery({
    query: ProjectModelsQuery,
    variables: {
      path: project,
      search: debounced || null,
      tags: filters.length ? filters.map((f) => ({ key: f.key, value: f.value ?? null })) : null,
      orderBy: { field: sort.field, direction: sort.direction },
      first: PAGE,
      offset: pageOffset(page, PAGE),
    },
  });

  if (error) return <QueryError error={error} />;
  if (fetching && !data) return <Loading />;
  const found = data?.project;
  if (!found) {
    return (
      <Stack>
        <NotFound what={`Project “${project}”`} />
        <SignInHint>Private and internal projects show only after signing in.</SignInHint>
      </Stack>
    );
  }
  const models = found.models;
  const filtering = Boolean(debounced) || filters.length > 0;
  const edit = permissionFor(found.viewerPermissions, "EDIT");
  const manage = permissionFor(found.viewerPermissions, "MANAGE_PROJECT");

  return (
    <Stack>
      <Crumbs current={found.name} />
      <Group justify="space-between">
        <div>
          <Group gap="xs">
            <Title order={1}>{found.name}</Title>
            <Badge variant="outline" tt="none">
              {visibilityLabel(found.visibility)}
            </Badge>
            {found.viewerRole && (
              <Badge variant="light" tt="none" data-testid="viewer-role">
                {roleLabel(found.viewerRole)}
              </Badge>
            )}
          </Group>
          {found.description && <Text c="dimmed">{found.description}</Text>}
        </div>
        <Group gap="xs">
          <PermittedButton verdict={edit} onClick={open}>
            Create model
          </PermittedButton>
          <Button variant="default" onClick={mlflow.open}>
            Import using MLflow
          </Button>
          <Button variant="default" component={Link} to={runUrls.experiments(found.path)}>
            Experiments
          </Button>
          <Button variant="default" component={Link} to={urls.projectMembers(found.path)}>
            Members
          </Button>
          <PermittedButton verdict={manage} variant="default" to={urls.projectSettings(found.path)}>
            Settings
          </PermittedButton>
        </Group>
      </Group>
      <SignInHint>Sign in to create models and versions here, if you are a member of this project.</SignInHint>
      <Group align="flex-end">
        <TextInput
          label="Search"
          placeholder="Model name contains…"
          value={search}
          onChange={(e) => update({ q: e.currentTarget.value || null })}
          w={260}
        />
        <TagsInput
          label="Tags"
          placeholder="team=growth, then Enter"
          aria-label="Filter by tags"
          value={tagTexts}
          onChange={(values) => update({ tag: values.filter((v) => parseTagFilter(v) !== null) })}
          w={320}
          clearable
        />
        <Select
          label="Sort"
          data={SORTS.map((s) => ({ value: s.value, label: s.label }))}
          value={sort.value}
          onChange={(v) => update({ sort: v === "updated" ? null : v })}
          allowDeselect={false}
          w={200}
        />
      </Group>
      {models.totalCount === 0 && !filtering && (
        <EmptyState
          title="No models yet"
          action={
            <PermittedButton verdict={edit} onClick={open}>
              Create a model
            </PermittedButton>
          }
        >
          A model holds the versions of one machine-learning model — its files, metrics and model
          card. Create one here, or register one from MLflow.
        </EmptyState>
      )}
      {models.totalCount === 0 && filtering && (
        <Text c="dimmed">No model matches these filters.</Text>
      )}
      {models.totalCount > 0 && (
        <>
          <Table.ScrollContainer minWidth={760}>
          <Table striped highlightOnHover aria-label="Models">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Latest version</Table.Th>
                <Table.Th>Production</Table.Th>
                <Table.Th>Staging</Table.Th>
                <Table.Th>Versions</Table.Th>
                <Table.Th>Tags</Table.Th>
                <Table.Th>Updated</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {models.edges.map(({ node }) => (
                <Table.Tr key={node.id}>
                  <Table.Td>
                    <Anchor component={Link} to={urls.model(found.path, node.name)} fw={500}>
                      {node.name}
                    </Anchor>
                    <PendingBadge count={node.pendingRequestCount} project={found.path} model={node.name} />
                  </Table.Td>
                  <Table.Td>
                    {node.latestVersion ? (
                      <Anchor
                        component={Link}
                        to={urls.version(found.path, node.name, node.latestVersion.version)}
                        ff="monospace"
                      >
                        {node.latestVersion.version}
                      </Anchor>
                    ) : (
                      <Text c="dimmed">—</Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <StageCell project={found.path} model={node.name} versions={node.stageVersions} stage="PRODUCTION" />
                  </Table.Td>
                  <Table.Td>
                    <StageCell project={found.path} model={node.name} versions={node.stageVersions} stage="STAGING" />
                  </Table.Td>
                  <Table.Td>{node.versionCount}</Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      {node.tags.map((t) => (
                        <Badge
                          key={t.key}
                          component="button"
                          type="button"
                          aria-label={`Filter by tag ${tagLabel(t)}`}
                          variant="light"
                          tt="none"
                          style={{ cursor: "pointer", border: 0 }}
                          onClick={() => {
                            // A tag without a value filters on having the tag (`pii`), not on `pii=`.
                            const text = formatTagFilter({ key: t.key, value: t.value === "" ? undefined : t.value });
                            if (!tagTexts.includes(text)) update({ tag: [...tagTexts, text] });
                          }}
                        >
                          {tagLabel(t)}
                        </Badge>
                      ))}
                    </Group>
                  </Table.Td>
                  <Table.Td>{formatDate(node.updatedAt)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          </Table.ScrollContainer>
          {models.edges.length === 0 && (
            <Text c="dimmed">
              There is no page {page}.{" "}
              <Anchor component={Link} to={{ search: withPage(params, 1).toString() }}>
                Go to page 1
              </Anchor>
            </Text>
          )}
          <PageNumbers
            page={page}
            total={models.totalCount}
            size={PAGE}
            noun="model"
            onChange={(p) => setParams(withPage(params, p))}
          />
        </>
      )}
      <MlflowImportModal projectPath={found.path} opened={mlflowOpened} onClose={mlflow.close} />
      {edit.allowed && (
        <CreateModelModal projectId={found.id} projectPath={found.path} opened={opened} onClose={close} />
      )}
    </Stack>
  );
}

function CreateModelModal({
  projectId,
  projectPath,
  opened,
  onClose,
}: {
  projectId: string;
  projectPath: string;
  opened: boolean;
  onClose: () => void;
}) {
  const navigate = useNavigate();
  const [, createModel] = useMutation(CreateModelMutation);
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [tags, setTags] = useState<string[]>([]);
  const form = useFormSubmit(["name", "description", "tags"]);
  // A model card being written holds the page (closing the dialog keeps the text for later).
  const releaseUnsaved = useUnsavedChanges(opened && description.trim() !== "");

  const submit = async () => {
    let created: { name: string } | null | undefined;
    const ok = await form.submit(async () => {
      const result = await createModel({ input: { projectId, name, description, tags: tagInputs(tags) } });
      created = result.data?.createModel.model;
      return mutationErrors(result, (d) => d.createModel);
    });
    if (ok && created) {
      notifyDone(`Model ${created.name} created.`);
      releaseUnsaved();
      onClose();
      navigate(urls.model(projectPath, created.name));
    }
  };

  return (
    <FormModal
      opened={opened}
      onClose={onClose}
      title="Create model"
      size="xl"
      onSubmit={submit}
      errors={form.split.general}
      submitLabel="Create model"
      submitting={form.busy}
    >
      <TextInput
        label="Name"
        description="Unique in this project: letters, digits, spaces, '.', '_' and '-'."
        placeholder="churn-classifier"
        required
        value={name}
        onChange={(e) => setName(e.currentTarget.value)}
        error={form.split.fields.name}
        data-autofocus
      />
      <MarkdownField
        label="Model card"
        value={description}
        onChange={setDescription}
        error={form.split.fields.description}
      />
      <TagsField value={tags} onChange={setTags} error={form.split.fields.tags} />
    </FormModal>
  );
}
