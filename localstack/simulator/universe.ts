/**
 * The synthetic LISTING_STATUS universe: a few well-known tickers (so manual checks and examples can
 * use IBM, MSFT, SPY ...) plus deterministic generated listings, a few hundred rows across AlphaVantage's
 * exchange names, with the quirks the real file has: an empty company name, preferred-share and warrant
 * symbols with dashes, ETF names with a trailing space.
 */
import { latestTradingDayOnOrBefore } from './calendar.ts';
import { integerBetween, pick, type RandomSource, seededRandom } from './random.ts';

export type Exchange = 'NYSE' | 'NASDAQ' | 'NYSE ARCA' | 'NYSE MKT' | 'BATS';
export type AssetType = 'Stock' | 'ETF';

export interface Listing {
  symbol: string;
  name: string;
  exchange: Exchange;
  assetType: AssetType;
  ipoDate: string;
  /** null while listed; AlphaVantage writes the literal `null` in the CSV. */
  delistingDate: string | null;
  status: 'Active' | 'Delisted';
}

type WellKnown = [symbol: string, name: string, exchange: Exchange, assetType: AssetType, ipoDate: string];

/** Well-known tickers with their public listing facts (names and dates as AlphaVantage lists them). */
const WELL_KNOWN: readonly WellKnown[] = [
  ['AAPL', 'Apple Inc', 'NASDAQ', 'Stock', '1980-12-12'],
  ['AMD', 'Advanced Micro Devices Inc', 'NASDAQ', 'Stock', '1983-03-21'],
  ['AMZN', 'Amazon.com Inc', 'NASDAQ', 'Stock', '1997-05-15'],
  ['AVGO', 'Broadcom Inc', 'NASDAQ', 'Stock', '2009-08-06'],
  ['BA', 'Boeing Company', 'NYSE', 'Stock', '1962-01-02'],
  ['BRK-B', 'Berkshire Hathaway Inc - Class B', 'NYSE', 'Stock', '1996-05-09'],
  ['CSCO', 'Cisco Systems Inc', 'NASDAQ', 'Stock', '1990-03-26'],
  ['CVX', 'Chevron Corp', 'NYSE', 'Stock', '1970-01-02'],
  ['DIS', 'Walt Disney Co (The)', 'NYSE', 'Stock', '1962-01-02'],
  ['DOW', 'Dow Inc', 'NYSE', 'Stock', '2019-03-20'],
  ['GOOG', 'Alphabet Inc - Class C', 'NASDAQ', 'Stock', '2014-03-27'],
  ['GOOGL', 'Alphabet Inc - Class A', 'NASDAQ', 'Stock', '2004-08-19'],
  ['IBM', 'International Business Machines Corp', 'NYSE', 'Stock', '1962-01-02'],
  ['IMO', 'Imperial Oil Ltd', 'NYSE MKT', 'Stock', '1986-07-16'],
  ['INTC', 'Intel Corp', 'NASDAQ', 'Stock', '1980-03-17'],
  ['JNJ', 'Johnson & Johnson', 'NYSE', 'Stock', '1970-01-02'],
  ['JPM', 'JPMorgan Chase & Company', 'NYSE', 'Stock', '1983-12-30'],
  ['KO', 'Coca-Cola Company', 'NYSE', 'Stock', '1962-01-02'],
  ['META', 'Meta Platforms Inc - Class A', 'NASDAQ', 'Stock', '2012-05-18'],
  ['MSFT', 'Microsoft Corporation', 'NASDAQ', 'Stock', '1986-03-13'],
  ['NFLX', 'Netflix Inc', 'NASDAQ', 'Stock', '2002-05-23'],
  ['NVDA', 'NVIDIA Corp', 'NASDAQ', 'Stock', '1999-01-22'],
  ['ORCL', 'Oracle Corp', 'NYSE', 'Stock', '1986-03-12'],
  ['QCOM', 'Qualcomm Inc', 'NASDAQ', 'Stock', '1991-12-16'],
  ['SEB', 'Seaboard Corp', 'NYSE MKT', 'Stock', '1980-03-17'],
  ['TSLA', 'Tesla Inc', 'NASDAQ', 'Stock', '2010-06-29'],
  ['V', 'Visa Inc - Class A', 'NYSE', 'Stock', '2008-03-19'],
  ['XOM', 'Exxon Mobil Corp', 'NYSE', 'Stock', '1970-01-02'],
  ['ARKK', 'ARK INNOVATION ETF ', 'BATS', 'ETF', '2014-10-31'],
  ['DIA', 'SPDR Dow Jones Industrial Average ETF', 'NYSE ARCA', 'ETF', '1998-01-20'],
  ['GLD', 'SPDR Gold Shares ETF', 'NYSE ARCA', 'ETF', '2004-11-18'],
  ['IWM', 'ISHARES RUSSELL 2000 ETF ', 'NYSE ARCA', 'ETF', '2000-05-26'],
  ['QQQ', 'Invesco QQQ Trust Series 1', 'NASDAQ', 'ETF', '1999-03-10'],
  ['SPY', 'SPDR S&P 500 ETF Trust', 'NYSE ARCA', 'ETF', '1993-01-29'],
  ['TLT', 'ISHARES 20+ YEAR TREASURY BOND ETF ', 'NASDAQ', 'ETF', '2002-07-26'],
  ['UVXY', 'ProShares Ultra VIX Short-Term Futures ETF 2x Shares', 'BATS', 'ETF', '2011-10-04'],
  ['VOO', 'VANGUARD 500 INDEX FUND ETF SHARES', 'NYSE ARCA', 'ETF', '2010-09-09'],
  ['VTI', 'VANGUARD TOTAL STOCK MARKET INDEX FUND ETF SHARES', 'NYSE ARCA', 'ETF', '2001-05-31'],
];

