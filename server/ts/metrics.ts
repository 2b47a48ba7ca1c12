// Prometheus metrics of one Task Server instance, on its own registry (never the global one).
// Label sets are bounded: by channel, message type, endpoint, outcome and reject reason; never by agent.
import { Counter, Gauge, Registry } from 'prom-client';

export interface TsMetrics {
  readonly registry: Registry;
  readonly connections: Gauge<'channel'>;
  readonly frames: Counter<'channel' | 'type'>;
  readonly rejects: Counter<'channel' | 'reason'>;
  readonly http: Counter<'endpoint' | 'outcome'>;
  readonly registered: Gauge;
  readonly tickles: Counter<'outcome'>;
  readonly statuses: Counter<'outcome'>;
}

export function createTsMetrics(): TsMetrics {
  const registry = new Registry();
  const r = [registry];
  return {
    registry,
    connections: new Gauge({ name: 'smp_ts_connections', help: 'Open connections by channel', labelNames: ['channel'], registers: r }),
    frames: new Counter({ name: 'smp_ts_frames_total', help: 'Frames received by channel and type', labelNames: ['channel', 'type'], registers: r }),
    rejects: new Counter({ name: 'smp_ts_rejects_total', help: 'Connections or frames refused, by reason', labelNames: ['channel', 'reason'], registers: r }),
    http: new Counter({ name: 'smp_ts_http_requests_total', help: 'ClientTaskServer pages by endpoint and outcome', labelNames: ['endpoint', 'outcome'], registers: r }),
    registered: new Gauge({ name: 'smp_ts_registered_clients', help: 'Clients registered with this task server', registers: r }),
    tickles: new Counter({ name: 'smp_ts_work_waiting_total', help: 'Work-waiting frames sent to agents', labelNames: ['outcome'], registers: r }),
    statuses: new Counter({ name: 'smp_ts_statuses_total', help: 'Task statuses received and forwarded to the NS', labelNames: ['outcome'], registers: r }),
  };
}
