/**
 * LISTING_STATUS (always CSV) -> typed listings. The delisting date is the literal text `null` for
 * active listings; some rows have an empty name, some ETF names a trailing space; symbols include
 * forms like `-P-HIZ`, `BRK-B`, `BC/PB` and `ACWV:BAT`, so no symbol pattern is enforced here.
 */
import * as z from 'zod';
import { dateOrNone, isoDate } from './values.ts';

export interface Listing {
  symbol: string;
  /** Trimmed; null when AlphaVantage sends an empty name. */
  name: string | null;
  exchange: string;
  assetType: string;
  ipoDate: string;
  delistingDate: string | null;
  status: string;
}

export const listingRowSchema = z
  .strictObject({
    symbol: z.string().trim().min(1),
    name: z.string(),
    exchange: z.string().min(1),
    assetType: z.string().min(1),
    ipoDate: isoDate,
    delistingDate: dateOrNone,
    status: z.string().min(1),
  })
  .transform((row): Listing => ({ ...row, name: row.name.trim() === '' ? null : row.name.trim() }));
