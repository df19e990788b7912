import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, Header, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '@custody/security';

/** What this controller uses of the platform's (Express) response. */
interface Response {
  req: { originalUrl: string };
  setHeader(name: string, value: string): void;
  type(contentType: string): Response;
  send(body: Buffer | undefined): void;
  redirect(status: number, url: string): void;
}

/** The page's files, read once: every asset is served by the service (no CDN on closed networks). */
const ASSETS: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};
const directory = join(__dirname, 'assets');
const contents = new Map(Object.keys(ASSETS).map((name) => [name, readFileSync(join(directory, name))]));

/** Only this origin: no script, style, image or request goes elsewhere; no inline script. */
const POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/**
 * HTTP in: the auditor's page at /ui/ (HTML, CSS, vanilla JS drawing SVG). Public: the page holds
 * no data; it calls the API with the bearer token the auditor pastes (kept in sessionStorage).
 */
@Public()
@ApiTags('auditor')
@Controller('ui')
export class UiController {
  @ApiOperation({ summary: 'The auditor\'s page (HTML); it holds no data.' })
  @Get()
  @Header('Cache-Control', 'no-cache')
  root(@Res() res: Response): void {
    // A relative asset path needs the trailing slash.
    if (!res.req.originalUrl.split('?')[0].endsWith('/')) return res.redirect(301, 'ui/');
    this.send(res, 'index.html');
  }

  @ApiOperation({ summary: 'A file of the auditor\'s page (script, style).' })
  @Get(':file')
  @Header('Cache-Control', 'no-cache')
  asset(@Param('file') file: string, @Res() res: Response): void {
    if (!Object.hasOwn(ASSETS, file)) throw new NotFoundException(`No file ${file} in the auditor's page.`);
    this.send(res, file);
  }

  private send(res: Response, file: string): void {
    res.setHeader('Content-Security-Policy', POLICY);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.type(ASSETS[file]).send(contents.get(file));
  }
}
