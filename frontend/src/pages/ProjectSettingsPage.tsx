import {
  Badge,
  Button,
  Divider,
  Group,
  Paper,
  Radio,
  Stack,
  Tabs,
  Text,
  TextInput,
  Textarea,
  Title,
} from "@mantine/core";
import { useState } from "react";
import { useNavigate, useParams } from "react-router";
import { useMutation, useQuery } from "urql";

import { Crumbs } from "../components/Crumbs";
import { ErrorLines } from "../components/ErrorLines";
import { ProjectExport } from "../components/export/ProjectExport";
import { SubmitForm } from "../components/FormModal";
import { useFormSubmit } from "../components/useFormSubmit";
import { mutationErrors, notifyDone } from "../components/mutations";
import { NotAllowedNote, SignInHint } from "../components/Permitted";
import { ProjectMembers } from "../components/ProjectMembers";
import { ProjectWebhooks } from "../components/webhooks/ProjectWebhooks";
import { Loading, NotFound, QueryError } from "../components/States";
import type { ProjectSettingsQuery as ProjectSettingsData, SemverGuard, Visibility } from "../gql/graphql";
import { GUARD_LABELS } from "../components/ModelMetadata";
import { DeleteProjectMutation, ProjectSettingsQuery, UpdateProjectMutation } from "../graphql/projects";
import { permissionFor } from "../lib/permissions";
import { roleLabel, VISIBILITIES, visibilityLabel } from "../lib/roles";
import { urls } from "../urls";

type SettingsProject = NonNullable<ProjectSettingsData["project"]>;

