import { type INestApplication, type Type } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ModulesContainer } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import { targetConstructorToSchema, validationMetadatasToSchemas } from 'class-validator-jsonschema';
import { buildAsyncApiDocument, payloadSchemas, SCHEMA_POINTER, type JsonSchema } from '@custody/contracts';
import { BEARER_SCHEME } from '@custody/security';
import { SERVICE_NAME } from './health.controller';

/** Where every service serves its OpenAPI document: the UI, its JSON, and the AsyncAPI contract it links to. */
export const OPENAPI_PATHS = { ui: '/docs', json: '/docs/json', asyncApi: '/docs/asyncapi.json' } as const;


const PROBLEM = 'Problem';
const problemRef = { $ref: `#/components/schemas/${PROBLEM}` };

/** The error answer of every route: `{ code, message, errors: [{ path, problem }], details }`. */
const PROBLEM_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['code', 'message', 'errors', 'details'],
  properties: {
    code: { type: 'string', description: 'A stable code of the rejection catalogue, e.g. VALIDATION_FAILED, INMATE_NOT_FOUND.' },
    message: { type: 'string', description: 'A sentence the caller can act on.' },
    errors: {
      type: 'array',
      items: { type: 'object', required: ['path', 'problem'], properties: { path: { type: 'string' }, problem: { type: 'string' } } },
    },
    details: { type: 'object', additionalProperties: true },
  },
};

/**
 * The answers every route of a kind may give, beside its own success: added where the route's
 * decorators did not describe them, so that no status a client can meet is undocumented.
 */
type Parameter = { name?: string; in?: string; required?: boolean; schema?: object; description?: string };
type Operation = { operationId?: string; parameters?: Parameter[]; requestBody?: unknown; responses?: Record<string, unknown> };

/**
 * The components with real schemas: the contract's payloads as asyncapi.yaml has them, and a
 * service's own body classes (e.g. audit's CheckInvariantsRequest) from their class-validator
 * rules, in place of the empty schemas swagger makes from classes without its decorators.
 */
function bodySchemas(fromSwagger: Record<string, object>): Record<string, object> {
  const contract = payloadSchemas() as Record<string, object>;
  const validated = validationMetadatasToSchemas({ classTransformerMetadataStorage: defaultMetadataStorage, refPointerPrefix: SCHEMA_POINTER }) as Record<string, object>;
  const schemas: Record<string, object> = { ...fromSwagger, ...contract, [PROBLEM]: PROBLEM_SCHEMA };
  const pending = Object.keys(fromSwagger).filter((name) => !contract[name] && validated[name] && Object.keys((fromSwagger[name] as { properties?: object }).properties ?? {}).length === 0);
  while (pending.length > 0) {
    const name = pending.pop()!;
    schemas[name] = validated[name];
    for (const [, referenced] of JSON.stringify(validated[name]).matchAll(/"#\/components\/schemas\/([^"]+)"/g)) {
      if (!schemas[referenced] && validated[referenced]) pending.push(referenced);
    }
  }
  return schemas;
}

/**
 * The classes of the routes that take their whole query string as one object (`@Query() query:
 * AccessLogQuery`), by swagger's operation id (`Controller_method`): swagger documents no
 * parameter for a class without its own decorators, so they are read from the class-validator
 * rules the validation pipe applies.
 */
function queryClasses(app: INestApplication): Map<string, Type> {
  const classes = new Map<string, Type>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type | undefined;
      if (!controller?.prototype) continue;
      for (const method of Object.getOwnPropertyNames(controller.prototype)) {
        const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, method) ?? {}) as Record<string, { index: number; data?: unknown }>;
        const whole = Object.entries(args).find(([key, arg]) => key.startsWith(`${RouteParamtypes.QUERY}:`) && arg.data === undefined);
        const types = Reflect.getMetadata('design:paramtypes', controller.prototype, method) as Type[] | undefined;
        const type = whole && types?.[whole[1].index];
        if (type && type !== Object) classes.set(`${controller.name}_${method}`, type);
      }
    }
  }
  return classes;
}

function queryParameters(type: Type): Parameter[] {
  const schema = targetConstructorToSchema(type, { classTransformerMetadataStorage: defaultMetadataStorage }) as {
    properties?: Record<string, object & { description?: string }>;
    required?: string[];
  };
  return Object.entries(schema.properties ?? {}).map(([name, property]) => ({
    name,
    in: 'query',
    required: schema.required?.includes(name) ?? false,
    schema: property,
    ...(property.description ? { description: property.description } : {}),
  }));
}

