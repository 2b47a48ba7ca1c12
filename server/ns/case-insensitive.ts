// IIS matches paths case-insensitively (agents have been seen calling both /altiris/NS/Agent and
// /Altiris/NS/Agent). This table learns every route as it is registered and rewrites an incoming
// path to the route's canonical spelling before routing; query strings are never touched.
import type { RouteOptions } from 'fastify';

export class CanonicalPaths {
  /** lower-case static path -> canonical path */
  private readonly exact = new Map<string, string>();
  /** lower-case static prefix of parametric/wildcard routes -> canonical prefix, longest first */
  private prefixes: [string, string][] = [];

  learn(route: Pick<RouteOptions, 'url'>): void {
    const url = route.url;
    const cut = url.search(/[:*]/);
    if (cut === -1) {
      this.exact.set(url.toLowerCase(), url);
      return;
    }
    const prefix = url.slice(0, cut);
    if (prefix === '/' || prefix === '') return;
    if (!this.prefixes.some(([l]) => l === prefix.toLowerCase())) {
      this.prefixes.push([prefix.toLowerCase(), prefix]);
      this.prefixes.sort((a, b) => b[0].length - a[0].length);
    }
  }

  /** The URL with its path in canonical case, or the URL itself when no route knows it. */
  rewrite(url: string): string {
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const lower = path.toLowerCase();
    const hit = this.exact.get(lower);
    if (hit !== undefined) return hit === path ? url : hit + (q === -1 ? '' : url.slice(q));
    for (const [l, canonical] of this.prefixes) {
      if (lower.startsWith(l)) {
        if (path.startsWith(canonical)) return url;
        return canonical + url.slice(canonical.length);
      }
    }
    return url;
  }
}
