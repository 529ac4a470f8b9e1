/**
 * A synthetic company's fixed character, seeded by its symbol: sector and industry (the well-known tickers'
 * real ones; for generated names, the one the name says: "Harbor Utilities Corp" is a utility), size, margins,
 * balance-sheet ratios and the fields it leaves unreported. Margins are drawn so that earnings are positive
 * and plausible (operating margin 8-30 %), and the size follows the share price (see figures.ts), so P/E
 * lands where listed companies' do instead of at 889.
 */
import { type RandomSource, seededRandom, uniform } from '../random.ts';
import { canonicalSymbol } from '../series.ts';
import type { Listing } from '../universe.ts';

type Sector = readonly [sector: string, industry: string];

/** Real sectors and industries (AlphaVantage's spelling) of the universe's well-known stocks. */
const WELL_KNOWN_SECTORS: Readonly<Record<string, Sector>> = {
  AAPL: ['TECHNOLOGY', 'CONSUMER ELECTRONICS'],
  AMD: ['TECHNOLOGY', 'SEMICONDUCTORS'],
  AMZN: ['CONSUMER CYCLICAL', 'INTERNET RETAIL'],
  AVGO: ['TECHNOLOGY', 'SEMICONDUCTORS'],
  BA: ['INDUSTRIALS', 'AEROSPACE & DEFENSE'],
  'BRK-B': ['FINANCIAL SERVICES', 'INSURANCE - DIVERSIFIED'],
  CSCO: ['TECHNOLOGY', 'COMMUNICATION EQUIPMENT'],
  CVX: ['ENERGY', 'OIL & GAS INTEGRATED'],
  DIS: ['COMMUNICATION SERVICES', 'ENTERTAINMENT'],
  DOW: ['BASIC MATERIALS', 'CHEMICALS'],
  GOOG: ['COMMUNICATION SERVICES', 'INTERNET CONTENT & INFORMATION'],
  GOOGL: ['COMMUNICATION SERVICES', 'INTERNET CONTENT & INFORMATION'],
  IBM: ['TECHNOLOGY', 'INFORMATION TECHNOLOGY SERVICES'],
  IMO: ['ENERGY', 'OIL & GAS INTEGRATED'],
  INTC: ['TECHNOLOGY', 'SEMICONDUCTORS'],
  JNJ: ['HEALTHCARE', 'DRUG MANUFACTURERS - GENERAL'],
  JPM: ['FINANCIAL SERVICES', 'BANKS - DIVERSIFIED'],
  KO: ['CONSUMER DEFENSIVE', 'BEVERAGES - NON-ALCOHOLIC'],
  META: ['COMMUNICATION SERVICES', 'INTERNET CONTENT & INFORMATION'],
  MSFT: ['TECHNOLOGY', 'SOFTWARE - INFRASTRUCTURE'],
  NFLX: ['COMMUNICATION SERVICES', 'ENTERTAINMENT'],
  NVDA: ['TECHNOLOGY', 'SEMICONDUCTORS'],
  ORCL: ['TECHNOLOGY', 'SOFTWARE - INFRASTRUCTURE'],
  QCOM: ['TECHNOLOGY', 'SEMICONDUCTORS'],
  SEB: ['INDUSTRIALS', 'CONGLOMERATES'],
  TSLA: ['CONSUMER CYCLICAL', 'AUTO MANUFACTURERS'],
  V: ['FINANCIAL SERVICES', 'CREDIT SERVICES'],
  XOM: ['ENERGY', 'OIL & GAS INTEGRATED'],
};

