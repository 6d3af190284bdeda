/**
 * The parts of `docker compose config` output that ipcompose reads. Compose
 * has already merged, interpolated and normalised everything: every service
 * lists its networks, every network has its engine name.
 */
export interface ComposeModel {
  name: string;
  services?: Record<string, ComposeService>;
  networks?: Record<string, ComposeNetwork>;
  'x-egress-ip'?: unknown;
  [key: string]: unknown;
}

export interface ComposeService {
  networks?: Record<string, ServiceNetwork | null>;
  network_mode?: string;
  ports?: unknown[];
  'x-egress-ip'?: unknown;
  [key: string]: unknown;
}

export interface ServiceNetwork {
  gw_priority?: number;
  priority?: number;
  [key: string]: unknown;
}

export interface ComposeNetwork {
  name?: string;
  driver?: string;
  driver_opts?: Record<string, string | number | boolean>;
  external?: boolean;
  internal?: boolean;
  enable_ipv6?: boolean;
  labels?: Record<string, string> | string[];
  'x-egress-ip'?: unknown;
  [key: string]: unknown;
}
