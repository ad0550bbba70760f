export interface PgCluster {
  port: number;
  socketDir: string;
  password: string;
  log: string;
  url(db: string): string;
  psql(sql: string, db?: string): string;
  createDatabase(name?: string): string;
  restart(mode?: "smart" | "fast" | "immediate"): void;
  stopServer(mode?: "smart" | "fast" | "immediate"): void;
  startServer(): void;
  stop(): void;
}
export function postgresBinDir(): string;
export function startCluster(prefix?: string): Promise<PgCluster>;
