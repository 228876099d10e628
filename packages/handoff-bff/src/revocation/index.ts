export type { MemoryRevocationOptions } from "./memory-revocation.js";
export { memoryRevocation } from "./memory-revocation.js";
export type { RevocationListener, RevocationStore } from "./types.js";
