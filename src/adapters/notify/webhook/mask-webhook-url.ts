/**
 * A webhook URL safe to print: scheme, host and port stay; credentials, path and query (where
 * Slack, Teams and most chat webhooks carry their token) become `***`.
 */
export function maskWebhookUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const hidden = parsed.pathname !== "/" || parsed.search !== "" || parsed.username !== "";
    return `${parsed.protocol}//${parsed.host}${hidden ? "/***" : "/"}`;
  } catch {
    return "***";
  }
}

/** `text` with every spelling of `url` (plain, URL-encoded, and its path alone) masked. */
export function scrubUrl(text: string, url: string): string {
  const masked = maskWebhookUrl(url);
  let out = text;
  const spellings = [url, encodeURIComponent(url)];
  try {
    const parsed = new URL(url);
    spellings.push(parsed.href);
    if (parsed.pathname.length > 1) spellings.push(parsed.pathname + parsed.search);
  } catch {}
  for (const spelling of spellings.filter((s) => s.length > 1)) {
    out = out.split(spelling).join(masked);
  }
  return out;
}
