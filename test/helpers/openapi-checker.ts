import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

type Json = Record<string, unknown>;

export interface ApiResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON, or undefined for an empty body. */
  body: unknown;
  text: string;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/**
 * Checks responses against an OpenAPI 3.0 document with ajv: the operation must be documented for the
 * path, method and status, the Content-Type must be one the document gives, and the body must match its
 * schema (OpenAPI's `nullable` is ajv's too). An empty body only where the document gives no content.
 */
export class OpenApiChecker {
  private readonly ajv: Ajv;
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly routes: { pattern: RegExp; template: string }[];

  constructor(readonly document: Json) {
    this.ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(this.ajv);
    this.ajv.addSchema({ ...document, $id: 'openapi' });
    this.routes = Object.keys(document.paths as Json).map((template) => ({
      template,
      pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
    }));
  }

  check(method: string, url: string, response: ApiResponse): void {
    const path = new URL(url, 'http://x').pathname;
    const route = this.routes.find((r) => r.pattern.test(path));
    if (!route) throw new Error(`${method} ${path}: no path of the document matches`);
    const operation = (this.document.paths as Record<string, Json>)[route.template][method.toLowerCase()] as Json | undefined;
    if (!operation) throw new Error(`${method} ${route.template}: not documented`);
    const responses = operation.responses as Record<string, Json>;
    const documented = responses[String(response.status)];
    if (!documented)
      throw new Error(`${method} ${route.template}: status ${response.status} not documented (${response.text.slice(0, 300)})`);
    const content = documented.content as Record<string, Json> | undefined;
    if (!content) {
      if (response.text !== '') throw new Error(`${method} ${route.template} ${response.status}: a body where the document gives none`);
      return;
    }
    const type = (response.headers.get('content-type') ?? '').split(';')[0].trim();
    if (!content[type]) throw new Error(`${method} ${route.template} ${response.status}: Content-Type ${type} not documented`);
    const pointer = ['paths', route.template, method.toLowerCase(), 'responses', String(response.status), 'content', type, 'schema']
      .map((part) => part.replace(/~/g, '~0').replace(/\//g, '~1'))
      .join('/');
    const ref = `openapi#/${pointer}`;
    let validate = this.validators.get(ref);
    if (!validate) this.validators.set(ref, (validate = this.ajv.compile({ $ref: ref })));
    if (!validate(response.body)) {
      throw new Error(
        `${method} ${route.template} ${response.status}: body does not match the document: ${this.ajv.errorsText(validate.errors)}\n${response.text.slice(0, 500)}`,
      );
    }
  }

  /**
   * The structural rules of OpenAPI 3.0 that a generated document can break: version and info, every
   * operation with responses keyed by status, every path parameter declared, unique operation ids, every
   * `$ref` resolving, and every schema compiling under ajv.
   */
  problems(): string[] {
    const problems: string[] = [];
    const doc = this.document;
    if (typeof doc.openapi !== 'string' || !/^3\.0\.\d+$/.test(doc.openapi)) problems.push(`openapi is ${String(doc.openapi)}`);
    const info = doc.info as Json | undefined;
    if (!info || typeof info.title !== 'string' || typeof info.version !== 'string') problems.push('info needs title and version');
    const ids = new Set<string>();
    for (const [template, item] of Object.entries(doc.paths as Record<string, Json>)) {
      if (!template.startsWith('/')) problems.push(`path ${template} does not start with /`);
      for (const [method, value] of Object.entries(item)) {
        if (!METHODS.includes(method)) continue;
        const operation = value as Json;
        const where = `${method.toUpperCase()} ${template}`;
        const id = operation.operationId as string | undefined;
        if (id) {
          if (ids.has(id)) problems.push(`${where}: operationId ${id} repeated`);
          ids.add(id);
        }
        const responses = operation.responses as Record<string, Json> | undefined;
        if (!responses || Object.keys(responses).length === 0) problems.push(`${where}: no responses`);
        for (const [status, response] of Object.entries(responses ?? {})) {
          if (!/^([1-5]\d\d|[1-5]XX|default)$/.test(status)) problems.push(`${where}: response key ${status}`);
          if (typeof response.description !== 'string') problems.push(`${where} ${status}: description is required`);
        }
        const params = (operation.parameters as Json[] | undefined) ?? [];
        for (const param of params) {
          if (!['query', 'header', 'path', 'cookie'].includes(param.in as string))
            problems.push(`${where}: parameter ${String(param.name)} in ${String(param.in)}`);
          if (param.in === 'path' && param.required !== true)
            problems.push(`${where}: path parameter ${String(param.name)} must be required`);
        }
        for (const name of template.match(/\{([^}]+)\}/g) ?? []) {
          if (!params.some((p) => p.in === 'path' && `{${String(p.name)}}` === name)) problems.push(`${where}: ${name} not declared`);
        }
      }
    }
    const walk = (node: unknown, at: string): void => {
      if (Array.isArray(node)) return node.forEach((child, i) => walk(child, `${at}/${i}`));
      if (node === null || typeof node !== 'object') return;
      for (const [key, value] of Object.entries(node)) {
        if (key === '$ref') {
          if (typeof value !== 'string' || !value.startsWith('#/')) problems.push(`${at}: $ref ${String(value)}`);
          else if (this.resolve(value) === undefined) problems.push(`${at}: $ref ${value} does not resolve`);
        } else walk(value, `${at}/${key}`);
      }
    };
    walk(doc, '#');
    for (const name of Object.keys(((doc.components as Json | undefined)?.schemas as Json | undefined) ?? {})) {
      try {
        this.ajv.compile({ $ref: `openapi#/components/schemas/${name}` });
      } catch (error) {
        problems.push(`schema ${name}: ${String(error)}`);
      }
    }
    return problems;
  }

  private resolve(ref: string): unknown {
    let node: unknown = this.document;
    for (const part of ref.slice(2).split('/')) {
      if (node === null || typeof node !== 'object') return undefined;
      node = (node as Json)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    }
    return node;
  }
}
