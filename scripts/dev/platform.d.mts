import type { ChildProcess } from 'node:child_process';

export declare const ROOT: string;
export declare const DEMO: { tenantId: string; password: string; admin: string; users: string[]; deposit: number; currency: string };
export interface PlatformProcess { name: string; child: ChildProcess; exited: boolean }
export interface Platform {
  gatewayUrl: string;
  gatewayBase: string;
  redisUrl: string;
  mongoUri: string;
  brand: string;
  services: Array<{ name: string; port: number; url: string }>;
  /** Inspection API of the local SMTP/Twilio recorders (GET /emails?to=, GET /sms?to=), or null. */
  providerSinksUrl: string | null;
  processes: PlatformProcess[];
  env: Record<string, string>;
  /** SIGKILL (or `signal`) a process by name (`redis`, `embedded-mongo`, a service, `gateway`) and its children. */
  kill(name: string, signal?: NodeJS.Signals): Promise<void>;
  /** Start it again with the same command, port and environment; resolves when it is ready. */
  restart(name: string): Promise<void>;
  stop(): Promise<void>;
}
export declare function startPlatform(options: {
  dataDir: string;
  redisUrl?: string;
  mongoUri?: string;
  freePorts?: boolean;
  brand?: string;
  env?: Record<string, string>;
  /** How long the whole start may take (default 180 s). */
  readyTimeoutMs?: number;
  output?: (line: string) => void;
  say?: (message: string) => void;
  onUnexpectedExit?: (name: string, code: unknown) => void;
}): Promise<Platform>;
export declare function freePort(): Promise<number>;
export declare function graphql(url: string, query: string, variables?: Record<string, unknown>, token?: string): Promise<any>;
export declare function fundDemoUsers(gatewayUrl: string): Promise<Array<{ email: string; wallets: Array<{ currency: string; balance: number }> }>>;
