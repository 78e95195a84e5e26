import { createBrowserRouter, type RouteObject } from "react-router";

import { Layout } from "./components/Layout";
import { RouteError } from "./components/RouteError";
import { Loading } from "./components/States";

// Every page is its own chunk: the first load carries only the shell and the page shown.
// Until the first page's chunk has loaded the router is not initialised, and renders the
// root's HydrateFallback (without one, nothing, and React Router warns on every load).
export const routes: RouteObject[] = [
  {
    element: <Layout />,
    errorElement: <RouteError />,
    HydrateFallback: Loading,
    children: [
      { index: true, lazy: () => import("./pages/ProjectsPage").then((m) => ({ Component: m.default })) },
      { path: "sign-in", lazy: () => import("./pages/SignInPage").then((m) => ({ Component: m.default })) },
      {
        path: "-/user/tokens",
        lazy: () => import("./pages/AccountPage").then((m) => ({ Component: m.TokensPage })),
      },
      {
        path: "-/user/password",
        lazy: () => import("./pages/AccountPage").then((m) => ({ Component: m.PasswordPage })),
      },
      {
        path: "-/user/notifications",
        lazy: () => import("./pages/AccountPage").then((m) => ({ Component: m.NotificationsPage })),
      },
      { path: "-/inbox", lazy: () => import("./pages/InboxPage").then((m) => ({ Component: m.default })) },
      {
        path: "projects/:project",
        lazy: () => import("./pages/ProjectPage").then((m) => ({ Component: m.default })),
      },
      {
        path: "projects/:project/settings",
        lazy: () => import("./pages/ProjectSettingsPage").then((m) => ({ Component: m.GeneralSettingsPage })),
      },
      {
        path: "projects/:project/settings/members",
        lazy: () => import("./pages/ProjectSettingsPage").then((m) => ({ Component: m.MembersSettingsPage })),
      },
      {
        path: "projects/:project/settings/webhooks",
        lazy: () => import("./pages/ProjectSettingsPage").then((m) => ({ Component: m.WebhooksSettingsPage })),
      },
      {
        path: "projects/:project/models/:model",
        lazy: () => import("./pages/ModelPage").then((m) => ({ Component: m.default })),
      },
      {
        path: "projects/:project/models/:model/compare",
        lazy: () => import("./pages/ComparePage").then((m) => ({ Component: m.default })),
      },
      {
        path: "projects/:project/models/:model/versions/new",
        lazy: () => import("./pages/CreateVersionPage").then((m) => ({ Component: m.default })),
      },
      {
        path: "projects/:project/models/:model/versions/:version",
        lazy: () => import("./pages/VersionPage").then((m) => ({ Component: m.default })),
      },
      // MLflow tracking: the links the MLflow client prints, and pages of experiments and runs.
      {
        path: "projects/:project/mlflow",
        lazy: () => import("./pages/MlflowLinkPage").then((m) => ({ Component: m.default })),
      },
      {
        path: "projects/:project/experiments",
        lazy: () => import("./pages/ExperimentsPage").then((m) => ({ Component: m.default })),
      },
      {
        path: "projects/:project/experiments/:experimentId",
        lazy: () => import("./pages/ExperimentPage").then((m) => ({ Component: m.default })),
      },
      {
        path: "projects/:project/runs/:runId",
        lazy: () => import("./pages/RunPage").then((m) => ({ Component: m.default })),
      },
      { path: "*", lazy: () => import("./pages/NotFoundPage").then((m) => ({ Component: m.default })) },
    ],
  },
];

export const router = createBrowserRouter(routes);
