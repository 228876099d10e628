export { findServerBinaries, userIds } from "./postgres-cluster.js";
export {
  createPostgresDatabase,
  type EmptyPostgresDatabase,
  testPostgresUrl,
} from "./postgres-database.js";
export type { TestPostgres } from "./provided.js";
export { type RedisServer, startRedisServer } from "./redis-server.js";
