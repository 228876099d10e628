export type { ChatKitFetchOptions } from "./chatkit-fetch.js";
export { createChatKitFetch } from "./chatkit-fetch.js";
export type { ClientSecretGetterOptions, GetClientSecret } from "./client-secret-getter.js";
export { createClientSecretGetter } from "./client-secret-getter.js";
