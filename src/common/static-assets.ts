import { createHash } from 'node:crypto';
import { type FSWatcher, watch } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import type { OutgoingHttpHeaders } from 'node:http';
import { join, posix } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import express, { type RequestHandler } from 'express';
import hbs from 'hbs';
import { contentType } from 'mime-types';

const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);

/** Where static files are served from. */
export const STATIC_PATH = '/static';
/** Versioned names never change content, so browsers and proxies may keep them for a year without asking. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
const DAY_SECONDS = 86_400;
/** Content hash characters in a versioned name: 32 bits tell apart the versions of one file. */
const HASH_LENGTH = 8;
/** Types worth compressing (by their base type); images and fonts are compressed formats already. */
const COMPRESSIBLE = /^text\/|[/+](?:json|xml|javascript)$/;
/**
 * Measured on Bootstrap's 227 KiB stylesheet: quality 10 gives 23.5 KB in 0.1 s; 11 (the maximum) 22.8 KB but
 * in 0.3 s, paid at every start; 9 gives 26.6 KB.
 */
const BROTLI_QUALITY = 10;
/** Quiet time after a change on disk before the file is read again (editors write in several steps). */
const RELOAD_DELAY_MS = 50;

/** A folder whose files are served under `/static/${prefix}`, and named in views as `${prefix}${path}`. */
export interface AssetSource {
  dir: string;
  /** `''` or a folder name ending in `/`. */
  prefix: string;
  /** The files to serve from memory (paths under `dir`, with `/`); absent: every file under `dir`. */
  files?: readonly string[];
  /** Cache lifetime of the unversioned URL, which keeps working for links that name it. */
  maxAgeSeconds: number;
}

/** The app's static files: all of `public/`, and the part of Bootstrap that pages load. */
export function bookshelfAssetSources(root: string): AssetSource[] {
  return [
    { dir: join(root, 'public'), prefix: '', maxAgeSeconds: DAY_SECONDS },
    {
      dir: join(root, 'node_modules/bootstrap/dist'),
      prefix: 'bootstrap/',
      files: ['css/bootstrap.min.css'],
      maxAgeSeconds: 7 * DAY_SECONDS,
    },
  ];
}

export type Encoding = 'br' | 'gzip' | 'identity';

/** One encoding of a file, with every header it is sent with. */
interface Variant {
  body: Buffer;
  etag: string;
  headers: OutgoingHttpHeaders;
  /** What a 304 repeats of them. */
  notModified: OutgoingHttpHeaders;
}

type Served = Partial<Record<Encoding, Variant>> & { identity: Variant };

/** One file's bytes in each encoding worth keeping, and its content hash. */
interface Asset {
  name: string;
  hash: string;
  type: string;
  bodies: Partial<Record<Encoding, Buffer>> & { identity: Buffer };
}

/**
 * The files pages link to, read, hashed and compressed (brotli and gzip) once at start and kept in memory
 * (they are small), served at versioned URLs (`/static/app.1a2b3c4d.css`, cached for a year) and at their
 * plain ones (cached as long as the source says). Answering is one Map lookup: no file system, no compression.
 */
export class StaticAssets {
  /** Request path under `/static` (`/app.1a2b3c4d.css`, `/app.css`) to what is sent. */
  private readonly served = new Map<string, Served>();
  /** Name in views (`app.css`) to its versioned URL and the paths it is served at. */
  private readonly names = new Map<string, { url: string; paths: string[] }>();
  private readonly watchers: FSWatcher[] = [];

  private constructor(private readonly sources: readonly AssetSource[]) {}

  static async load(sources: readonly AssetSource[]): Promise<StaticAssets> {
    const assets = new StaticAssets(sources);
    const loading = sources.map(async (source) => {
      const files = source.files ?? (await filesUnder(source.dir));
      const loaded = await Promise.all(files.map((file) => readAsset(source, file)));
      for (const asset of loaded) assets.add(source, asset);
    });
    await Promise.all(loading);
    return assets;
  }

  /** The versioned URL of a file (`app.css`, `bootstrap/css/bootstrap.min.css`); an unknown name throws. */
  url(name: string): string {
    const found = this.names.get(name);
    if (!found) throw new Error(`No static file named "${name}": name a file of public/, or add it to bookshelfAssetSources`);
    return found.url;
  }

  /** Answers GET and HEAD for the files it holds, mounted at `/static`; anything else goes on. */
  readonly middleware: RequestHandler = (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const served = this.served.get(req.path);
    if (!served) return next();
    const variant = served[preferredEncoding(req.headers['accept-encoding'], served)] ?? served.identity;
    const ifNoneMatch = req.headers['if-none-match'];
    if (ifNoneMatch && etagMatches(ifNoneMatch, variant.etag)) {
      res.writeHead(304, variant.notModified);
      return void res.end();
    }
    res.writeHead(200, variant.headers);
    res.end(req.method === 'HEAD' ? undefined : variant.body);
  };

  /**
   * Reads a file again whenever it changes on disk (development: the views are not cached either, so an
   * edited stylesheet shows at the next page load without a restart).
   */
  watch(): void {
    for (const source of this.sources) {
      if (source.files) continue;
      const pending = new Map<string, NodeJS.Timeout>();
      const watcher = watch(source.dir, { recursive: true }, (_event, file) => {
        if (!file) return;
        const name = file.split(/[\\/]/).join('/');
        clearTimeout(pending.get(name));
        pending.set(
          name,
          setTimeout(() => {
            pending.delete(name);
            void this.reload(source, name);
          }, RELOAD_DELAY_MS),
        );
      });
      watcher.unref();
      this.watchers.push(watcher);
    }
  }

