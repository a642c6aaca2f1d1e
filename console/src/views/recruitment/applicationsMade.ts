// Applications staff made from this console (代报名), by posting. Staff cannot list a posting's
// applications (GET /jobs/{id}/applications answers its employer only), so these are the ones the
// screen knows of; they last while the console stays open.
import { reactive } from 'vue';
import type { Application } from '@/api/types';

export interface Made {
  application: Application;
  /** The applicant's name. */
  name: string;
}

export const made = reactive(new Map<string, Made[]>());
