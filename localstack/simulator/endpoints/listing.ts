/** LISTING_STATUS: the universe's CSV as of a date (`state=active|delisted`, `date` from 2010-01-01 on). */
import { type ApiAnswer, csv, csvBody, errorMessage, type LineEnding } from '../answers.ts';
import { parseIsoDate } from '../calendar.ts';
import * as messages from '../messages.ts';
import { lastTradingDate } from '../series.ts';
import { type Listing, listingsAsOf } from '../universe.ts';

function listingStatusCsv(listings: readonly Listing[], lineEnding: LineEnding): string {
  const rows = listings.map((listing) => [
    listing.symbol,
    listing.name,
    listing.exchange,
    listing.assetType,
    listing.ipoDate,
    listing.delistingDate ?? 'null',
    listing.status,
  ]);
  return csvBody(
    ['symbol', 'name', 'exchange', 'assetType', 'ipoDate', 'delistingDate', 'status'],
    rows,
    lineEnding,
  );
}

export function listingStatus(params: URLSearchParams, now: Date, lineEnding: LineEnding): ApiAnswer {
  const state = params.get('state') ?? 'active';
  const date = params.get('date');
  const invalid = errorMessage(messages.invalidApiCall('LISTING_STATUS'));
  if (state !== 'active' && state !== 'delisted') return invalid;
  let asOf = lastTradingDate(now);
  if (date !== null && date !== '') {
    try {
      parseIsoDate(date);
    } catch {
      return invalid;
    }
    // AlphaVantage documents history from 2010-01-01 on; the future is today.
    if (date < '2010-01-01') return invalid;
    if (date < asOf) asOf = date;
  }
  return csv(listingStatusCsv(listingsAsOf(asOf, state), lineEnding));
}