/** The sector a generated company's name says (universe.ts builds names from these words). */
const SECTOR_BY_NAME_WORD: Readonly<Record<string, Sector>> = {
  Analytics: ['TECHNOLOGY', 'SOFTWARE - APPLICATION'],
  Biosciences: ['HEALTHCARE', 'BIOTECHNOLOGY'],
  Energy: ['ENERGY', 'OIL & GAS E&P'],
  Financial: ['FINANCIAL SERVICES', 'ASSET MANAGEMENT'],
  Foods: ['CONSUMER DEFENSIVE', 'PACKAGED FOODS'],
  Health: ['HEALTHCARE', 'MEDICAL DEVICES'],
  Industries: ['INDUSTRIALS', 'SPECIALTY INDUSTRIAL MACHINERY'],
  Logistics: ['INDUSTRIALS', 'INTEGRATED FREIGHT & LOGISTICS'],
  Materials: ['BASIC MATERIALS', 'SPECIALTY CHEMICALS'],
  Media: ['COMMUNICATION SERVICES', 'ENTERTAINMENT'],
  Minerals: ['BASIC MATERIALS', 'OTHER INDUSTRIAL METALS & MINING'],
  Networks: ['TECHNOLOGY', 'COMMUNICATION EQUIPMENT'],
  Pharmaceuticals: ['HEALTHCARE', 'DRUG MANUFACTURERS - SPECIALTY & GENERIC'],
  Realty: ['REAL ESTATE', 'REIT - DIVERSIFIED'],
  Retail: ['CONSUMER CYCLICAL', 'SPECIALTY RETAIL'],
  Robotics: ['INDUSTRIALS', 'SPECIALTY INDUSTRIAL MACHINERY'],
  Semiconductor: ['TECHNOLOGY', 'SEMICONDUCTORS'],
  Software: ['TECHNOLOGY', 'SOFTWARE - APPLICATION'],
  Systems: ['TECHNOLOGY', 'INFORMATION TECHNOLOGY SERVICES'],
  Therapeutics: ['HEALTHCARE', 'BIOTECHNOLOGY'],
  Utilities: ['UTILITIES', 'UTILITIES - REGULATED ELECTRIC'],
  Water: ['UTILITIES', 'UTILITIES - REGULATED WATER'],
};

/** For a name that says nothing (the empty name of the real file's quirk, a symbol outside the universe). */
const FALLBACK_SECTORS: readonly Sector[] = [
  ['TECHNOLOGY', 'SOFTWARE - INFRASTRUCTURE'],
  ['HEALTHCARE', 'MEDICAL DEVICES'],
  ['INDUSTRIALS', 'SPECIALTY INDUSTRIAL MACHINERY'],
  ['CONSUMER CYCLICAL', 'SPECIALTY RETAIL'],
];

/** Fields that real reports often leave as "None"; each company drops its own subset. */
const OFTEN_MISSING: readonly string[] = [
  'investmentIncomeNet',
  'nonInterestIncome',
  'otherNonOperatingIncome',
  'depreciation',
  'interestAndDebtExpense',
  'comprehensiveIncomeNetOfTax',
  'accumulatedDepreciationAmortizationPPE',
  'investments',
  'deferredRevenue',
  'treasuryStock',
  'capitalLeaseObligations',
  'longTermInvestments',
  'paymentsForOperatingActivities',
  'proceedsFromOperatingActivities',
  'proceedsFromIssuanceOfCommonStock',
  'proceedsFromSaleOfTreasuryStock',
  'changeInExchangeRate',
  'proceedsFromRepaymentsOfShortTermDebt',
];
/** Fields that are "None" for every company (no preferred stock in the synthetic world). */
const ALWAYS_MISSING = [
  'paymentsForRepurchaseOfPreferredStock',
  'dividendPayoutPreferredStock',
  'proceedsFromIssuanceOfPreferredStock',
];

const CITIES = [
  'NEW YORK, NY',
  'AUSTIN, TX',
  'DENVER, CO',
  'SEATTLE, WA',
  'BOSTON, MA',
  'CHICAGO, IL',
  'ATLANTA, GA',
];
const STREETS = ['MAIN STREET', 'MARKET STREET', 'PARK AVENUE', 'HARBOR DRIVE', 'INNOVATION WAY'];

