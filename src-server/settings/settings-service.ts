import type { Db } from '../db/database.ts';
import type { Clock } from '../lib/clock.ts';
import { AppError } from '../errors.ts';
import type { SettingView as SharedSettingView } from '../../src-shared/domain.ts';
import type { Actor, AuditService } from '../audit/audit-service.ts';
import type { SettingsRepo } from './settings-repo.ts';
import type { PrivilegedWrites } from '../auth/privileged-writes.ts';
import { isSettingKey, SETTING_KEYS, SETTINGS, type SettingKey, type SettingsValues } from './settings-registry.ts';

/** The shared shape, with the key narrowed to the registry's keys. */
export type SettingView = SharedSettingView & { key: SettingKey };

export function createSettingsService(deps: { db: Pick<Db, 'read'>; repo: SettingsRepo; audit: AuditService; clock: Clock; writes: PrivilegedWrites }) {
  const { db, repo, audit, clock, writes } = deps;

  async function describe(): Promise<SettingView[]> {
    const values = await repo.readAll(db.read);
    const changes = await repo.lastChanges(db.read);
    return SETTING_KEYS.map((key) => ({
      key,
      value: values[key],
      default: SETTINGS[key].default,
      type: SETTINGS[key].type,
      description: SETTINGS[key].description,
      updated_at: changes[key]?.updated_at ?? null,
      updated_by: changes[key]?.updated_by ?? null,
    }));
  }

  return {
    values: (): Promise<SettingsValues> => repo.readAll(db.read),
    describe,
    /** Validate every key first, then write all of them in one transaction with one audit entry each. */
    async update(actor: Actor, input: Record<string, unknown>): Promise<SettingView[]> {
      // Values as stored: a public URL without its final slash.
      const changes: Record<string, unknown> = { ...input };
      const entries = Object.entries(changes);
      if (entries.length === 0) throw new AppError('VALIDATION', 'Send at least one setting to change.');
      const issues = [];
      for (const [key, value] of entries) {
        if (!isSettingKey(key)) {
          throw new AppError('UNKNOWN_SETTING', `Unknown setting "${key.slice(0, 64)}". Known settings: ${SETTING_KEYS.join(', ')}.`, {
            fields: [{ field: key.slice(0, 64), message: 'unknown setting' }],
          });
        }
        const parsed = SETTINGS[key].schema.safeParse(value);
        if (!parsed.success)
          issues.push({
            field: key,
            message: SETTINGS[key].type === 'boolean' ? 'must be true or false' : (parsed.error.issues[0]?.message ?? 'is not valid'),
          });
        else changes[key] = parsed.data;
      }
      if (issues.length) {
        const only =
          issues.length === 1 && SETTINGS[issues[0]!.field as SettingKey]?.type === 'text'
            ? `${issues[0]!.field} ${issues[0]!.message}.`
            : 'Some settings have values of the wrong type.';
        throw new AppError('VALIDATION', only, { fields: issues });
      }
      const current = await repo.readAll(db.read);
      const at = clock.now().toISOString();
      await writes.run(actor, async (trx) => {
        for (const [key, value] of Object.entries(changes) as Array<[SettingKey, unknown]>) {
          await repo.write(trx, key, value, at, actor.username);
          await audit.record(
            actor,
            { action: 'settings.change', targetType: 'setting', targetId: key, target: key, detail: { from: current[key], to: value } },
            trx,
          );
        }
      });
      return describe();
    },
  };
}
export type SettingsService = ReturnType<typeof createSettingsService>;
