// Calls for claims seen by the screens while the console stays open (the campaign list, the ones
// published): the claim drawer names a claim's call from here.
import { reactive } from 'vue';
import type { Campaign } from '@/api/types';

const known = reactive(new Map<string, Campaign>());

export function rememberCampaigns(list: readonly Campaign[]): void {
  for (const c of list) known.set(c.id, c);
}

export function knownCampaign(id: string): Campaign | undefined {
  return known.get(id);
}
