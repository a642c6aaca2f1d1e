// The route table of the console's areas, with the roles allowed in each. The menu and the
// permission guard both read it through `canAccess`; the server still enforces every permission.
import type { Component } from 'vue';
import {
  Bell,
  Calendar,
  Coin,
  OfficeBuilding,
  Service,
  Setting,
  ShoppingCart,
  Suitcase,
} from '@element-plus/icons-vue';
import type { Role } from '@/api/types';

export interface Area {
  /** Route name. */
  name: string;
  /** Path under /console/. */
  path: string;
  /** Menu text. */
  title: string;
  icon: Component;
  /** Roles that see the area. */
  roles: readonly Role[];
  view: () => Promise<unknown>;
}

const LEADERS_AND_STAFF: readonly Role[] = ['group_leader', 'staff', 'site_admin', 'platform_admin'];
const STAFF: readonly Role[] = ['staff', 'site_admin', 'platform_admin'];
const ADMINS: readonly Role[] = ['site_admin', 'platform_admin'];

// The eight areas of the console, in menu order.
export const AREAS: readonly Area[] = [
  {
    name: 'service-desk',
    path: 'service-desk',
    title: '服务台',
    icon: Service,
    roles: LEADERS_AND_STAFF,
    view: () => import('@/views/service-desk/index.vue'),
  },
  {
    name: 'registry',
    path: 'registry',
    title: '居民档案',
    icon: OfficeBuilding,
    roles: LEADERS_AND_STAFF,
    view: () => import('@/views/registry/index.vue'),
  },
  {
    name: 'recruitment',
    path: 'recruitment',
    title: '就业招聘',
    icon: Suitcase,
    roles: STAFF,
    view: () => import('@/views/recruitment/index.vue'),
  },
  {
    name: 'activities',
    path: 'activities',
    title: '活动管理',
    icon: Calendar,
    roles: STAFF,
    view: () => import('@/views/activities/index.vue'),
  },
  {
    name: 'points',
    path: 'points',
    title: '积分管理',
    icon: Coin,
    roles: LEADERS_AND_STAFF,
    view: () => import('@/views/points/index.vue'),
  },
  {
    name: 'store',
    path: 'store',
    title: '积分超市',
    icon: ShoppingCart,
    roles: STAFF,
    view: () => import('@/views/store/index.vue'),
  },
  {
    name: 'broadcasts',
    path: 'broadcasts',
    title: '通知公告',
    icon: Bell,
    roles: STAFF,
    view: () => import('@/views/broadcasts/index.vue'),
  },
  {
    name: 'admin',
    path: 'admin',
    title: '系统管理',
    icon: Setting,
    roles: ADMINS,
    view: () => import('@/views/admin/index.vue'),
  },
];

/**
 * The one permission check of the console. `roles` undefined means "any signed-in account";
 * `role` null means nobody is signed in.
 */
export function canAccess(role: Role | null, roles: readonly Role[] | undefined): boolean {
  if (role === null) return false;
  return roles === undefined || roles.includes(role);
}

/** The menu a role sees, in menu order. */
export function menuFor(role: Role | null): Area[] {
  return AREAS.filter((a) => canAccess(role, a.roles));
}
