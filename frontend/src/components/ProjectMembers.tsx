import { Autocomplete, Badge, Button, Group, Paper, Select, Stack, Table, Text, Title, VisuallyHidden } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { modals } from "@mantine/modals";
import { useState } from "react";
import { useNavigate } from "react-router";
import { useMutation, useQuery } from "urql";

import type { Role } from "../gql/graphql";
import { UsersQuery } from "../graphql/account";
import {
  AddProjectMemberMutation,
  RemoveProjectMemberMutation,
  UpdateProjectMemberMutation,
} from "../graphql/projects";
import { permissionFor, type PermissionLike } from "../lib/permissions";
import { roleLabel, ROLES, sortMembers } from "../lib/roles";
import { urls } from "../urls";
import { formatDate } from "./dates";
import { ErrorLines } from "./ErrorLines";
import { SubmitForm } from "./FormModal";
import { mutationErrors, notifyDone, notifyErrors } from "./mutations";
import { NotAllowedNote, SignInHint } from "./Permitted";
import { useViewer } from "./Session";
import { useFormSubmit } from "./useFormSubmit";

interface MembersProject {
  id: string;
  path: string;
  viewerRole?: Role | null;
  viewerPermissions: readonly PermissionLike[];
  members: readonly {
    user: { id: string; username: string; displayName: string };
    role: Role;
    addedBy: string;
    addedAt: string;
  }[];
}

const ROLE_OPTIONS = ROLES.map((r) => ({ value: r.value, label: r.label }));

