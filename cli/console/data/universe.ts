/**
 * The universe as the Securities page searches it. The securities table is keyed by symbol alone
 * (model/tables.ts), so DynamoDB can neither sort nor search it by prefix or name; a ~7,555-symbol listing is
 * about a megabyte, so the console reads it once (a paginated Scan), keeps the symbols and names in memory and
 * answers every search and page from there. It reads again when its copy is older than `maxAgeMs` (the
 * universe changes at most daily) or after a failure, never per view.
 */
import { paginateScan } from '@aws-sdk/lib-dynamodb';
import type { Target } from '../../target.ts';
import type { ListedSecurity, UniversePage } from '../api-types.ts';

const text = (value: unknown) => (typeof value === 'string' ? value : '');

export class UniverseIndex {
  private loaded: Promise<{ at: number; securities: ListedSecurity[] }> | undefined;

  constructor(private readonly maxAgeMs = 5 * 60_000) {}

  clear(): void {
    this.loaded = undefined;
  }

  private async read(target: Target) {
    const { tables } = await target.deployment();
    const securities: ListedSecurity[] = [];
    const pages = paginateScan(
      { client: await target.doc() },
      {
        TableName: tables.securities,
        ProjectionExpression: 'symbol, #name, exchange, assetType, #source',
        ExpressionAttributeNames: { '#name': 'name', '#source': 'source' },
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        securities.push({
          symbol: text(item.symbol),
          name: text(item.name),
          exchange: text(item.exchange),
          assetType: text(item.assetType),
          source: text(item.source),
        });
      }
    }
    securities.sort((a, b) => a.symbol.localeCompare(b.symbol));
    return { at: Date.now(), securities };
  }

  private async current(target: Target) {
    const cached = await this.loaded?.catch(() => undefined);
    if (cached && Date.now() - cached.at <= this.maxAgeMs) return cached;
    const reading = this.read(target);
    this.loaded = reading;
    reading.catch(() => {
      if (this.loaded === reading) this.loaded = undefined;
    });
    return reading;
  }

  /** One page of the securities matching `query` (symbol or name, case-insensitive): exact, prefix, then others. */
  async search(target: Target, query: string, page: number, pageSize: number): Promise<UniversePage> {
    const { at, securities } = await this.current(target);
    const needle = query.trim().toUpperCase();
    const rank = (security: ListedSecurity) => {
      if (needle === '') return 2;
      if (security.symbol === needle) return 0;
      if (security.symbol.startsWith(needle)) return 1;
      if (security.symbol.includes(needle) || security.name.toUpperCase().includes(needle)) return 2;
      return -1;
    };
    const ranked = securities
      .map((security) => ({ security, rank: rank(security) }))
      .filter((entry) => entry.rank >= 0)
      .sort((a, b) => a.rank - b.rank || a.security.symbol.localeCompare(b.security.symbol));
    const start = (page - 1) * pageSize;
    return {
      total: securities.length,
      matches: ranked.length,
      page,
      pageSize,
      readAt: new Date(at).toISOString(),
      securities: ranked.slice(start, start + pageSize).map((entry) => entry.security),
    };
  }
}
