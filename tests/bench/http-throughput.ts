import 'reflect-metadata';
import { Agent, request } from 'node:http';
import { Body, Controller, HttpCode, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { formatYuan } from '@earmark/domain';
import { RecordDisbursementDto } from '../../apps/api/src/commands/command.dtos';
import { maxBodyBytes } from '../../apps/api/src/create-app';
import { createValidationPipe } from '../../apps/api/src/http/validation';
import { percentile, processCpuUs, round } from './command-throughput';

/**
 * The yardstick for HTTP end to end: a Nest + Fastify application whose only route takes the same
 * POST /v1/disbursements body, through the same global ValidationPipe and the same request DTO,
 * and answers 201 without doing anything. What the real service adds on top of it (the key, the
 * idempotency record, the command, the durable commit, the projection) is what the ratio shows.
 */
@Controller('v1')
class EmptyDisbursementsController {
  @Post('disbursements')
  @HttpCode(201)
  record(@Body() body: RecordDisbursementDto) {
    return { accepted: true, voucherNo: body.voucherNo };
  }
}

@Module({ controllers: [EmptyDisbursementsController] })
class EmptyEndpointModule {}

/** Listens on a free loopback port; answers the port and a way to stop. */
export async function serveEmptyEndpoint(): Promise<{ port: number; close(): Promise<void> }> {
  const app = await NestFactory.create<NestFastifyApplication>(EmptyEndpointModule, new FastifyAdapter({ bodyLimit: maxBodyBytes }), {
    logger: false,
  });
  app.useGlobalPipes(createValidationPipe());
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  if (address === null || typeof address === 'string') throw new Error('the empty endpoint has no port');
  return { port: address.port, close: () => app.close() };
}

export interface HttpLoadTask {
  readonly port: number;
  /** A finance token of the real service; none for the empty endpoint. */
  readonly token: string | null;
  readonly requests: number;
  readonly connections: number;
  /** Makes vouchers and idempotency keys unique per run. */
  readonly label: string;
  readonly programCode: string;
  readonly fiscalYear: number;
  readonly regions: readonly string[];
  readonly expenditureSubject: string;
  /** The serving process, whose CPU time the timed requests are charged (null: not measured). */
  readonly serverPid: number | null;
}

export interface HttpFigure {
  readonly requests: number;
  readonly connections: number;
  readonly seconds: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Warm-up included: every one answered 201, so the books must show this many payments. */
  readonly paymentsAccepted: number;
  /**
   * The serving process's CPU time (user and system, its threads included) over the timed requests,
   * a request: what a request costs the machine whatever its cores. Null where /proc does not tell.
   */
  readonly serverCpuUsPerRequest: number | null;
}

/** 1.00 元, as the command bench pays. */
export const httpPaymentFen = 100n;
const warmUpShare = 0.1;
const maxWarmUpRequests = 2_000;
const requestTimeoutMs = 30_000;

/**
 * `connections` keep-alive connections over loopback, each sending one beneficiary payment at a
 * time with its own voucher and Idempotency-Key. Any answer but 201 stops the run: it is a wrong
 * answer, not a slow one.
 */
export async function loadHttp(task: HttpLoadTask): Promise<HttpFigure> {
  const agent = new Agent({ keepAlive: true, maxSockets: task.connections, maxFreeSockets: task.connections });
  let accepted = 0;
  const post = (n: number): Promise<void> => {
    const body = JSON.stringify({
      programCode: task.programCode,
      fiscalYear: task.fiscalYear,
      regionCode: task.regions[n % task.regions.length],
      kind: 'beneficiary-payment',
      amount: formatYuan(httpPaymentFen),
      paidOn: '2024-06-30',
      voucherNo: `HTTP-${task.label}-${n}`,
      expenditureSubject: task.expenditureSubject,
      beneficiaries: 1,
    });
    const headers: Record<string, string | number> = {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'idempotency-key': `http-${task.label}-${n}`,
    };
    if (task.token) headers.authorization = `Bearer ${task.token}`;
    return new Promise<void>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: task.port, method: 'POST', path: '/v1/disbursements', agent, headers, timeout: requestTimeoutMs },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            if (res.statusCode !== 201) {
              reject(new Error(`POST ${n} answered ${res.statusCode}: ${Buffer.concat(chunks).toString('utf8').slice(0, 500)}`));
              return;
            }
            accepted += 1;
            resolve();
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`POST ${n} had no answer within ${requestTimeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  };

  let next = 0;
  const run = async (count: number, latenciesMs: number[] | null): Promise<void> => {
    const last = next + count;
    await Promise.all(
      Array.from({ length: task.connections }, async () => {
        while (next < last) {
          const n = next;
          next += 1;
          const before = process.hrtime.bigint();
          await post(n);
          latenciesMs?.push(Number(process.hrtime.bigint() - before) / 1e6);
        }
      }),
    );
  };
  try {
    await run(Math.min(maxWarmUpRequests, Math.ceil(task.requests * warmUpShare)), null);
    const latenciesMs: number[] = [];
    const cpuBefore = task.serverPid === null ? null : processCpuUs(task.serverPid);
    const started = process.hrtime.bigint();
    await run(task.requests, latenciesMs);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const cpuAfter = task.serverPid === null ? null : processCpuUs(task.serverPid);
    return {
      requests: task.requests,
      connections: task.connections,
      seconds: round(seconds, 2),
      requestsPerSecond: Math.round(task.requests / seconds),
      p50Ms: round(percentile(latenciesMs, 0.5), 2),
      p99Ms: round(percentile(latenciesMs, 0.99), 2),
      paymentsAccepted: accepted,
      serverCpuUsPerRequest: cpuBefore === null || cpuAfter === null ? null : Math.round((cpuAfter - cpuBefore) / task.requests),
    };
  } finally {
    agent.destroy();
  }
}
