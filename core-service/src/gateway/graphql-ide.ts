import type { IncomingMessage, ServerResponse } from 'node:http';

export interface GraphqlIdeOptions {
  /** Page title. Default "GraphQL IDE". */
  title?: string;
  /** The first tab's document when the browser has none stored (e.g. a login example). */
  defaultQuery?: string;
  /** Where the IDE sends operations. Default `/graphql`. */
  endpoint?: string;
}

/** Where the IDE's own files are served from. */
export const GRAPHQL_IDE_ASSETS_PATH = '/graphql-ide/';

interface Asset {
  body: string;
  contentType: string;
}

/**
 * GraphiQL (GraphQL Yoga's build, `@graphql-yoga/render-graphiql`) for developers opening
 * `GET /graphql` in a browser. Decision: that package ships GraphiQL, React and Monaco as one
 * prebuilt bundle with no CDN reference, where `graphiql` itself would need a bundler here and
 * Apollo's landing page and Sandbox load from Apollo's CDN. Its own `renderGraphiQL` inlines
 * the 9 MB bundle into every page; the gateway serves the same strings as files under
 * `/graphql-ide/` instead, so the page can run under a `'self'`-only content security policy
 * (which is also what guarantees the page fetches nothing from the internet) and the browser
 * caches the bundle. The bundle is imported only when the IDE is first asked for, so a
 * production gateway, which never serves it, never loads it.
 */
export function createGraphqlIde(options: GraphqlIdeOptions = {}): {
  /** Answers the request when it is the IDE's; false when it is not (the caller goes on). */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>;
} {
  let assets: Promise<Map<string, Asset>> | undefined;
  const loadAssets = async (): Promise<Map<string, Asset>> => {
    const bundle = await import('@graphql-yoga/render-graphiql/graphiql');
    const js = 'text/javascript; charset=utf-8';
    return new Map<string, Asset>([
      ['start.js', { body: START_SCRIPT, contentType: js }],
      ['graphiql.js', { body: bundle.js, contentType: js }],
      ['graphiql.css', { body: bundle.css, contentType: 'text/css; charset=utf-8' }],
      ['editor.worker.js', { body: bundle.editorWorkerService, contentType: js }],
      ['json.worker.js', { body: bundle.jsonWorker, contentType: js }],
      ['graphql.worker.js', { body: bundle.graphqlWorker, contentType: js }],
    ]);
  };
  const page = renderPage(options);

  return {
    async handle(req, res, url) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return false;
      if (url.pathname === '/graphql') {
        // Browsers navigating ask for HTML and send no operation; GraphQL clients do neither.
        if (url.searchParams.has('query') || !acceptsHtml(req)) return false;
        send(res, req, { body: page, contentType: 'text/html; charset=utf-8' }, 'no-cache');
        return true;
      }
      if (!url.pathname.startsWith(GRAPHQL_IDE_ASSETS_PATH)) return false;
      assets ??= loadAssets();
      const asset = (await assets).get(url.pathname.slice(GRAPHQL_IDE_ASSETS_PATH.length));
      if (!asset) return false;
      send(res, req, asset, 'public, max-age=3600');
      return true;
    },
  };
}

/**
 * Everything from this origin: the bundle injects style elements (hence `'unsafe-inline'` for
 * styles), Monaco runs its language services in workers served from here, icons are data URLs
 * and the IDE talks to this gateway over fetch and SSE.
 */
const IDE_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "worker-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

function send(res: ServerResponse, req: IncomingMessage, asset: Asset, cacheControl: string): void {
  res.statusCode = 200;
  res.setHeader('content-type', asset.contentType);
  res.setHeader('content-length', Buffer.byteLength(asset.body));
  res.setHeader('cache-control', cacheControl);
  res.setHeader('content-security-policy', IDE_CONTENT_SECURITY_POLICY);
  res.end(req.method === 'HEAD' ? undefined : asset.body);
}

function acceptsHtml(req: IncomingMessage): boolean {
  return (req.headers.accept ?? '').split(',').some((type) => type.split(';')[0]!.trim().toLowerCase() === 'text/html');
}

function renderPage(options: GraphqlIdeOptions): string {
  const title = options.title ?? 'GraphQL IDE';
  const ideOptions = {
    title,
    endpoint: options.endpoint ?? '/graphql',
    ...(options.defaultQuery !== undefined ? { defaultQuery: options.defaultQuery } : {}),
  };
  // Inside <script type="application/json"> only `<` can end the element early.
  const json = JSON.stringify(ideOptions).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${escapeHtml(title)}</title>
    <link rel="stylesheet" href="${GRAPHQL_IDE_ASSETS_PATH}graphiql.css" />
  </head>
  <body class="no-focus-outline">
    <noscript>The GraphQL IDE needs JavaScript.</noscript>
    <div id="root"></div>
    <script type="application/json" id="graphql-ide-options">${json}</script>
    <script src="${GRAPHQL_IDE_ASSETS_PATH}start.js"></script>
    <script src="${GRAPHQL_IDE_ASSETS_PATH}graphiql.js"></script>
  </body>
</html>
`;
}

// Runs before the bundle: Monaco reads MonacoEnvironment when it loads; GraphiQL renders once
// the bundle below has defined `YogaGraphiQL`.
const START_SCRIPT = `self.MonacoEnvironment = {
  globalAPI: false,
  getWorkerUrl: function (_moduleId, label) {
    var base = ${JSON.stringify(GRAPHQL_IDE_ASSETS_PATH)};
    if (label === 'json') return base + 'json.worker.js';
    if (label === 'graphql') return base + 'graphql.worker.js';
    return base + 'editor.worker.js';
  },
};
window.addEventListener('DOMContentLoaded', function () {
  var options = JSON.parse(document.getElementById('graphql-ide-options').textContent);
  YogaGraphiQL.renderYogaGraphiQL(document.getElementById('root'), options);
});
`;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
