import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import { defaultSettings, isSettingKey, SETTINGS, type SettingKey, type SettingsValues } from './settings-registry.ts';

type Q = Kysely<Database> | Transaction<Database>;

export function createSettingsRepo() {
  return {
    /** Every setting, stored values over defaults; a stored value that no longer parses falls back to the default. */
    async readAll(q: Q): Promise<SettingsValues> {
      const rows = await q.selectFrom('settings').select(['key', 'value']).execute();
      const values = defaultSettings() as Record<SettingKey, unknown>;
      for (const row of rows) {
        if (!isSettingKey(row.key)) continue;
        try {
          const parsed = SETTINGS[row.key].schema.safeParse(JSON.parse(row.value));
          if (parsed.success) values[row.key] = parsed.data;
        } catch {
          /* keep the default */
        }
      }
      return values as SettingsValues;
    },
    async write(q: Q, key: SettingKey, value: unknown, at: string, by: string | null): Promise<void> {
      await q
        .insertInto('settings')
        .values({ key, value: JSON.stringify(value), updated_at: at, updated_by: by })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(value), updated_at: at, updated_by: by }))
        .execute();
    },
    async lastChanges(q: Q): Promise<Record<string, { updated_at: string; updated_by: string | null }>> {
      const rows = await q.selectFrom('settings').select(['key', 'updated_at', 'updated_by']).execute();
      return Object.fromEntries(rows.map((r) => [r.key, { updated_at: r.updated_at, updated_by: r.updated_by }]));
    },
  };
}
export type SettingsRepo = ReturnType<typeof createSettingsRepo>;
