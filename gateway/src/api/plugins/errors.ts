import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { findDuplicateKey, type DuplicateKey } from '../../../../engine/src/json/duplicate-key';
import { bidDecimalReason } from '../../../../engine/src/mechanism/validate';
import { causeOf, problemOf } from '../failures';
import type { ApiMetrics } from '../metrics';
import { ApiProblem, PROBLEM_CONTENT_TYPE, type ProblemItem } from '../problem';

declare module 'fastify' {
  interface FastifyRequest {
    /** why a request failed, for the 5xx log line */
    failure: unknown;
  }
  interface FastifyContextConfig {
    /** the route submits transactions: its market errors say whether the write may still commit */
    submits?: boolean;
  }
}

type SchemaViolation = NonNullable<FastifyError['validation']>[number];

/** The bids of a parsed body, if it has a bids array. */
function bidsIn(body: unknown): unknown[] | undefined {
  const bids = body && typeof body === 'object' ? (body as { bids?: unknown }).bids : undefined;
  return Array.isArray(bids) ? bids : undefined;
}

/** The bids of a request body, if it has a bids array. */
const bidsOf = (req: FastifyRequest): unknown[] | undefined => bidsIn(req.body);

/** The id of a bid as sent, '' if it has none. */
function idOf(raw: unknown): string {
  const id = raw && typeof raw === 'object' ? (raw as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : '';
}

/** Where a violation is: the offending value's path, down to a missing or unknown property. */
function violationPath(where: string, v: SchemaViolation): string {
  const { missingProperty, additionalProperty } = v.params;
  let path = `${where}${v.instancePath}`;
  if (typeof missingProperty === 'string') path += `/${missingProperty}`;
  if (typeof additionalProperty === 'string') path += `/${additionalProperty}`;
  return path;
}

function violationReason(v: SchemaViolation): string {
  if (typeof v.params.additionalProperty === 'string') return 'unknown field';
  if (typeof v.params.missingProperty === 'string') return 'required';
  return v.message ?? 'invalid';
}

/**
 * The engine's reason for a bid's malformed price, quantity or alpha (the words the CLI uses, with
 * an example of a right value) instead of the schema's pattern text; undefined for other faults.
 */
function engineReason(v: SchemaViolation, field: string, bid: unknown): string | undefined {
  if (typeof v.params.missingProperty === 'string' || typeof v.params.additionalProperty === 'string') {
    return undefined;
  }
  const value = bid && typeof bid === 'object' ? (bid as Record<string, unknown>)[field] : undefined;
  return bidDecimalReason(field, value);
}

/** One violation as a problem item naming the field (bids: index, id, field). */
function violationItem(where: string, v: SchemaViolation, bids: unknown[] | undefined): ProblemItem {
  const path = violationPath(where, v);
  const m = /^body\/bids\/(\d+)(?:\/([^/]+))?/.exec(path);
  if (m?.[1] !== undefined) {
    const index = Number(m[1]);
    const field = m[2] ?? 'bid';
    const reason = engineReason(v, field, bids?.[index]) ?? violationReason(v);
    return { path, index, id: idOf(bids?.[index]), field, reason };
  }
  return { path, field: path.split('/').pop() ?? where, reason: violationReason(v) };
}

/** Maps fastify/ajv validation errors to problem items naming the field (bids: index, id, field). */
function validationItems(err: FastifyError, req: FastifyRequest): ProblemItem[] {
  const where = err.validationContext ?? 'body';
  const bids = bidsOf(req);
  return (err.validation ?? []).map((v) => violationItem(where, v, bids));
}

/** The API's code and title for a 4xx fastify itself answers (body limit, content type, bad JSON). */
function clientCodeOf(status: number): [code: string, title: string] {
  if (status === 413) return ['PAYLOAD_TOO_LARGE', 'Payload too large'];
  if (status === 415) return ['UNSUPPORTED_MEDIA_TYPE', 'Unsupported media type'];
  return ['INVALID_REQUEST', 'Invalid request'];
}

/** Another 4xx (fastify's FST_* errors): its status, one of the API's codes, fastify's reason. */
function clientProblem(status: number, err: FastifyError): ApiProblem {
  const [code, title] = clientCodeOf(status);
  return new ApiProblem(status, code, title, err.message, [{ path: 'body', reason: err.message }]);
}

/** The problem answering `err`: the API's own, a schema violation, another 4xx, or a 500. */
function problemFor(err: FastifyError, req: FastifyRequest): ApiProblem {
  const problem = problemOf(err, req.routeOptions.config.submits === true);
  if (problem) return problem;
  if (err.validation) {
    return new ApiProblem(
      400,
      'INVALID_REQUEST',
      'Invalid request',
      `the request ${err.validationContext ?? 'body'} does not match the schema`,
      validationItems(err, req),
    );
  }
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    return clientProblem(err.statusCode, err);
  }
  // every 5xx is logged with its cause by the onResponse hook (registerRequestLog)
  return new ApiProblem(500, 'INTERNAL', 'Internal error', 'unexpected error; see the server log');
}

