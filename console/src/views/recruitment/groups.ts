// The site's resident groups, for filters and names (a site has a few dozen: read every page once).
import { computed, ref } from 'vue';
import { api } from '@/api/client';
import { unwrap } from '@/api/problems';
import type { Group } from '@/api/types';
import { useSessionStore } from '@/stores/session';

const groups = ref<Group[]>([]);
let loading: Promise<void> | null = null;
/** The site the cached groups were read for (a platform administrator may switch sites). */
let loadedFor: string | null | undefined;

async function readAll(): Promise<void> {
  const all: Group[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 20; i++) {
    const page = await unwrap(
      api().GET('/api/v1/groups', { params: { query: { limit: 100, cursor } } }),
    );
    all.push(...page.items);
    if (!page.next_cursor) break;
    cursor = page.next_cursor;
  }
  groups.value = all;
}

export function useGroups() {
  const groupName = computed(() => new Map(groups.value.map((g) => [g.id, g.name])));
  const store = useSessionStore();
  function loadGroups(): Promise<void> {
    if (loadedFor !== store.siteId) {
      loadedFor = store.siteId;
      loading = null;
    }
    if (!loading) {
      loading = readAll().catch(() => {
        // Names are a nicety: lists still work without them; try again next time.
        loading = null;
      });
    }
    return loading;
  }
  return { groups, groupName, loadGroups };
}
