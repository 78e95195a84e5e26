import "@mantine/core/styles.css";
import "@mantine/notifications/styles.css";
import "./theme.css";

import { MantineProvider } from "@mantine/core";
import { ModalsProvider } from "@mantine/modals";
import { Notifications } from "@mantine/notifications";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { RouterProvider } from "react-router/dom";

import { SessionProvider } from "./components/Session";
import { router } from "./router";
import { cssVariablesResolver, theme } from "./theme";

const root = document.getElementById("root");
if (!root) throw new Error("#root is missing from index.html");

createRoot(root).render(
  <StrictMode>
    <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver} defaultColorScheme="light">
      <ModalsProvider>
        <Notifications position="top-right" />
        <SessionProvider>
          <RouterProvider router={router} />
        </SessionProvider>
      </ModalsProvider>
    </MantineProvider>
  </StrictMode>,
);
