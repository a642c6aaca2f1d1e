import { describe, expect, it } from 'vitest';
import { mount } from '@vue/test-utils';
import ListMore from '@/components/ListMore.vue';

function button(w: ReturnType<typeof mount>) {
  return w.findAll('button').find((b) => b.text() === '加载更多');
}

describe('ListMore', () => {
  it('shows the count with the default unit and a 加载更多 button while more pages exist', async () => {
    const w = mount(ListMore, { props: { shown: 20, more: true, loading: false } });
    expect(w.text()).toContain('已加载 20 条');
    expect(w.text()).not.toContain('已全部加载');
    const b = button(w);
    expect(b).toBeTruthy();
    await b!.trigger('click');
    expect(w.emitted('more')).toHaveLength(1);
  });

  it('uses the given unit with the same spacing', () => {
    const w = mount(ListMore, { props: { shown: 3, unit: '个活动', more: false, loading: false } });
    expect(w.text()).toContain('已加载 3 个活动');
    const one = mount(ListMore, { props: { shown: 1, unit: '人', more: false, loading: false } });
    expect(one.text()).toContain('已加载 1 人');
  });

  it('says 已全部加载 on the last page, and nothing more when the list is empty', () => {
    const done = mount(ListMore, { props: { shown: 5, more: false, loading: false } });
    expect(button(done)).toBeUndefined();
    expect(done.text()).toContain('已全部加载');
    const empty = mount(ListMore, { props: { shown: 0, more: false, loading: false } });
    expect(empty.text()).toBe('已加载 0 条');
  });

  it('marks the button as loading', () => {
    const w = mount(ListMore, { props: { shown: 20, more: true, loading: true } });
    expect(button(w)!.classes()).toContain('is-loading');
  });
});