export interface CompanyProfile {
  sharesOutstanding: number;
  /** Price / earnings the company's size is set for (figures.ts); the served P/E moves with the price. */
  targetPriceEarnings: number;
  grossMargin: number;
  operatingMargin: number;
  sgaRatio: number;
  rdRatio: number;
  depreciationRatio: number;
  taxRate: number;
  assetsToAnnualRevenue: number;
  liabilitiesToAssets: number;
  debtToAssets: number;
  payoutRatio: number;
  buybackRatio: number;
  capexRatio: number;
  beta: number;
  missing: ReadonlySet<string>;
  cik: number;
  sector: string;
  industry: string;
  address: string;
}

function sectorOf(symbol: string, listing: Listing | undefined, random: RandomSource): Sector {
  // A preferred share or warrant (BA-P-A, BA-WS) is in its company's sector.
  const known = WELL_KNOWN_SECTORS[symbol.replace(/-(P-[A-Z]+|WS)$/, '')];
  if (known !== undefined) return known;
  const word = listing?.name.split(' ').find((part) => SECTOR_BY_NAME_WORD[part] !== undefined);
  const named = word === undefined ? undefined : SECTOR_BY_NAME_WORD[word];
  return named ?? (FALLBACK_SECTORS[Math.floor(random.next() * FALLBACK_SECTORS.length)] as Sector);
}

/** Margins whose operating margin is 8-30 % of revenue: SG&A and R&D share what gross profit leaves. */
function margins(random: RandomSource) {
  const grossMargin = uniform(random, 0.3, 0.7);
  const operatingMargin = uniform(random, 0.08, Math.min(0.3, grossMargin - 0.1));
  const overhead = grossMargin - operatingMargin - 0.01;
  const rdShare = uniform(random, 0, 0.45);
  return { grossMargin, operatingMargin, sgaRatio: overhead * (1 - rdShare), rdRatio: overhead * rdShare };
}

export function companyProfile(symbol: string, listing?: Listing): CompanyProfile {
  const canonical = canonicalSymbol(symbol);
  const random = seededRandom(`company:${canonical}`);
  const [sector, industry] = sectorOf(canonical, listing, random);
  const missing = new Set<string>(ALWAYS_MISSING);
  for (const field of OFTEN_MISSING) if (random.next() < 0.45) missing.add(field);
  const street = `${Math.floor(uniform(random, 1, 9000))} ${STREETS[Math.floor(random.next() * STREETS.length)]}`;
  const city = CITIES[Math.floor(random.next() * CITIES.length)];
  return {
    sharesOutstanding: Math.round(Math.exp(uniform(random, Math.log(4e7), Math.log(4e9))) / 1000) * 1000,
    targetPriceEarnings: uniform(random, 12, 32),
    ...margins(random),
    depreciationRatio: uniform(random, 0.02, 0.07),
    taxRate: uniform(random, 0.1, 0.25),
    assetsToAnnualRevenue: uniform(random, 0.8, 2.5),
    liabilitiesToAssets: uniform(random, 0.35, 0.8),
    debtToAssets: uniform(random, 0.1, 0.3),
    payoutRatio: random.next() < 0.6 ? uniform(random, 0.2, 0.7) : 0,
    buybackRatio: uniform(random, 0, 0.4),
    capexRatio: uniform(random, 0.02, 0.1),
    beta: uniform(random, 0.5, 1.8),
    missing,
    cik: Math.floor(uniform(random, 10_000, 2_000_000)),
    sector,
    industry,
    address: `${street}, ${city}, UNITED STATES, ${String(Math.floor(uniform(random, 10_000, 99_999)))}`,
  };
}

/**
 * Net income per dollar of revenue the profile implies before noise: operating margin plus interest income,
 * less interest on its debt, after tax. figures.ts sizes revenue with it so that P/E ~ targetPriceEarnings.
 */
export function expectedNetMargin(profile: CompanyProfile): number {
  const interestCost = profile.assetsToAnnualRevenue * profile.debtToAssets * 0.045;
  return (profile.operatingMargin + 0.006 - interestCost) * (1 - profile.taxRate);
}
