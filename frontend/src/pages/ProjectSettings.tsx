import { Button, Divider, Group, Modal, Select, Stack, Text, TextInput, Textarea } from "@mantine/core";
import { useState } from "react";
import { useNavigate } from "react-router";
import { useMutation } from "urql";

import { mutationErrors, notifyDone } from "../components/mutations";
import type { Visibility } from "../gql/graphql";
import { DeleteProjectMutation, UpdateProjectMutation } from "../graphql/projects";
import { splitErrors, type UserError } from "../lib/errors";
import { urls } from "../urls";
import { ErrorLines } from "../components/ErrorLines";

interface ProjectFields {
  id: string;
  path: string;
  name: string;
  description: string;
  visibility: Visibility;
}

/** Edit a project's path, name, description and visibility; delete it after typing its path. */
export function ProjectSettings({
  project,
  opened,
  onClose,
}: {
  project: ProjectFields;
  opened: boolean;
  onClose: () => void;
}) {
  const navigate = useNavigate();
  const [, update] = useMutation(UpdateProjectMutation);
  const [, remove] = useMutation(DeleteProjectMutation);
  const [path, setPath] = useState(project.path);
  const [name, setName] = useState(project.name);
  const [description, setDescription] = useState(project.description);
  const [visibility, setVisibility] = useState<Visibility>(project.visibility);
  const [confirm, setConfirm] = useState("");
  const [errors, setErrors] = useState<UserError[]>([]);
  const split = splitErrors(errors, ["path", "name", "description"]);

  const save = async () => {
    const result = await update({ input: { id: project.id, path, name, description, visibility } });
    const found = mutationErrors(result, (d) => d.updateProject);
    setErrors(found);
    if (found.length === 0) {
      notifyDone("Project saved.");
      onClose();
      if (path !== project.path) navigate(urls.project(path), { replace: true });
    }
  };
  const destroy = async () => {
    const found = mutationErrors(await remove({ input: { id: project.id } }), (d) => d.deleteProject);
    setErrors(found);
    if (found.length === 0) {
      notifyDone(`Project ${project.path} deleted.`);
      onClose();
      navigate(urls.projects());
    }
  };

  return (
    <Modal opened={opened} onClose={onClose} title="Project settings" size="lg">
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
        <Select
          label="Visibility"
          data={["PRIVATE", "INTERNAL", "PUBLIC"]}
          value={visibility}
          onChange={(v) => setVisibility((v ?? visibility) as Visibility)}
          allowDeselect={false}
        />
        <ErrorLines messages={split.general} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button onClick={save}>Save</Button>
        </Group>
        <Divider label="Danger zone" labelPosition="left" color="red" />
        <Text size="sm">
          Deleting the project deletes all its models and versions. Type <b>{project.path}</b> to
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
    </Modal>
  );
}
