// The official import template (GET /sites/{id}/residents/import-template, an .xlsx with the
// columns, drop-down choices and a sheet of instructions), saved through the session.
import { ref, type Ref } from 'vue';
import { ElMessage } from 'element-plus';
import { api } from '@/api/client';
import { saveDownload } from '@/api/download';
import { errorMessage } from '@/api/problems';

export const TEMPLATE_FILE_NAME = '居民花名册导入模板.xlsx';

/** Saves the site's template; resolves to the file name used. */
export function downloadTemplate(siteId: string): Promise<string> {
  return saveDownload(
    api().GET('/api/v1/sites/{id}/residents/import-template', {
      params: { path: { id: siteId } },
      parseAs: 'blob',
    }),
    TEMPLATE_FILE_NAME,
  );
}

/** The 下载导入模板 button's state and action (a problem shows as a message). */
export function useTemplateDownload(siteId: () => string | null): { busy: Ref<boolean>; download: () => Promise<void> } {
  const busy = ref(false);
  async function download(): Promise<void> {
    const id = siteId();
    if (!id || busy.value) return;
    busy.value = true;
    try {
      await downloadTemplate(id);
    } catch (e) {
      ElMessage.error(errorMessage(e));
    } finally {
      busy.value = false;
    }
  }
  return { busy, download };
}
