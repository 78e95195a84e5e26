import {
  Alert,
  Button,
  Group,
  Input,
  Stack,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useRef, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { useMutation, useQuery } from "urql";

import { Crumbs } from "../components/Crumbs";
import { FileUpload } from "../components/FileUpload";
import { SubmitForm } from "../components/FormModal";
import { MarkdownField } from "../components/Markdown";
import { useUnsavedChanges } from "../components/UnsavedChanges";
import { mutationErrors, notifyDone } from "../components/mutations";
import { SignInHint } from "../components/Permitted";
import { useViewer } from "../components/Session";
import { Loading, NotFound, QueryError } from "../components/States";
import { VersionCheckHint } from "../components/ModelMetadata";
import { CheckVersionQuery, ModelQuery } from "../graphql/models";
import { CreateVersionMutation } from "../graphql/versions";
import { permissionFor } from "../lib/permissions";
import { mlmodelPath, readText, versionApiBase } from "../lib/files";
import { versionProblem, versionSuggestions } from "../lib/semver";
import { tagInputs } from "../lib/tags";
import { failedUploads, type UploadItem } from "../lib/uploads";
import { urls } from "../urls";
import { ErrorLines } from "../components/ErrorLines";
import { TagsField } from "../components/TagEditor";
import { useFormSubmit } from "../components/useFormSubmit";

export default function CreateVersionPage() {
  const { project = "", model = "" } = useParams();
  const navigate = useNavigate();
  const viewer = useViewer();
  const [{ data, fetching, error }] = useQuery({
    query: ModelQuery,
    variables: { path: project, name: model },
  });
  const [, createVersion] = useMutation(CreateVersionMutation);
  const [version, setVersion] = useState("");
  const [touched, setTouched] = useState(false);
  const [description, setDescription] = useState("");
  const [tags, setTags] = useState<string[]>([]);
  const form = useFormSubmit(["version", "description", "tags"]);
  const setErrors = form.setErrors;
  // Files chosen to upload once the version exists; then where they go.
  const [queued, setQueued] = useState(0);
  const [created, setCreated] = useState<{ version: string; target: string } | null>(null);
  // An attached MLmodel, read in the browser, is checked against the typed number (SemVer guard).
  const [mlmodel, setMlmodel] = useState<{ path: string; text: string } | null>(null);
  const mlmodelFile = useRef<File | null>(null);
  // A half-written description is not left without asking (a created version has it saved).
  const releaseUnsaved = useUnsavedChanges(description.trim() !== "" && created === null);
  const [settledVersion] = useDebouncedValue(version, 300);
  const checkedVersion = settledVersion !== "" && versionProblem(settledVersion, null) === null ? settledVersion : null;
  const [check] = useQuery({
    query: CheckVersionQuery,
    variables: { path: project, name: model, version: checkedVersion, mlmodel: mlmodel?.text ?? null },
    pause: mlmodel === null,
  });
  const onItemsChange = (items: readonly UploadItem[]) => {
    const usable = items.filter((i) => i.status !== "refused" && i.status !== "cancelled");
    const path = mlmodelPath(usable.map((i) => i.path));
    const item = usable.find((i) => i.path === path) ?? null;
    if ((item?.file ?? null) === mlmodelFile.current) return;
    mlmodelFile.current = item?.file ?? null;
    if (!item) {
      setMlmodel(null);
      return;
    }
    void readText(item.file).then(
      (text) => {
        if (mlmodelFile.current === item.file) setMlmodel({ path: item.path, text });
      },
      () => setMlmodel(null),
    );
  };

  if (error) return <QueryError error={error} />;
  if (fetching && !data) return <Loading />;
  const found = data?.project?.model;
  if (!data?.project || !found) return <NotFound what={`Model “${model}”`} />;
  const projectPath = data.project.path;
  const edit = permissionFor(data.project.viewerPermissions, "EDIT");
  if (!edit.allowed) {
    return (
      <Stack maw={900}>
        <Title order={1}>New version of {found.name}</Title>
        <SignInHint>Sign in to publish versions of this model.</SignInHint>
        {viewer && (
          <Alert color="yellow" title="You cannot create versions here">
            {edit.reason}
          </Alert>
        )}
        <Group>
          <Button variant="default" component={Link} to={urls.model(projectPath, found.name)}>
            Back to {found.name}
          </Button>
        </Group>
      </Stack>
    );
  }
  const latest = found.latestVersion?.version ?? null;
  const problem = versionProblem(version, latest);
  const split = form.split;
  const versionError = split.fields.version ?? (touched && version !== "" ? problem : null);

  const submit = async () => {
    if (created) return; // created already: its files are on their way
    setTouched(true);
    if (problem) {
      setErrors([{ code: "INVALID_ARGUMENT", field: "version", message: problem }]);
      return;
    }
    let made: { version: string } | null | undefined;
    const ok = await form.submit(async () => {
      const result = await createVersion({
        input: { modelId: found.id, version, description, tags: tagInputs(tags) },
      });
      made = result.data?.createVersion.modelVersion;
      return mutationErrors(result, (d) => d.createVersion);
    });
    if (ok && made) {
      if (queued === 0) {
        notifyDone(`Version ${made.version} created.`);
        releaseUnsaved();
        navigate(urls.version(projectPath, found.name, made.version));
      } else {
        // FileUpload sends the files now; `onSettled` opens the version when they are done.
        setCreated({ version: made.version, target: versionApiBase(projectPath, found.name, made.version) });
      }
    }
  };

  const suggestions = versionSuggestions(latest, found);

  return (
    <Stack maw={900}>
      <Crumbs
        project={{ path: projectPath, name: data.project.name }}
        model={{ name: found.name, to: urls.model(projectPath, found.name) }}
        current="New version"
      />
      <Title order={1}>New version of {found.name}</Title>
      <SubmitForm onSubmit={submit}>
        <Stack>
          <TextInput
            label="Version"
            description={
              latest
                ? `Semantic version (MAJOR.MINOR.PATCH). Latest is ${latest}.`
                : "Semantic version (MAJOR.MINOR.PATCH), such as 1.0.0 or 0.1.0-rc.1."
            }
            placeholder={found.minor}
            required
            value={version}
            onChange={(e) => {
              setVersion(e.currentTarget.value);
              setTouched(true);
              setErrors((current) => current.filter((x) => x.field !== "version"));
            }}
            error={versionError}
            styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)" } }}
            data-autofocus
          />
          <Group gap="xs">
            <Text size="sm" c="dimmed">
              Suggested:
            </Text>
            {suggestions.map((s) => (
              <Button
                key={s.label}
                size="xs"
                variant="light"
                title={s.hint}
                onClick={() => {
                  setVersion(s.value);
                  setErrors([]);
                }}
              >
                {s.label} {s.value}
              </Button>
            ))}
          </Group>
          <MarkdownField
            label="Description"
            editorLabel="Version description"
            value={description}
            onChange={setDescription}
            error={split.fields.description}
          />
          <TagsField value={tags} onChange={setTags} error={split.fields.tags} />
          <div>
            <Input.Label>Files</Input.Label>
            <Input.Description mb="xs">
              Optional. They upload right after the version is created; you can add more on its page.
            </Input.Description>
            <FileUpload
              target={created?.target ?? null}
              disabled={created !== null}
              onQueuedChange={setQueued}
              onItemsChange={onItemsChange}
              onSettled={(items) => {
                if (!created) return;
                navigate(urls.version(projectPath, found.name, created.version), {
                  state: { failedUploads: failedUploads(items) },
                });
              }}
            />
          </div>
          {mlmodel && !created && (
            <div aria-live="polite">
              {check.error && (
                <Text size="sm" c="red">
                  Could not check the version against {mlmodel.path}:{" "}
                  {check.error.networkError ? "the registry server cannot be reached." : check.error.message}
                </Text>
              )}
              {check.data?.project?.model && (
                <VersionCheckHint
                  check={check.data.project.model.checkVersion}
                  typed={checkedVersion}
                  onUse={(suggested) => {
                    setVersion(suggested);
                    setTouched(true);
                    setErrors((current) => current.filter((x) => x.field !== "version"));
                  }}
                />
              )}
            </div>
          )}
          {created && (
            <Alert color="blue" title={`Version ${created.version} created`}>
              Uploading its files… The version opens when they are done.
            </Alert>
          )}
          <ErrorLines messages={split.general} />
          <Group>
            <Button type="submit" loading={form.busy || created !== null}>
              {queued > 0 && !created ? "Create & upload" : "Create version"}
            </Button>
            <Button variant="default" component={Link} to={urls.model(projectPath, found.name)}>
              Cancel
            </Button>
          </Group>
        </Stack>
      </SubmitForm>
    </Stack>
  );
}
