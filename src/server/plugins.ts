import type { ServerPlugin } from "./context.js";

/**
 * Plugins `domaines serve` registers beside the API, each with the server's context
 * (Workspace, token verification). The support pages (issue 12) add their entry here.
 */
export const PLUGINS: readonly ServerPlugin[] = [];
