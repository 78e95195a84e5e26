import { Anchor, Breadcrumbs, Text } from "@mantine/core";
import type { ReactNode } from "react";
import { Link } from "react-router";

import { urls } from "../urls";

/** The trail above a page: Projects › project › model › where the page is. */
export function Crumbs({
  project,
  model,
  current,
}: {
  project?: { path: string; name: string };
  /** The model's name and where its link goes (its page, or one of its tabs). */
  model?: { name: string; to: string };
  current: ReactNode;
}) {
  return (
    <Breadcrumbs>
      <Anchor component={Link} to={urls.projects()}>
        Projects
      </Anchor>
      {project && (
        <Anchor component={Link} to={urls.project(project.path)}>
          {project.name}
        </Anchor>
      )}
      {model && (
        <Anchor component={Link} to={model.to}>
          {model.name}
        </Anchor>
      )}
      <Text>{current}</Text>
    </Breadcrumbs>
  );
}
