/**
 * The web app's export (`GET /api/v1/projects/{project}/export`): the URL of a download, and
 * what a refused one means in words. The server checks everything again; these only shape the
 * request.
 */

/** What the export section sends: every model or some, and optionally only what changed. */
export interface ExportChoice {
  models: readonly string[];
  sinceEvent: number | null;
}

/** `/api/v1/projects/demo/export?models=a&models=b&since_event=12` (parameters left out when unset). */
export function exportUrl(project: string, choice: ExportChoice): string {
  const params = new URLSearchParams();
  for (const name of choice.models) params.append("models", name);
  if (choice.sinceEvent !== null) params.set("since_event", String(choice.sinceEvent));
  const query = params.toString();
  return `/api/v1/projects/${encodeURIComponent(project)}/export${query ? `?${query}` : ""}`;
}

/** A refused export (a HEAD answers without a body), by status, as a sentence to act on. */
export function exportRefusal(status: number): string {
  switch (status) {
    case 400:
      return "The server refused these choices; check the event id and try again.";
    case 401:
      return "Your session has ended: sign in again to export.";
    case 403:
      return "Exporting needs the MAINTAINER role or higher in this project.";
    case 404:
      return "A chosen model (or the project) no longer exists; reload the page and choose again.";
    default:
      return `The export could not start (HTTP ${status}); try again in a moment.`;
  }
}
