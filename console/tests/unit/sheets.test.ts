import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { ApiProblemError, PROBLEM_MESSAGES, translateProblem } from '@/api/problems';
import { openSheet, type SheetDeps } from '@/api/sheets';
import type { SheetKind, SheetLink } from '@/api/types';
import PrintButton from '@/components/PrintButton.vue';
import { session } from './support/site-api';

const LINK: SheetLink = {
  url: '/api/v1/sheets/activity_sign_in/a1?expires=1796317952&by=u1&signature=abc',
  expires_at: '2026-12-03T17:12:32Z',
};

/** A tab as window.open gives it, recording where it was sent. */
function fakeTab() {
  const tab = {
    opener: {} as unknown,
    closed: false,
    document: { title: '' },
    sent: [] as string[],
    location: { replace: (u: string) => tab.sent.push(u) },
    close: () => {
      tab.closed = true;
    },
  };
  return tab;
}

describe('opening a printable sheet', () => {
  it('opens a blank tab first, asks for the link, then sends the tab to it', async () => {
    const steps: string[] = [];
    const tab = fakeTab();
    let answer: (l: SheetLink) => void = () => {};
    const deps: SheetDeps = {
      open: (url, target) => {
        steps.push(`open ${url} ${target}`);
        return tab as unknown as Window;
      },
      issue: (sheet: SheetKind, id: string) => {
        steps.push(`POST ${sheet} ${id}`);
        return new Promise((r) => (answer = r));
      },
      origin: 'http://console.test',
    };
    const outcome = openSheet('activity_sign_in', 'a1', deps);
    // Within the click: the tab is open (and cut off from this page) before the POST answers.
    expect(steps).toEqual(['open about:blank _blank', 'POST activity_sign_in a1']);
    expect(tab.opener).toBeNull();
    expect(tab.sent).toEqual([]);
    answer(LINK);
    await expect(outcome).resolves.toEqual({ opened: true, url: `http://console.test${LINK.url}` });
    expect(tab.sent).toEqual([`http://console.test${LINK.url}`]);
  });

  it('gives the link to click when the browser opened no tab', async () => {
    const deps: SheetDeps = { open: () => null, issue: async () => LINK, origin: 'http://console.test' };
    await expect(openSheet('redemption_receipt', 'r1', deps)).resolves.toEqual({
      opened: false,
      url: `http://console.test${LINK.url}`,
    });
  });

  it('closes the blank tab when the link is refused', async () => {
    const tab = fakeTab();
    const refused = new ApiProblemError(translateProblem({ code: 'forbidden', status: 403 }));
    const deps: SheetDeps = {
      open: () => tab as unknown as Window,
      issue: async () => {
        throw refused;
      },
      origin: 'http://console.test',
    };
    await expect(openSheet('points_publicity', 'g1', deps)).rejects.toBe(refused);
    expect(tab.closed).toBe(true);
    expect(tab.sent).toEqual([]);
  });

  it('has Chinese for the signed link problems', () => {
    expect(PROBLEM_MESSAGES.link_expired).toBe('链接已过期，请重新打印。');
    expect(PROBLEM_MESSAGES.link_invalid).toBe('链接无效。');
  });
});

describe('打印 button', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    document.body.innerHTML = '';
  });

  it('opens the tab on the click and sends it to the link the API issues', async () => {
    const pinia = session('staff');
    const posts: { url: string; auth: string | null; body: unknown }[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (req: Request) => {
        posts.push({ url: new URL(req.url).pathname, auth: req.headers.get('Authorization'), body: await req.json() });
        return new Response(JSON.stringify(LINK), { status: 201, headers: { 'Content-Type': 'application/json' } });
      }),
    );
    const tab = fakeTab();
    const open = vi.fn(() => tab);
    vi.stubGlobal('open', open);

    const w = mount(PrintButton, {
      props: { sheet: 'household_points_card', objectId: 'h1' },
      slots: { default: '打印积分卡' },
      global: { plugins: [pinia] },
      attachTo: document.body,
    });
    expect(w.text()).toBe('打印积分卡');
    await w.find('button').trigger('click');
    // Synchronously within the click.
    expect(open).toHaveBeenCalledWith('about:blank', '_blank');
    await flushPromises();
    expect(posts).toEqual([
      { url: '/api/v1/sheets/links', auth: 'Bearer T', body: { sheet: 'household_points_card', id: 'h1' } },
    ]);
    expect(tab.sent).toEqual([new URL(LINK.url, globalThis.location.origin).href]);
    w.unmount();
  });

  it('shows the link to click when the tab was blocked', async () => {
    const pinia = session('staff');
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response(JSON.stringify(LINK), { status: 201, headers: { 'Content-Type': 'application/json' } })),
    );
    vi.stubGlobal('open', vi.fn(() => null));
    const w = mount(PrintButton, {
      props: { sheet: 'redemption_receipt', objectId: 'r1' },
      global: { plugins: [pinia] },
      attachTo: document.body,
    });
    await w.find('button').trigger('click');
    await flushPromises();
    await new Promise((r) => setTimeout(r, 50));
    const a = document.body.querySelector<HTMLAnchorElement>('.el-message-box a');
    expect(a?.textContent).toBe('打开打印页');
    expect(a?.getAttribute('href')).toBe(new URL(LINK.url, globalThis.location.origin).href);
    expect(a?.getAttribute('target')).toBe('_blank');
    expect(a?.getAttribute('rel')).toBe('noopener');
    w.unmount();
  });
});
