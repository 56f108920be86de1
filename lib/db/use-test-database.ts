import type { Kysely } from "kysely";
import { afterAll, beforeAll } from "vitest";
import { openDatabase, type OpenedDatabase } from "./client";
import type { Database } from "./schema";
import type { TestDatabase, TestDatabaseKind } from "./testing";

/**
 * A new database of `kind` for the enclosing `describe`, created and migrated before its tests and dropped
 * after them, opened through `instances` handles (two app instances on one database are two handles).
 * `onOpen` receives them in order once they are open, and where the database is (to open another handle). Vitest only: the hooks are registered here, which is
 * why this is not in testing.ts, which the e2e run imports.
 */
export function useTestDatabase(
  kind: TestDatabaseKind,
  onOpen: (dbs: Kysely<Database>[], place: TestDatabase) => void,
  instances = 1,
): void {
  let place: TestDatabase | undefined;
  const opened: OpenedDatabase[] = [];
  beforeAll(async () => {
    place = await kind.create();
    for (let i = 0; i < instances; i++) opened.push(await openDatabase(place.options));
    onOpen(
      opened.map((handle) => handle.db),
      place,
    );
  });
  afterAll(async () => {
    for (const handle of opened) await handle.close();
    await place?.drop();
  });
}