const NAME_FIRST = [
  'Atlas',
  'Beacon',
  'Cedar',
  'Summit',
  'Harbor',
  'Granite',
  'Meridian',
  'Pioneer',
  'Sterling',
  'Northwind',
  'Bluewater',
  'Redwood',
  'Silverline',
  'Keystone',
  'Horizon',
  'Ironbridge',
  'Lakeshore',
  'Orchard',
  'Crescent',
  'Evergreen',
  'Falcon',
  'Juniper',
  'Quantum',
  'Riverbend',
  'Sable',
  'Tidewater',
  'Vantage',
  'Westfield',
];
const NAME_SECOND = [
  'Analytics',
  'Biosciences',
  'Energy',
  'Financial',
  'Foods',
  'Health',
  'Industries',
  'Logistics',
  'Materials',
  'Media',
  'Minerals',
  'Networks',
  'Pharmaceuticals',
  'Realty',
  'Retail',
  'Robotics',
  'Semiconductor',
  'Software',
  'Systems',
  'Therapeutics',
  'Utilities',
  'Water',
];
const NAME_SUFFIX = ['Inc', 'Corp', 'Holdings Inc', 'Group Inc', 'Co', 'Ltd', 'Inc - Class A', 'Trust'];
const ETF_THEMES = [
  'Dividend Growth',
  'Small Cap Value',
  'Short-Term Treasury',
  'Clean Energy',
  'Emerging Markets Equity',
  'High Yield Bond',
  'Semiconductor',
  'Healthcare Innovation',
  'Equal Weight',
  'Momentum Factor',
  'Gold Miners',
  'Municipal Bond',
  'Real Estate',
  'Cybersecurity',
  'Quality Factor',
];
const ETF_SPONSORS = ['SYNTHSHARES', 'Meridian', 'NORTHWIND', 'Keystone Funds', 'Atlas Global X'];

const GENERATED_ACTIVE_ROWS = 300;
const GENERATED_DELISTED_ROWS = 40;

function stockExchange(random: RandomSource): Exchange {
  const draw = random.next();
  if (draw < 0.4) return 'NYSE';
  if (draw < 0.82) return 'NASDAQ';
  if (draw < 0.92) return 'NYSE MKT';
  if (draw < 0.96) return 'BATS';
  return 'NYSE ARCA';
}

function etfExchange(random: RandomSource): Exchange {
  const draw = random.next();
  if (draw < 0.6) return 'NYSE ARCA';
  if (draw < 0.8) return 'NASDAQ';
  return 'BATS';
}

function randomTicker(random: RandomSource, taken: Set<string>): string {
  for (;;) {
    const length = integerBetween(random, 2, 4);
    let ticker = '';
    for (let index = 0; index < length; index += 1)
      ticker += String.fromCharCode(65 + integerBetween(random, 0, 25));
    if (!taken.has(ticker)) return ticker;
  }
}

