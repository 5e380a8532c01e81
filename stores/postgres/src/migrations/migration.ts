/** One schema change. Versions are applied in ascending order and never edited once released. */
export interface Migration {
  version: number;
  name: string;
  /** Plain SQL, possibly several statements; runs inside the migration transaction. */
  sql: string;
}
