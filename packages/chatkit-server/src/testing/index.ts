export { describeChatKitStoreContract } from "./contract.js";