function randomDate(random: RandomSource, fromYear: number, toYear: number): string {
  const year = integerBetween(random, fromYear, toYear);
  const month = integerBetween(random, 1, 12);
  const day = integerBetween(random, 1, 28);
  return latestTradingDayOnOrBefore(
    `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
  );
}

let cachedUniverse: { active: Listing[]; delisted: Listing[] } | undefined;

function generatedActiveListing(random: RandomSource, taken: Set<string>): Listing {
  const isEtf = random.next() < 0.3;
  const symbol = randomTicker(random, taken);
  taken.add(symbol);
  const name = isEtf
    ? `${pick(random, ETF_SPONSORS)} ${pick(random, ETF_THEMES)} ETF${random.next() < 0.3 ? ' ' : ''}`
    : companyName(random);
  return {
    symbol,
    name,
    exchange: isEtf ? etfExchange(random) : stockExchange(random),
    assetType: isEtf ? 'ETF' : 'Stock',
    ipoDate: randomDate(random, isEtf ? 1996 : 1970, 2025),
    delistingDate: null,
    status: 'Active',
  };
}

function companyName(random: RandomSource): string {
  return `${pick(random, NAME_FIRST)} ${pick(random, NAME_SECOND)} ${pick(random, NAME_SUFFIX)}`;
}

/** Quirks of the real file: preferred shares and warrants of a listed company, an empty name. */
function quirkListings(active: readonly Listing[], random: RandomSource, taken: Set<string>): Listing[] {
  const quirks: Listing[] = [];
  const preferredBase = active.find(
    (listing) => listing.assetType === 'Stock' && listing.exchange === 'NYSE',
  );
  if (preferredBase !== undefined) {
    for (const suffix of ['-P-A', '-P-B', '-WS'])
      quirks.push({ ...preferredBase, symbol: `${preferredBase.symbol}${suffix}`, ipoDate: '2021-06-15' });
  }
  quirks.push({
    symbol: randomTicker(random, taken),
    name: '',
    exchange: 'NASDAQ',
    assetType: 'Stock',
    ipoDate: '2023-08-18',
    delistingDate: null,
    status: 'Active',
  });
  return quirks;
}

function generatedDelistedListing(random: RandomSource, taken: Set<string>): Listing {
  const symbol = randomTicker(random, taken);
  taken.add(symbol);
  const ipoDate = randomDate(random, 1985, 2015);
  const delistingDate = randomDate(random, Number(ipoDate.slice(0, 4)) + 2, 2025);
  return {
    symbol,
    name: companyName(random),
    exchange: stockExchange(random),
    assetType: 'Stock',
    ipoDate,
    delistingDate,
    status: 'Delisted',
  };
}

/**
 * The whole synthetic universe, independent of the clock (callers filter by date): active listings
 * and a separate set of delisted ones, each sorted by symbol like AlphaVantage's file.
 */
export function syntheticUniverse(): { active: readonly Listing[]; delisted: readonly Listing[] } {
  if (cachedUniverse !== undefined) return cachedUniverse;
  const random = seededRandom('universe:v1');
  const taken = new Set<string>(WELL_KNOWN.map(([symbol]) => symbol));
  const active: Listing[] = WELL_KNOWN.map(([symbol, name, exchange, assetType, ipoDate]) => ({
    symbol,
    name,
    exchange,
    assetType,
    ipoDate,
    delistingDate: null,
    status: 'Active',
  }));
  for (let index = 0; index < GENERATED_ACTIVE_ROWS; index += 1)
    active.push(generatedActiveListing(random, taken));
  active.push(...quirkListings(active, random, taken));
  const delisted = Array.from({ length: GENERATED_DELISTED_ROWS }, () =>
    generatedDelistedListing(random, taken),
  );
  const bySymbol = (left: Listing, right: Listing) => (left.symbol < right.symbol ? -1 : 1);
  cachedUniverse = { active: active.sort(bySymbol), delisted: delisted.sort(bySymbol) };
  return cachedUniverse;
}

/** The listing of a symbol (case-insensitive), active or delisted, if the universe has it. */
export function findListing(symbol: string): Listing | undefined {
  const wanted = symbol.trim().toUpperCase();
  const { active, delisted } = syntheticUniverse();
  return (
    active.find((listing) => listing.symbol === wanted) ??
    delisted.find((listing) => listing.symbol === wanted)
  );
}

/**
 * LISTING_STATUS rows as of `asOfDate`: active = listed on or before that date and not delisted by then;
 * delisted = delisted on or before that date.
 */
export function listingsAsOf(asOfDate: string, state: 'active' | 'delisted'): Listing[] {
  const { active, delisted } = syntheticUniverse();
  if (state === 'delisted') {
    return delisted.filter((listing) => listing.delistingDate !== null && listing.delistingDate <= asOfDate);
  }
  // Travelling back in time: a symbol delisted later was still an active listing on that date.
  const stillListed = delisted
    .filter((listing) => listing.ipoDate <= asOfDate && (listing.delistingDate ?? '9999') > asOfDate)
    .map((listing): Listing => ({ ...listing, delistingDate: null, status: 'Active' }));
  return [...active.filter((listing) => listing.ipoDate <= asOfDate), ...stillListed].sort((left, right) =>
    left.symbol < right.symbol ? -1 : 1,
  );
}