/**
 * 400 for a body naming a property twice in one object: JSON.parse would keep the last, so the
 * market would see another bid than the one a reader of the request sees (the CLI refuses the
 * same in round files).
 */
function duplicateKeyProblem(d: DuplicateKey, body: unknown): ApiProblem {
  const path = ['body', ...d.path, d.key].join('/');
  const reason = `appears twice in one object (again at line ${d.line}, column ${d.column}); each name may appear once`;
  const [first, index] = d.path;
  const bids = first === 'bids' && d.path.length === 2 ? bidsIn(body) : undefined;
  const item: ProblemItem =
    bids !== undefined && typeof index === 'number'
      ? { path, index, id: idOf(bids[index]), field: d.key, reason }
      : { path, field: d.key, reason };
  return new ApiProblem(400, 'INVALID_REQUEST', 'Invalid request', `property "${d.key}" ${reason}`, [item]);
}

/**
 * application/json with an empty body is no body (bodyless actions such as close are sent so by
 * many clients; a route with a body schema still answers 400 INVALID_REQUEST for it). Any other
 * body is parsed by fastify's own JSON parser (prototype poisoning refused), then refused if it
 * repeats a property name in one object.
 */
function acceptEmptyJson(app: FastifyInstance): void {
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString();
    if (text === '') {
      done(null, undefined);
      return;
    }
    void json(req, text, (err: Error | null, value?: unknown) => {
      const duplicate = err ? undefined : findDuplicateKey(text);
      if (duplicate) done(duplicateKeyProblem(duplicate, value), undefined);
      else done(err, value);
    });
  });
}

/**
 * Errors as application/problem+json, on the root instance so every route (and the 404) has them.
 */
export function registerErrors(app: FastifyInstance): void {
  app.decorateRequest('failure', null);
  acceptEmptyJson(app);
  app.setErrorHandler((err: FastifyError, req, reply) => {
    req.failure = err;
    const problem = problemFor(err, req);
    void reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem.toDocument());
  });
  app.setNotFoundHandler((req, reply) => {
    void reply
      .code(404)
      .type(PROBLEM_CONTENT_TYPE)
      .send(new ApiProblem(404, 'NO_ROUTE', 'Not found', `no route ${req.method} ${req.url}`).toDocument());
  });
}

/** Counts and times every answer; logs every 5xx with its cause. */
export function registerRequestLog(app: FastifyInstance, metrics: ApiMetrics): void {
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ method: req.method, route, status: String(reply.statusCode) });
    metrics.latency.observe({ method: req.method, route }, reply.elapsedTime / 1000);
    if (reply.statusCode >= 500) {
      req.log.error(
        {
          status: reply.statusCode,
          route,
          tenant: req.tenant?.name,
          ms: Math.round(reply.elapsedTime),
          cause: req.failure === null ? 'none recorded (answered by fastify itself)' : causeOf(req.failure),
        },
        `answered ${reply.statusCode}`,
      );
    }
  });
}