function commonResponses(operation: Operation, method: string): Record<string, string> {
  const hasPathParameter = operation.parameters?.some((parameter) => parameter.in === 'path') ?? false;
  return {
    ...(operation.requestBody || operation.parameters?.length ? { 400: 'VALIDATION_FAILED: a field, parameter or header is missing or invalid (each listed in errors).' } : {}),
    ...(hasPathParameter ? { 404: 'What the path names does not exist (e.g. INMATE_NOT_FOUND).' } : {}),
    ...(method === 'post'
      ? { 409: 'The rules refuse the command; the code names the rule (the rejection catalogue of the contract). NOT_YET_KNOWN_HERE: what the command needs is on its way from another service; send it again after Retry-After.' }
      : {}),
    ...(operation.requestBody ? { 413: 'MESSAGE_TOO_LARGE: the body is over HTTP_BODY_LIMIT_BYTES.' } : {}),
    429: 'RATE_LIMITED: too many requests from this caller (its principal, or its address without a token) in a minute; Retry-After says when to try again.',
    500: 'PROCESSING_FAILED: the service failed; nothing of the request is recorded.',
  };
}

/**
 * The service's OpenAPI document, generated by @nestjs/swagger from its controllers. Request
 * bodies are the contract's classes (`@Body() body: RegisterInmate`): their schemas are the
 * contract's JSON Schemas, generated from the same class-validator decorators the validation
 * pipe enforces, in place of the empty ones swagger makes from an undecorated class.
 */
export function openApiDocument(app: INestApplication, service: string): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(`custody ${service} service`)
      .setDescription(
        `The HTTP API of the ${service} service. Command bodies are the contract's commands, the same as on Kafka: ` +
          `the messages, topics and headers are in the AsyncAPI contract, [${OPENAPI_PATHS.asyncApi}](${OPENAPI_PATHS.asyncApi}) (libs/contracts/asyncapi.yaml in the repository). ` +
          'Every route but health, metrics and these documents needs a bearer token of a configured ministry issuer (AUTH_MODE=on); ' +
          'the state acting is the issuer\'s, and the events a command records name the token\'s principal as their actor. ' +
          'X-Actor-State, X-Actor-Organisation and X-Actor-Officer headers are ignored. Reads of personal data need X-Access-Purpose. ' +
          'Errors: { code, message, errors: [{ path, problem }], details }.',
      )
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A JWT of a ministry\'s identity provider listed in AUTH_ISSUERS, for AUTH_AUDIENCE.' }, BEARER_SCHEME)
      .build(),
  );
  document.components = { ...document.components, schemas: bodySchemas(document.components?.schemas ?? {}) };
  const queries = queryClasses(app);
  for (const pathItem of Object.values(document.paths)) {
    for (const [method, operation] of Object.entries(pathItem) as Array<[string, Operation]>) {
      if (typeof operation !== 'object' || !operation?.responses) continue;
      const query = operation.operationId ? queries.get(operation.operationId) : undefined;
      if (query) operation.parameters = [...(operation.parameters ?? []), ...queryParameters(query)];
      for (const [status, description] of Object.entries(commonResponses(operation, method))) {
        operation.responses[status] ??= { description, content: { 'application/json': { schema: problemRef } } };
      }
    }
  }
  return document;
}

/**
 * Serves the service's OpenAPI document: the UI at /docs, its JSON at /docs/json (the address intake always had), and the
 * AsyncAPI contract its description links to. The service's name is the one /health reports.
 */
export function useOpenApi(app: INestApplication): void {
  const service = app.get<string>(SERVICE_NAME, { strict: false });
  let asyncApi: JsonSchema | undefined;
  app.getHttpAdapter().get(OPENAPI_PATHS.asyncApi, (_request: unknown, response: { json(body: unknown): void }) => {
    asyncApi ??= buildAsyncApiDocument();
    response.json(asyncApi);
  });
  SwaggerModule.setup(OPENAPI_PATHS.ui.slice(1), app, openApiDocument(app, service), {
    jsonDocumentUrl: OPENAPI_PATHS.json.slice(1),
    raw: ['json'],
    customSiteTitle: `custody ${service}: API`,
  });
}
