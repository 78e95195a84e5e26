import {
  Alert,
  Anchor,
  Badge,
  Button,
  Code,
  Group,
  List,
  Paper,
  SimpleGrid,
  Stack,
  Text,
  Title,
} from "@mantine/core";
import { modals } from "@mantine/modals";
import { IconFileZip, IconFiles, IconTrash } from "@tabler/icons-react";
import { useState } from "react";
import { Link, useLocation, useNavigate, useParams } from "react-router";
import { useMutation } from "urql";

import { Crumbs } from "../components/Crumbs";
import { formatDate } from "../components/dates";
import { FileTree } from "../components/FileTree";
import { FileUpload } from "../components/FileUpload";
import { mutationErrors, notifyDone, notifyErrors } from "../components/mutations";
import { NotAllowedNote, PermittedButton, SignInHint } from "../components/Permitted";
import { Loading, NotFound, QueryError } from "../components/States";
import { EditableMarkdown } from "../components/EditableMarkdown";
import { TagEditor, useTagMutations } from "../components/TagEditor";
import { LifecycleSection } from "../components/lifecycle/LifecycleSection";
import { LivePage } from "../components/live/LivePage";
import { useLiveQuery } from "../components/live/useLive";
import { FollowButton } from "../components/notifications/FollowButton";
import { ExternalRunSection, LineageSection, RunSection, UseModelPanel } from "../components/MlflowRun";
import { CompatibilityPanel, DependenciesPanel, SignaturePanel } from "../components/ModelMetadata";
import {
  DeleteFilesMutation,
  DeleteVersionMutation,
  DeleteVersionTagsMutation,
  SetVersionTagsMutation,
  UpdateVersionMutation,
  VersionFilesQuery,
  VersionMetadataQuery,
  VersionQuery,
} from "../graphql/versions";
import type { VersionMetadataQuery as VersionMetadataData } from "../gql/graphql";
import { formatBytes, plural, versionApiBase } from "../lib/files";
import { permissionFor, type Verdict } from "../lib/permissions";
import { failedUploadsFrom, type FailedUpload } from "../lib/uploads";
import { urls } from "../urls";
import { VersionPlace } from "../components/StageSummary";
import { ServePanel } from "../components/serving/ServePanel";

/** The version page, live: one subscription to the model's events refreshes all it shows. */
export default function VersionPage() {
  const { project = "", model = "" } = useParams();
  return (
    <LivePage project={project} model={model}>
      <VersionView />
    </LivePage>
  );
}

function VersionView() {
  const { project = "", model = "", version = "" } = useParams();
  const navigate = useNavigate();
  const [{ data, fetching, error }] = useLiveQuery({
    query: VersionQuery,
    variables: { path: project, name: model, version },
  });
  // Signature, dependencies and compatibility: asked again when files change.
  const [metadata, refetchMetadata] = useLiveQuery({
    query: VersionMetadataQuery,
    variables: { path: project, name: model, version },
  });
  const tagEditing = useTagMutations(
    SetVersionTagsMutation,
    (d) => d.setVersionTags,
    DeleteVersionTagsMutation,
    (d) => d.deleteVersionTags,
  );
  const [, deleteVersion] = useMutation(DeleteVersionMutation);

  if (error) return <QueryError error={error} />;
  if (fetching && !data) return <Loading />;
  const foundModel = data?.project?.model;
  const found = foundModel?.version;
  if (!data?.project || !foundModel || !found) return <NotFound what={`Version “${version}”`} />;
  const projectPath = data.project.path;
  const isLatest = foundModel.latestVersion?.id === found.id;
  // Editing depends on the stage: a version in Production needs a maintainer.
  const edit = permissionFor(found.viewerPermissions, "EDIT");

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
      <Crumbs
        project={{ path: projectPath, name: data.project.name }}
        model={{
          name: foundModel.name,
          to: urls.modelTab(projectPath, foundModel.name, "versions"),
        }}
        current={found.version}
      />
      <Group justify="space-between" align="flex-start">
        <Group gap="sm">
          <Title order={1}>
            {foundModel.name} <Text span inherit ff="monospace">{found.version}</Text>
          </Title>
          <VersionPlace stage={found.stage} aliases={found.aliases} />
          {isLatest && <Badge size="lg">latest</Badge>}
          {found.isPrerelease && (
            <Badge size="lg" color="orange" variant="light">
              prerelease
            </Badge>
          )}
        </Group>
        <Group gap="xs">
          <FollowButton versionId={found.id} />
          <PermittedButton verdict={edit} variant="light" color="red" onClick={confirmDelete}>
            Delete version
          </PermittedButton>
        </Group>
      </Group>
      <SignInHint>Sign in to change this version, move it between stages or comment, if you are a member of the project.</SignInHint>
      <SimpleGrid cols={{ base: 2, sm: 4 }}>
        <Meta label="Version number" value={`#${found.number}`} />
        <Meta label="Created by" value={found.createdBy} />
        <Meta label="Created" value={formatDate(found.createdAt)} />
        <Meta label="Updated" value={formatDate(found.updatedAt)} />
      </SimpleGrid>
      <MetadataSections
        metadata={metadata.data?.project?.model?.version}
        error={metadata.error ? (metadata.error.networkError ? "The registry server cannot be reached." : metadata.error.message) : null}
      />
      <LifecycleSection
        key={`lifecycle-${found.id}`}
        project={projectPath}
        model={foundModel.name}
        modelId={foundModel.id}
        version={found.version}
      />
      {found.run ? (
        <RunSection
          key={`run-${found.id}`}
          run={found.run}
          at={{ project: projectPath, model: foundModel.name, version: found.version }}
        />
      ) : (
        found.runId && <ExternalRunSection runId={found.runId} />
      )}
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <LineageSection
          lineage={found.lineage}
          runId={found.runId}
          experimentName={found.run?.experimentName}
          loggedModelId={found.loggedModelId}
          source={found.source}
        />
        <UseModelPanel
          project={projectPath}
          model={foundModel.name}
          number={found.number}
          version={found.version}
          aliases={found.aliases}
        />
      </SimpleGrid>
      <ServePanel
        project={projectPath}
        model={foundModel.name}
        version={found.version}
        stage={found.stage}
        aliases={found.aliases}
      />
      {/* Keyed: another version starts with its own selection and upload queue. */}
      <FilesSection
        key={found.id}
        project={projectPath}
        model={foundModel.name}
        version={found.version}
        edit={edit}
        onFilesChanged={() => refetchMetadata({ requestPolicy: "network-only" })}
      />
      <div>
        <Title order={4} mb="xs">
          Tags
        </Title>
        <TagEditor editable={edit.allowed} tags={found.tags} {...tagEditing(found.id)} />
      </div>
      <div>
        <Title order={4} mb="xs">
          Description
        </Title>
        <Description id={found.id} description={found.description} verdict={edit} />
      </div>
    </Stack>
  );
}

