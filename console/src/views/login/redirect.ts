// Where the login page sends the user afterwards.

/**
 * The `redirect` query as a path inside the console, or null when it is missing or unsafe: only
 * an absolute path of this app (not `//host` or `/\host`, which browsers read as another site),
 * and never the login page itself.
 */
export function safeRedirect(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return null;
  if (/^\/login(?:[/?#]|$)/.test(value)) return null;
  return value;
}
