import type { ServerPlugin } from "./context.js";
import { supportPagesPlugin } from "./pages/index.js";

/**
 * Plugins `domaines serve` registers beside the API, each with the server's context
 * (Workspace, token verification, limits, resolvers). The support pages (issue 12) serve
 * the site root; their errors are French pages, the API's stay problem+json.
 */
export const PLUGINS: readonly ServerPlugin[] = [supportPagesPlugin];
