// What redemption rows show instead of ids: the item's name and the household's building and label.
import { computed, ref } from 'vue';
import { api } from '@/api/client';
import { unwrap } from '@/api/problems';
import type { Building, StoreItem } from '@/api/types';
import { household } from '@/views/points/households';
import { loadAll, loadBuildings } from '@/views/points/lists';

export function useStoreNames() {
  const items = ref<StoreItem[]>([]);
  const buildings = ref<Building[]>([]);
  const itemById = computed(() => new Map(items.value.map((i) => [i.id, i.name])));
  const buildingById = computed(() => new Map(buildings.value.map((b) => [b.id, b.name])));

  function itemName(id: string): string {
    return itemById.value.get(id) ?? '…';
  }

  function householdName(id: string): string {
    const h = household(id);
    if (h === undefined) return '…';
    if (h === null) return '—';
    const b = buildingById.value.get(h.building_id);
    return b ? `${b} ${h.label}` : h.label;
  }

  async function loadItems(): Promise<void> {
    items.value = await loadAll((cursor) =>
      unwrap(api().GET('/api/v1/store/items', { params: { query: { limit: 100, cursor } } })),
    );
  }

  async function loadNames(siteId: string | null): Promise<void> {
    const [, b] = await Promise.all([loadItems(), loadBuildings(siteId)]);
    buildings.value = b;
  }

  return { items, buildings, itemName, householdName, loadItems, loadNames };
}
