/** The access a request may need: any signed-in user, staff, or a superuser. */
export const ACCESS_LEVELS = ['user', 'staff', 'superuser'] as const;
export type AccessLevel = (typeof ACCESS_LEVELS)[number];

/** Who a request comes from, as the gate and the forward-auth check tell other services. */
export interface GateIdentity {
  userId: number;
  username: string;
  email: string | null;
  isStaff: boolean;
  isSuperuser: boolean;
  /** Which credential proved it: an `authorization` header of ours is not passed on upstream. */
  credential: 'authorization' | 'cookie';
}

/** `staff` needs is_staff (as Django's admin does: a superuser without it is refused); `superuser` needs is_superuser. */
export function allows(identity: GateIdentity, level: AccessLevel): boolean {
  return level === 'user' || (level === 'staff' ? identity.isStaff : identity.isSuperuser);
}
