/** The inbox's small rules: how old a request reads, and telling the header badge to look again. */

/** "just now", "5 minutes ago", "1 hour ago", "3 days ago": how long a request has waited. */
export function formatAge(createdAt: string, now: number = Date.now()): string {
  const seconds = Math.max(0, (now - Date.parse(createdAt)) / 1000);
  if (!Number.isFinite(seconds) || seconds < 60) return "just now";
  const units: [number, string][] = [
    [86_400, "day"],
    [3_600, "hour"],
    [60, "minute"],
  ];
  for (const [size, name] of units) {
    if (seconds >= size) {
      const n = Math.floor(seconds / size);
      return `${n} ${name}${n === 1 ? "" : "s"} ago`;
    }
  }
  return "just now";
}

const INBOX_CHANGED = "modelreg:inbox-changed";

/** A request was approved, rejected or cancelled here: the badge counts again at once. */
export function announceInboxChange(): void {
  window.dispatchEvent(new Event(INBOX_CHANGED));
}

export function onInboxChange(listener: () => void): () => void {
  window.addEventListener(INBOX_CHANGED, listener);
  return () => window.removeEventListener(INBOX_CHANGED, listener);
}
