import { createHash, type Hash } from 'node:crypto';
import { AppError } from '../errors.ts';

/**
 * The one encoding of a row that a backup holds and every checksum is taken
 * over, whatever the database: a JSON array of the row's values in the
 * table's columns sorted by name, where a boolean is 1 or 0 (SQLite stores
 * them so; PostgreSQL's true/false become the same), an integer a JSON
 * number, text (timestamps included: the app stores ISO-8601 strings on both
 * databases) a JSON string, and a missing value null.
 */
export type CanonicalValue = string | number | null;

export function canonicalValue(v: unknown, where: string): CanonicalValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  if (typeof v === 'bigint' && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(v);
  throw new AppError('BACKUP_INVALID', `${where} holds a value no backup can carry (${typeof v}): only text, whole numbers, booleans and nulls are stored.`);
}

export function canonicalRow(row: Record<string, unknown>, columns: readonly string[], table: string): CanonicalValue[] {
  return columns.map((c) => canonicalValue(row[c], `${table}.${c}`));
}

export function canonicalLine(values: readonly CanonicalValue[]): string {
  return JSON.stringify(values);
}

/** Row count and SHA-256 of a table's canonical lines, fed in the canonical order (primary key, bytewise). */
export class TableDigest {
  rows = 0;
  private readonly hash: Hash = createHash('sha256');
  add(line: string): void {
    this.hash.update(line + '\n');
    this.rows++;
  }
  result(): { rows: number; sha256: string } {
    return { rows: this.rows, sha256: this.hash.copy().digest('hex') };
  }
}
