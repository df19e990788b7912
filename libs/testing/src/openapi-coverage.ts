import type { INestApplication } from '@nestjs/common';

/** One route the HTTP server answers, as OpenAPI writes it: `GET /inmates/{id}`. */
export type HttpRoute = `${Uppercase<string>} /${string}`;

/**
 * The routes that are not API operations and so are not in the OpenAPI document: the documents
 * themselves (OPENAPI_PATHS of the platform) and Swagger UI's own files. The only exclusions:
 * anything else the server answers must be documented.
 */
export const NOT_IN_OPENAPI: readonly HttpRoute[] = [
  'GET /docs',
  'GET /docs/json',
  'GET /docs/asyncapi.json',
  'GET /docs/index.html',
  'GET /docs/LICENSE',
  'GET /docs/swagger-ui-init.js',
  'GET /docs/docs/swagger-ui-init.js',
];

/** Express's methods: a route registered for all of them on a wildcard path is a middleware mount (Nest's `forRoutes('*')`), not an operation. */
const EVERY_METHOD_FROM = 20;

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** `/inmates/:id` as OpenAPI writes it, `/inmates/{id}`. */
const openApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}').replace(/\/+$/, '') || '/';

/**
 * Every route registered on the application's Express router (Nest's controllers and anything
 * mounted beside them), walked from the router itself so that nothing the server answers is missed.
 */
export function registeredRoutes(app: INestApplication): HttpRoute[] {
  const instance = app.getHttpAdapter().getInstance() as { router?: { stack: Layer[] }; _router?: { stack: Layer[] } };
  const router = instance.router ?? instance._router;
  if (!router) throw new Error('the application has no Express router: is it initialised (app.init())?');
  const routes = new Set<HttpRoute>();
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        const methods = Object.keys(layer.route.methods);
        if (methods.length >= EVERY_METHOD_FROM && [layer.route.path].flat().every((path) => path.includes('*'))) continue;
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const method of methods) {
          for (const path of paths) routes.add(`${method.replace(/^_all$/, 'all').toUpperCase()} ${openApiPath(path)}` as HttpRoute);
        }
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack);
      }
    }
  };
  walk(router.stack);
  return [...routes].sort();
}

/**
 * The routes the application answers that `document` (its OpenAPI document, as it serves it)
 * does not describe, beside {@link NOT_IN_OPENAPI}: empty when every route is documented.
 */
export function undocumentedRoutes(app: INestApplication, document: { paths: Record<string, object> }): HttpRoute[] {
  const documented = new Set(Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`)));
  return registeredRoutes(app).filter((route) => !documented.has(route) && !NOT_IN_OPENAPI.includes(route));
}