  close(): void {
    for (const watcher of this.watchers.splice(0)) watcher.close();
  }

  private async reload(source: AssetSource, file: string): Promise<void> {
    const asset = await readAsset(source, file).catch(() => null);
    this.remove(`${source.prefix}${file}`);
    if (asset) this.add(source, asset);
  }

  private add(source: AssetSource, asset: Asset): void {
    const url = `${STATIC_PATH}/${encodeURI(versionedName(asset.name, asset.hash))}`;
    const plain = `${STATIC_PATH}/${encodeURI(asset.name)}`;
    this.served.set(url.slice(STATIC_PATH.length), variants(asset, IMMUTABLE));
    this.served.set(plain.slice(STATIC_PATH.length), variants(asset, `public, max-age=${source.maxAgeSeconds}`));
    this.names.set(asset.name, { url, paths: [url, plain].map((path) => path.slice(STATIC_PATH.length)) });
  }

  private remove(name: string): void {
    for (const path of this.names.get(name)?.paths ?? []) this.served.delete(path);
    this.names.delete(name);
  }
}

/**
 * Serves `/static/`: the files `StaticAssets` holds from memory, then everything else in the same folders
 * from disk as before (files added after start, Bootstrap's other files), and registers the `asset` view
 * helper: `{{asset "app.css"}}` is the versioned URL. Shared by the app and the standalone identity provider.
 */
export async function serveStaticAssets(
  app: { use(path: string, handler: RequestHandler): unknown },
  sources: readonly AssetSource[],
): Promise<StaticAssets> {
  const assets = await StaticAssets.load(sources);
  hbs.registerHelper('asset', (name: string) => assets.url(name));
  app.use(STATIC_PATH, assets.middleware);
  for (const source of sources) {
    app.use(`${STATIC_PATH}/${source.prefix}`, express.static(source.dir, { maxAge: source.maxAgeSeconds * 1000 }));
  }
  return assets;
}

/** `bootstrap/css/bootstrap.min.css` with hash `1a2b3c4d` is `bootstrap/css/bootstrap.min.1a2b3c4d.css`. */
export function versionedName(name: string, hash: string): string {
  const dir = posix.dirname(name);
  const ext = posix.extname(name);
  const base = posix.basename(name, ext);
  return `${dir === '.' ? '' : `${dir}/`}${base}.${hash.slice(0, HASH_LENGTH)}${ext}`;
}

/**
 * Which encoding to send for an `Accept-Encoding` header, from those `available`: brotli, then gzip, then
 * identity. A coding is acceptable when the header names it (or `*`) with a q-value above 0 (RFC 9110
 * section 12.5.3); no header means identity only.
 */
export function preferredEncoding(header: string | undefined, available: Partial<Record<Encoding, unknown>>): Encoding {
  if (!header) return 'identity';
  let br: boolean | undefined;
  let gz: boolean | undefined;
  let any: boolean | undefined;
  for (const part of header.split(',')) {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => /^\s*q\s*=\s*([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    const accepted = q === undefined || Number(q) > 0;
    if (coding === 'br') br = accepted;
    else if (coding === 'gzip' || coding === 'x-gzip') gz = accepted;
    else if (coding === '*') any = accepted;
  }
  if ((br ?? any) && available.br) return 'br';
  if ((gz ?? any) && available.gzip) return 'gzip';
  return 'identity';
}

/** Whether an `If-None-Match` header names `etag` (weak comparison, as RFC 9110 section 13.1.2 asks). */
export function etagMatches(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) =>
      join(entry.parentPath, entry.name)
        .slice(dir.length + 1)
        .split(/[\\/]/)
        .join('/'),
    )
    .filter((file) => !file.split('/').some((segment) => segment.startsWith('.')))
    .sort();
}

async function readAsset(source: AssetSource, file: string): Promise<Asset> {
  const identity = await readFile(join(source.dir, file));
  const name = `${source.prefix}${file}`;
  const type = contentType(posix.extname(name)) || 'application/octet-stream';
  const hash = createHash('sha256').update(identity).digest('hex');
  const bodies: Asset['bodies'] = { identity };
  if (COMPRESSIBLE.test(type.split(';')[0])) {
    const [br, gz] = await Promise.all([
      brotli(identity, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
          [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
          [constants.BROTLI_PARAM_SIZE_HINT]: identity.length,
        },
      }),
      gzipped(identity, { level: constants.Z_BEST_COMPRESSION }),
    ]);
    // A few hundred bytes of SVG can come out larger: then only the original is kept.
    if (br.length < identity.length) bodies.br = br;
    if (gz.length < identity.length) bodies.gzip = gz;
  }
  return { name, hash, type, bodies };
}

function variants(asset: Asset, cacheControl: string): Served {
  const compressed = Boolean(asset.bodies.br ?? asset.bodies.gzip);
  const variant = (encoding: Encoding, body: Buffer): Variant => {
    const etag = `"${asset.hash.slice(0, 16)}${encoding === 'identity' ? '' : `-${encoding}`}"`;
    const notModified: OutgoingHttpHeaders = { 'Cache-Control': cacheControl, ETag: etag };
    if (compressed) notModified.Vary = 'Accept-Encoding';
    const headers: OutgoingHttpHeaders = { ...notModified, 'Content-Type': asset.type, 'Content-Length': body.length };
    if (encoding !== 'identity') headers['Content-Encoding'] = encoding;
    return { body, etag, headers, notModified };
  };
  const served: Served = { identity: variant('identity', asset.bodies.identity) };
  if (asset.bodies.br) served.br = variant('br', asset.bodies.br);
  if (asset.bodies.gzip) served.gzip = variant('gzip', asset.bodies.gzip);
  return served;
}
