export { CHATKIT_MIGRATION_SQL, migrateChatKit } from "./migration.js";
export { chatkitAttachments, chatkitItems, chatkitThreads } from "./schema.js";
export { type ChatKitDatabase, drizzleStore } from "./store.js";
