import { Anchor, Modal, Stack, Text, TextInput } from "@mantine/core";
import { useState } from "react";
import { Link } from "react-router";

import { envLines, logModelSnippet, trackingUri } from "../lib/mlflow";
import { urls } from "../urls";
import { CopyCode } from "./CopyCode";

/** How to log and register models into a project with the MLflow client. */
export function MlflowImportModal({
  projectPath,
  opened,
  onClose,
}: {
  projectPath: string;
  opened: boolean;
  onClose: () => void;
}) {
  const [modelName, setModelName] = useState("my-model");
  const uri = trackingUri(window.location.origin, projectPath);
  return (
    <Modal opened={opened} onClose={onClose} title="Import using MLflow" size="xl">
      <Stack>
        <Text size="sm">
          This project is an MLflow tracking server. Point the MLflow client at its tracking URI:
        </Text>
        <CopyCode code={uri} label="tracking URI" />
        <Text size="sm">
          Authenticate with a{" "}
          <Anchor component={Link} to={urls.accountTokens()} inherit>
            personal access token
          </Anchor>{" "}
          with the <strong>api</strong> scope, set as <code>MLFLOW_TRACKING_TOKEN</code>:
        </Text>
        <CopyCode code={envLines(uri)} label="environment variables" />
        <TextInput
          label="Model name"
          description="The registered model; it is created on first use."
          value={modelName}
          onChange={(e) => setModelName(e.currentTarget.value)}
        />
        <CopyCode code={logModelSnippet(modelName || "my-model")} label="Python snippet" />
        <Text size="sm" c="dimmed">
          Each registration becomes a new version: its SemVer is the next patch version unless the
          version tag <code>modelreg.version</code> is set (e.g. <code>2.0.0</code>). The run&apos;s
          params, metrics and tags show on the version page.
        </Text>
      </Stack>
    </Modal>
  );
}
