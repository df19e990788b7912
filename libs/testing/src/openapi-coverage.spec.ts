import { Controller, Get, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ApiExcludeEndpoint, DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { registeredRoutes, undocumentedRoutes } from './openapi-coverage';

@Controller('cases')
class CasesController {
  @Get(':id')
  one() {
    return {};
  }

  @Get(':id/secret')
  @ApiExcludeEndpoint()
  secret() {
    return {};
  }
}

@Module({ controllers: [CasesController] })
class CasesModule {}

describe('routes absent from the OpenAPI document', () => {
  let app: INestApplication;
  let document: { paths: Record<string, object> };

  beforeAll(async () => {
    app = await NestFactory.create(CasesModule, { logger: false });
    document = SwaggerModule.createDocument(app, new DocumentBuilder().build()) as unknown as { paths: Record<string, object> };
    SwaggerModule.setup('docs', app, document as never, { jsonDocumentUrl: 'docs/json', raw: ['json'] });
    // Mounted beside Nest's controllers: the walk reads the router, not the controllers.
    app.getHttpAdapter().get('/beside', (_request: unknown, response: { json(body: unknown): void }) => response.json({}));
    await app.init();
  });

  afterAll(async () => {
    await app.close();
  });

  it('walks every route of the router, with OpenAPI path templates', () => {
    expect(registeredRoutes(app)).toEqual(expect.arrayContaining(['GET /beside', 'GET /cases/{id}', 'GET /cases/{id}/secret', 'GET /docs/json']));
  });

  it('names the routes the document leaves out, and none of the documented or excluded ones', () => {
    expect(undocumentedRoutes(app, document)).toEqual(['GET /beside', 'GET /cases/{id}/secret']);
  });

  it('finds nothing missing once the document describes them', () => {
    const complete = { paths: { ...document.paths, '/beside': { get: {} }, '/cases/{id}/secret': { get: {} } } };
    expect(undocumentedRoutes(app, complete)).toEqual([]);
  });
});