type VersionMetadata = NonNullable<
  NonNullable<NonNullable<VersionMetadataData["project"]>["model"]>["version"]
>;

/** Compatibility first (what approvers and users check), then the signature and dependencies. */
function MetadataSections({ metadata, error }: { metadata: VersionMetadata | null | undefined; error: string | null }) {
  if (error) {
    return (
      <Alert color="red" title="Could not load the model's signature and dependencies">
        {error}
      </Alert>
    );
  }
  if (!metadata) return null;
  return (
    <>
      <CompatibilityPanel compatibility={metadata.compatibility} />
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <SignaturePanel signature={metadata.signature} />
        <DependenciesPanel dependencies={metadata.dependencies} warnings={metadata.metadataWarnings} />
      </SimpleGrid>
    </>
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

function Description({ id, description, verdict }: { id: string; description: string; verdict: Verdict }) {
  const [, update] = useMutation(UpdateVersionMutation);
  return (
    <EditableMarkdown
      verdict={verdict}
      value={description}
      label="Description"
      empty={
        <Text c="dimmed">
          {verdict.allowed ? "No description. Say what changed in this version and why." : "No description."}
        </Text>
      }
      onSave={async (value) =>
        mutationErrors(await update({ input: { id, description: value } }), (d) => d.updateVersion)
      }
    />
  );
}

/** The version's files: folder tree, download, multi-select delete, and the upload zone. */
function FilesSection({
  project,
  model,
  version,
  edit,
  onFilesChanged,
}: {
  project: string;
  model: string;
  version: string;
  /** Upload and delete files: the version's EDIT permission. */
  edit: Verdict;
  /** Files were uploaded or deleted (the signature and dependencies may have changed). */
  onFilesChanged?: () => void;
}) {
  const location = useLocation();
  const navigate = useNavigate();
  const [{ data, error }, refetch] = useLiveQuery({
    query: VersionFilesQuery,
    variables: { path: project, name: model, version },
  });
  const [, deleteFiles] = useMutation(DeleteFilesMutation);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  // Uploads that failed on the create form, handed over by its navigation.
  const [failedOnCreate, setFailedOnCreate] = useState<FailedUpload[]>(() => failedUploadsFrom(location.state));

  const found = data?.project?.model?.version;
  const files = found?.files ?? [];
  // Only files still listed count as selected (others may have been deleted meanwhile).
  const chosen = files.map((f) => f.path).filter((p) => selected.has(p));

  const confirmDelete = () =>
    modals.openConfirmModal({
      title: `Delete ${plural(chosen.length, "file")}?`,
      children: (
        <Stack gap="xs">
          <Text size="sm">These files are deleted from version {version}. It cannot be undone.</Text>
          <List size="sm" spacing={2} ff="monospace" aria-label="Files to delete">
            {chosen.slice(0, 10).map((path) => (
              <List.Item key={path}>{path}</List.Item>
            ))}
          </List>
          {chosen.length > 10 && (
            <Text size="sm" c="dimmed">
              …and {chosen.length - 10} more.
            </Text>
          )}
        </Stack>
      ),
      labels: { confirm: `Delete ${plural(chosen.length, "file")}`, cancel: "Cancel" },
      confirmProps: { color: "red" },
      onConfirm: async () => {
        if (!found) return;
        const result = await deleteFiles({ input: { versionId: found.id, paths: chosen } });
        const errors = mutationErrors(result, (d) => d.deleteFiles);
        if (errors.length) return notifyErrors(errors);
        const deleted = result.data?.deleteFiles.deletedPaths ?? chosen;
        notifyDone(`${plural(deleted.length, "file")} deleted.`);
        setSelected(new Set());
        refetch({ requestPolicy: "network-only" });
        onFilesChanged?.();
      },
    });

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="files-heading">
      <Stack>
        <Group justify="space-between" align="center">
          <Group gap="sm" align="baseline">
            <Title order={4} id="files-heading">
              Files
            </Title>
            {found && (
              <Text size="sm" c="dimmed" data-testid="files-summary">
                {plural(found.fileCount, "file")} · {formatBytes(found.totalSize)}
              </Text>
            )}
          </Group>
          {found && found.fileCount > 0 && (
            <Group gap="xs">
              <PermittedButton
                verdict={edit}
                variant="light"
                color="red"
                leftSection={<IconTrash size={16} />}
                disabled={chosen.length === 0}
                onClick={confirmDelete}
              >
                Delete selected{chosen.length > 0 ? ` (${chosen.length})` : ""}
              </PermittedButton>
              <Button
                component="a"
                href={found.filesZipUrl}
                download
                variant="default"
                leftSection={<IconFileZip size={16} />}
              >
                Download all (.zip)
              </Button>
            </Group>
          )}
        </Group>
        {failedOnCreate.length > 0 && (
          <Alert
            color="red"
            title={`${plural(failedOnCreate.length, "file was", "files were")} not uploaded`}
            withCloseButton
            closeButtonLabel="Dismiss"
            onClose={() => {
              setFailedOnCreate([]);
              // Forget them in the history entry too, so a reload does not bring them back.
              navigate({ pathname: location.pathname, search: location.search }, { replace: true, state: null });
            }}
          >
            <List size="sm" spacing={2}>
              {failedOnCreate.map((f) => (
                <List.Item key={f.path}>
                  <Code>{f.path}</Code>: {f.message}
                </List.Item>
              ))}
            </List>
            <Text size="sm" mt="xs">
              Drop them into the box below to try again.
            </Text>
          </Alert>
        )}
        {error && (
          <Alert color="red" title="Could not load the files">
            {error.networkError ? "The registry server cannot be reached." : error.message}
          </Alert>
        )}
        {found && files.length > 0 && (
          <FileTree files={files} selected={selected} onSelectedChange={setSelected} />
        )}
        {found && files.length === 0 && !edit.allowed && (
          <Text c="dimmed" size="sm">
            No files in this version.
          </Text>
        )}
        {found && files.length === 0 && edit.allowed && (
          <Stack gap={6} align="center" py="sm">
            <IconFiles size={32} stroke={1.5} color="var(--mantine-color-dimmed)" aria-hidden />
            <Text fw={500}>No files in this version yet</Text>
            <Text size="sm" c="dimmed" ta="center" maw={620}>
              Drag the model&apos;s files (weights, config, a README) into the box below, or click it to
              choose them. From a script, send each file with an HTTP PUT and a{" "}
              <Anchor component={Link} to={urls.accountTokens()} inherit>
                personal access token
              </Anchor>{" "}
              with the api scope:
            </Text>
            <Code block maw="100%" style={{ whiteSpace: "pre-wrap", wordBreak: "break-all" }}>
              {`curl -H "Authorization: Bearer $MODELREG_TOKEN" -T model.pkl ${window.location.origin}${versionApiBase(project, model, version)}/files/model.pkl`}
            </Code>
            <Text size="xs" c="dimmed" ta="center">
              Or log the model with the MLflow client: see “Import using MLflow” on the project page.
            </Text>
          </Stack>
        )}
        {edit.allowed ? (
          <FileUpload
            target={versionApiBase(project, model, version)}
            existingPaths={files.map((f) => f.path)}
            onSettled={(items) => {
              const done = items.filter((i) => i.status === "done").length;
              if (done > 0) notifyDone(`${plural(done, "file")} uploaded.`);
              refetch({ requestPolicy: "network-only" });
              if (done > 0) onFilesChanged?.();
            }}
          />
        ) : (
          <NotAllowedNote verdict={edit} />
        )}
      </Stack>
    </Paper>
  );
}