/** `/projects/:project/settings` (general) and `…/settings/members`. */
export function ProjectSettingsPage({ tab }: { tab: "general" | "members" | "webhooks" }) {
  const { project = "" } = useParams();
  const navigate = useNavigate();
  const [{ data, fetching, error }, refetch] = useQuery({ query: ProjectSettingsQuery, variables: { path: project } });

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

  return (
    <Stack maw={1100}>
      <Crumbs project={{ path: found.path, name: found.name }} current="Settings" />
      <Group justify="space-between">
        <Title order={1}>Settings of {found.name}</Title>
        <Badge variant="light" size="lg" tt="none" data-testid="viewer-role">
          Your role: {roleLabel(found.viewerRole)}
        </Badge>
      </Group>
      <Tabs
        value={tab}
        onChange={(value) =>
          navigate(
            value === "members"
              ? urls.projectMembers(found.path)
              : value === "webhooks"
                ? urls.projectWebhooks(found.path)
                : urls.projectSettings(found.path),
          )
        }
      >
        <Tabs.List>
          <Tabs.Tab value="general">General</Tabs.Tab>
          <Tabs.Tab value="members">Members ({found.members.length})</Tabs.Tab>
          <Tabs.Tab value="webhooks">Webhooks</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="general" pt="md">
          {tab === "general" && (
            <Stack maw={720}>
              <GeneralSettings key={found.id} project={found} />
              <ProjectExport path={found.path} verdict={permissionFor(found.viewerPermissions, "EXPORT")} />
            </Stack>
          )}
        </Tabs.Panel>
        <Tabs.Panel value="members" pt="md">
          {tab === "members" && (
            <ProjectMembers project={found} onChanged={() => refetch({ requestPolicy: "network-only" })} />
          )}
        </Tabs.Panel>
        <Tabs.Panel value="webhooks" pt="md">
          {tab === "webhooks" && (
            <ProjectWebhooks path={found.path} verdict={permissionFor(found.viewerPermissions, "MANAGE_WEBHOOKS")} />
          )}
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

export function GeneralSettingsPage() {
  return <ProjectSettingsPage tab="general" />;
}

export function MembersSettingsPage() {
  return <ProjectSettingsPage tab="members" />;
}

export function WebhooksSettingsPage() {
  return <ProjectSettingsPage tab="webhooks" />;
}

export function VisibilityChoice({
  value,
  onChange,
  disabled = false,
}: {
  value: Visibility;
  onChange: (value: Visibility) => void;
  disabled?: boolean;
}) {
  return (
    <Radio.Group label="Visibility" value={value} onChange={(v) => onChange(v as Visibility)}>
      <Stack gap="xs" mt={6}>
        {VISIBILITIES.map((v) => (
          <Radio key={v.value} value={v.value} label={v.label} description={v.summary} disabled={disabled} />
        ))}
      </Stack>
    </Radio.Group>
  );
}

const GUARDS: SemverGuard[] = ["OFF", "WARN", "ENFORCE"];

/** Whether version numbers are checked against what changed in the model's signature. */
export function SemverGuardChoice({
  value,
  onChange,
  disabled = false,
  error,
}: {
  value: SemverGuard;
  onChange: (value: SemverGuard) => void;
  disabled?: boolean;
  error?: string | null;
}) {
  return (
    <Radio.Group
      label="SemVer guard"
      description="Checks each version's number against what changed in its MLmodel signature: a new required input or a removed output is a major change, a new optional input or output a minor one."
      value={value}
      onChange={(v) => onChange(v as SemverGuard)}
      error={error}
    >
      <Stack gap="xs" mt={6}>
        {GUARDS.map((g) => (
          <Radio key={g} value={g} label={GUARD_LABELS[g].label} description={GUARD_LABELS[g].summary} disabled={disabled} />
        ))}
      </Stack>
    </Radio.Group>
  );
}

/** Path, name, description and visibility; deleting the project after typing its path. Owners only. */
function GeneralSettings({ project }: { project: SettingsProject }) {
  const navigate = useNavigate();
  const [, update] = useMutation(UpdateProjectMutation);
  const [, remove] = useMutation(DeleteProjectMutation);
  const [path, setPath] = useState(project.path);
  const [name, setName] = useState(project.name);
  const [description, setDescription] = useState(project.description);
  const [visibility, setVisibility] = useState<Visibility>(project.visibility);
  const [guard, setGuard] = useState<SemverGuard>(project.semverGuard);
  const [confirm, setConfirm] = useState("");
  const form = useFormSubmit(["path", "name", "description", "visibility", "semverGuard"]);
  const split = form.split;
  const manage = permissionFor(project.viewerPermissions, "MANAGE_PROJECT");

  if (!manage.allowed) {
    return (
      <Paper withBorder p="md">
        <Stack gap="xs">
          <Text>
            <b>Visibility:</b> {visibilityLabel(project.visibility)} —{" "}
            {VISIBILITIES.find((v) => v.value === project.visibility)?.summary}
          </Text>
          {project.description && <Text c="dimmed">{project.description}</Text>}
          <SemverGuardChoice value={project.semverGuard} onChange={() => undefined} disabled />
          <NotAllowedNote verdict={manage} />
          <SignInHint compact>Owners change these settings after signing in.</SignInHint>
        </Stack>
      </Paper>
    );
  }

  const save = async () => {
    const send = async () =>
      mutationErrors(
        await update({
          input: {
            id: project.id,
            path,
            name,
            description,
            visibility,
            ...(guard !== project.semverGuard ? { semverGuard: guard } : {}),
          },
        }),
        (d) => d.updateProject,
      );
    if (await form.submit(send)) {
      notifyDone("Project saved.");
      if (path !== project.path) navigate(urls.projectSettings(path), { replace: true });
    }
  };
  const destroy = async () => {
    const found = mutationErrors(await remove({ input: { id: project.id } }), (d) => d.deleteProject);
    form.setErrors(found);
    if (found.length === 0) {
      notifyDone(`Project ${project.path} deleted.`);
      navigate(urls.projects());
    }
  };

  return (
    <Stack maw={720}>
      <SubmitForm onSubmit={save}>
        <Stack>
          <TextInput
            label="Path"
            description="Changing it changes every URL of the project."
            value={path}
            onChange={(e) => setPath(e.currentTarget.value)}
            error={split.fields.path}
          />
          <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} error={split.fields.name} />
          <Textarea
            label="Description"
            value={description}
            onChange={(e) => setDescription(e.currentTarget.value)}
            error={split.fields.description}
          />
          <VisibilityChoice value={visibility} onChange={setVisibility} />
          {split.fields.visibility && (
            <Text c="red" size="sm">
              {split.fields.visibility}
            </Text>
          )}
          <SemverGuardChoice value={guard} onChange={setGuard} error={split.fields.semverGuard} />
          <ErrorLines messages={split.general} />
          <Group>
            <Button type="submit" loading={form.busy}>
              Save
            </Button>
          </Group>
        </Stack>
      </SubmitForm>
      <Divider label="Danger zone" labelPosition="left" color="red" />
      <Text size="sm">
        Deleting the project deletes all its models, versions and files. Type <b>{project.path}</b> to
        confirm.
      </Text>
      <Group align="flex-end">
        <TextInput
          aria-label="Type the project path to confirm"
          value={confirm}
          onChange={(e) => setConfirm(e.currentTarget.value)}
          placeholder={project.path}
        />
        <Button color="red" disabled={confirm !== project.path} onClick={destroy}>
          Delete project
        </Button>
      </Group>
    </Stack>
  );
}
