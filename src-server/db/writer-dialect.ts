import {
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
} from 'kysely';
import type { WriterPort } from './writer-port.ts';

/** One of Kysely's connections to the writer: its statements are autocommit until it begins a transaction. */
class WriterConnection implements DatabaseConnection {
  constructor(
    private readonly port: WriterPort,
    readonly id: number,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const r = await this.port.ask({ conn: this.id, sql: query.sql, params: [...query.parameters] });
    return {
      rows: r.rows as R[],
      numAffectedRows: BigInt(r.changes),
      ...(r.insertId === undefined ? {} : { insertId: BigInt(r.insertId) }),
    };
  }

  streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('the SQLite writer does not stream results');
  }

  step(step: 'begin' | 'commit' | 'rollback'): Promise<void> {
    return this.port.ask({ conn: this.id, step }).then(() => undefined);
  }
}

/**
 * Kysely's driver for the SQLite writer (sqlite-writer.ts): no lock on this
 * side, since the writer itself queues other connections behind an open
 * transaction and commits autocommit statements in groups.
 */
class WriterDriver implements Driver {
  private next = 1;
  constructor(private readonly port: WriterPort) {}
  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    return new WriterConnection(this.port, this.next++);
  }
  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as WriterConnection).step('begin');
  }
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as WriterConnection).step('commit');
  }
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as WriterConnection).step('rollback');
  }
  async releaseConnection(): Promise<void> {}
  async destroy(): Promise<void> {
    await this.port.close();
  }
}

/** SQLite's SQL, run by the writer behind `port`. */
export function writerDialect(port: WriterPort): Dialect {
  return {
    createDriver: () => new WriterDriver(port),
    createQueryCompiler: () => new SqliteQueryCompiler(),
    createAdapter: () => new SqliteAdapter(),
    createIntrospector: (db: Kysely<unknown>) => new SqliteIntrospector(db),
  };
}