/** Members and their roles. Owners add, change and remove; everyone else reads, and may leave. */
export function ProjectMembers({ project, onChanged }: { project: MembersProject; onChanged: () => void }) {
  const viewer = useViewer();
  const navigate = useNavigate();
  const manage = permissionFor(project.viewerPermissions, "MANAGE_MEMBERS");
  const [, updateMember] = useMutation(UpdateProjectMemberMutation);
  const [, removeMember] = useMutation(RemoveProjectMemberMutation);
  const members = sortMembers(project.members);

  const changeRole = (username: string, from: Role, role: Role) => {
    const apply = async () => {
      const errors = mutationErrors(
        await updateMember({ input: { projectId: project.id, username, role } }),
        (d) => d.updateProjectMember,
      );
      onChanged();
      if (errors.length) return notifyErrors(errors);
      notifyDone(`${username} is now ${roleLabel(role)}.`);
    };
    if (username !== viewer?.username || from !== "OWNER") return void apply();
    modals.openConfirmModal({
      title: "Give up being an owner?",
      children: (
        <Text size="sm">
          As {roleLabel(role)} you can no longer manage members or the project. Another owner would have to
          make you an owner again.
        </Text>
      ),
      labels: { confirm: `Become ${roleLabel(role)}`, cancel: "Stay owner" },
      confirmProps: { color: "red" },
      onConfirm: () => void apply(),
    });
  };

  const confirmRemove = (username: string, self: boolean) =>
    modals.openConfirmModal({
      title: self ? "Leave this project?" : `Remove ${username} from the project?`,
      children: (
        <Text size="sm">
          {self
            ? "You lose your role here. If the project is private you will no longer see it."
            : `${username} loses their role here. If the project is private they will no longer see it.`}
        </Text>
      ),
      labels: { confirm: self ? "Leave project" : "Remove member", cancel: "Cancel" },
      confirmProps: { color: "red" },
      onConfirm: async () => {
        const errors = mutationErrors(
          await removeMember({ input: { projectId: project.id, username } }),
          (d) => d.removeProjectMember,
        );
        if (errors.length) return notifyErrors(errors);
        notifyDone(self ? `You left ${project.path}.` : `${username} removed.`);
        if (self) navigate(urls.projects());
        else onChanged();
      },
    });

  return (
    <Stack>
      {manage.allowed && <AddMember project={project} onAdded={onChanged} />}
      <NotAllowedNote verdict={manage} />
      <SignInHint compact>Members are managed by the project&apos;s owners.</SignInHint>
      <Table.ScrollContainer minWidth={560}>
      <Table striped aria-label="Members" verticalSpacing="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Member</Table.Th>
            <Table.Th w={200}>Role</Table.Th>
            <Table.Th>Added</Table.Th>
            <Table.Th>
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {members.map((m) => {
            const self = m.user.username === viewer?.username;
            return (
              <Table.Tr key={m.user.id} data-testid="member-row" data-username={m.user.username}>
                <Table.Td>
                  <Text fw={500}>
                    {m.user.displayName || m.user.username}
                    {self && (
                      <Badge ml="xs" size="xs" variant="light">
                        you
                      </Badge>
                    )}
                  </Text>
                  <Text size="xs" c="dimmed" ff="monospace">
                    {m.user.username}
                  </Text>
                </Table.Td>
                <Table.Td>
                  {manage.allowed ? (
                    <Select
                      aria-label={`Role of ${m.user.username}`}
                      data={ROLE_OPTIONS}
                      value={m.role}
                      onChange={(v) => v && v !== m.role && changeRole(m.user.username, m.role, v as Role)}
                      allowDeselect={false}
                      size="xs"
                    />
                  ) : (
                    <Badge variant="light" tt="none" data-testid="member-role">
                      {roleLabel(m.role)}
                    </Badge>
                  )}
                </Table.Td>
                <Table.Td>
                  <Text size="sm">
                    {formatDate(m.addedAt)}
                    <Text span size="xs" c="dimmed">
                      {" "}
                      by {m.addedBy}
                    </Text>
                  </Text>
                </Table.Td>
                <Table.Td ta="right">
                  {(manage.allowed || self) && (
                    <Button
                      size="compact-sm"
                      variant="subtle"
                      color="red"
                      onClick={() => confirmRemove(m.user.username, self)}
                      aria-label={self ? "Leave project" : `Remove ${m.user.username}`}
                    >
                      {self ? "Leave" : "Remove"}
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
      </Table.ScrollContainer>
      <RoleGuide />
    </Stack>
  );
}

function AddMember({ project, onAdded }: { project: MembersProject; onAdded: () => void }) {
  const [username, setUsername] = useState("");
  const [role, setRole] = useState<Role>("REPORTER");
  const form = useFormSubmit(["username", "role"]);
  const [, addMember] = useMutation(AddProjectMemberMutation);
  const [search] = useDebouncedValue(username.trim().toLowerCase(), 200);
  const [{ data }] = useQuery({ query: UsersQuery, variables: { search, first: 10 }, pause: search === "" });
  const taken = new Set(project.members.map((m) => m.user.username));
  const candidates = (data?.users ?? []).filter((u) => !taken.has(u.username));
  const names = new Map(candidates.map((u) => [u.username, u.displayName]));
  const split = form.split;

  const add = async () => {
    const name = username.trim();
    const send = async () =>
      mutationErrors(
        await addMember({ input: { projectId: project.id, username: name, role } }),
        (d) => d.addProjectMember,
      );
    if (await form.submit(send)) {
      notifyDone(`${name} added as ${roleLabel(role)}.`);
      setUsername("");
      onAdded();
    }
  };

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="add-member-heading">
      <SubmitForm onSubmit={add}>
        <Stack gap="sm">
          <Title order={5} id="add-member-heading">
            Add a member
          </Title>
          <Group align="flex-start">
            <Autocomplete
              label="Username"
              placeholder="Start typing a username"
              data={candidates.map((u) => u.username)}
              // The server already filtered by prefix; show what it found.
              filter={({ options }) => options}
              renderOption={({ option }) => (
                <div>
                  <Text size="sm" ff="monospace">
                    {option.value}
                  </Text>
                  {names.get(option.value) && (
                    <Text size="xs" c="dimmed">
                      {names.get(option.value)}
                    </Text>
                  )}
                </div>
              )}
              value={username}
              onChange={(value) => {
                setUsername(value);
                form.setErrors([]);
              }}
              error={split.fields.username}
              w={280}
              autoComplete="off"
            />
            <Select
              label="Role"
              data={ROLE_OPTIONS}
              value={role}
              onChange={(v) => v && setRole(v as Role)}
              allowDeselect={false}
              error={split.fields.role}
              w={180}
            />
            <Button type="submit" mt={25} loading={form.busy} disabled={!username.trim()}>
              Add member
            </Button>
          </Group>
          <ErrorLines messages={split.general} />
        </Stack>
      </SubmitForm>
    </Paper>
  );
}

function RoleGuide() {
  return (
    <Paper withBorder p="md">
      <Title order={5} mb="xs">
        What each role may do
      </Title>
      <Table verticalSpacing={4} aria-label="Roles">
        <Table.Tbody>
          {ROLES.map((r) => (
            <Table.Tr key={r.value}>
              <Table.Td w={120}>
                <Badge variant="light" tt="none">
                  {r.label}
                </Badge>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{r.summary}</Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Paper>
  );
}
