/** What `shipsafe init` learned about the project it is run in. */
export interface ProjectFacts {
  /** The service name to write: package.json `name` without its scope, else the directory name. */
  readonly service: string;
  /** `name` from package.json, when there is one. */
  readonly packageName: string | undefined;
  /** The package.json scripts shipsafe cares about, by name (test, build, start). */
  readonly scripts: { readonly test?: string; readonly build?: string; readonly start?: string };
  /** SQLite files found in the top two directory levels, relative and `/`-separated. */
  readonly sqliteFiles: readonly string[];
  /** `migrations` or `db/migrations`, when present. */
  readonly migrationsDir: string | undefined;
  /** Directories of user files worth protecting (uploads, storage), relative. */
  readonly dataDirs: readonly string[];
}
