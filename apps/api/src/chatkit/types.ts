/** The ChatKit protocol types, from the package (kept here for the modules that import them from this path). */
export type * from "handoff-chatkit";
