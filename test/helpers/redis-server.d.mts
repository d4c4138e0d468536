// Types of redis-server.mjs.
export declare const REDIS_SERVER: string;
export declare function redisServerAvailable(): boolean;
export interface RedisServer {
  port: number;
  url: string;
  pid: number | undefined;
  output(): string;
  signal(name: NodeJS.Signals): boolean;
  stop(): Promise<void>;
  kill(): Promise<void>;
}
export declare function startRedis(options?: { port?: number }): Promise<RedisServer>;
