const enc = encodeURIComponent;

export const urls = {
  projects: () => "/",
  project: (project: string) => `/projects/${enc(project)}`,
  model: (project: string, model: string) => `/projects/${enc(project)}/models/${enc(model)}`,
  modelTab: (project: string, model: string, tab: "card" | "versions") =>
    `${urls.model(project, model)}?tab=${tab}`,
  newVersion: (project: string, model: string) => `${urls.model(project, model)}/versions/new`,
  version: (project: string, model: string, version: string) =>
    `${urls.model(project, model)}/versions/${enc(version)}`,
  graphiql: () => "/graphql",
};
