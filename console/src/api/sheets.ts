// Printable sheets (签到表, 公示表, 兑换凭证, 积分卡): pages the server renders for printing. A new tab
// cannot send the bearer token, so it opens a short-lived signed link (POST /sheets/links, ten
// minutes) instead.
import { api } from './client';
import { unwrap } from './problems';
import type { SheetKind, SheetLink } from './types';

/** What opening a sheet needs from the browser and the API (tests pass their own). */
export interface SheetDeps {
  /** `window.open`. */
  open: (url: string, target: string) => Window | null;
  /** `POST /api/v1/sheets/links`. */
  issue: (sheet: SheetKind, id: string) => Promise<SheetLink>;
  /** The origin the link's path is on (the console's own). */
  origin: string;
}

/** Whether the sheet is open in a new tab; either way, its absolute link. */
export interface SheetOutcome {
  opened: boolean;
  url: string;
}

/** A signed link to one sheet. */
export function issueSheetLink(sheet: SheetKind, id: string): Promise<SheetLink> {
  return unwrap(api().POST('/api/v1/sheets/links', { body: { sheet, id } }));
}

function browserDeps(): SheetDeps {
  return {
    open: (url, target) => globalThis.open(url, target),
    issue: issueSheetLink,
    origin: globalThis.location.origin,
  };
}

/**
 * Opens a sheet in a new tab. Call it straight from the click handler: the tab opens (blank)
 * before the link is asked for, while the click still counts, so popup blockers let it through;
 * it is cut off from this page (`opener = null`, what `noopener` does) and sent to the link
 * once it arrives. When the browser opened no tab, the outcome has the link for the user to
 * click. A failure closes the blank tab and throws (an `ApiProblemError` in Chinese).
 */
export async function openSheet(sheet: SheetKind, id: string, deps: SheetDeps = browserDeps()): Promise<SheetOutcome> {
  const tab = deps.open('about:blank', '_blank');
  if (tab) {
    try {
      tab.opener = null;
      tab.document.title = '正在打开打印页…';
    } catch {
      // A browser that refuses either still opens the link below.
    }
  }
  let link: SheetLink;
  try {
    link = await deps.issue(sheet, id);
  } catch (e) {
    tab?.close();
    throw e;
  }
  const url = new URL(link.url, deps.origin).href;
  if (tab && !tab.closed) {
    tab.location.replace(url);
    return { opened: true, url };
  }
  return { opened: false, url };
}
